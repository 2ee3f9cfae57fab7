"""Who may call what (docs/adr/0003-partner-access.md): reads need
``construction:read``, every change ``construction:write``, and changing a
programme's milestone templates also ``admin``.

Elsewhere is nowhere (issue 14, ``baan_shared.auth.areas``): for a client bound
to areas, another area's record does not exist. An id in the path (or query)
naming one answers exactly the 404 a missing id gets (``does_not_exist`` with
the same words, checked at the same point); an id in the request body answers
exactly as an unknown reference (422 naming the field), checked before anything
else about the referenced record, and before any write.
"""

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import Security
from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import (
    Principal,
    area_filter,
    does_not_exist,
    not_found_unless_covered,
    require_scopes,
    unknown_reference,
)
from baan_shared.auth.scopes import ADMIN, CONSTRUCTION_READ, CONSTRUCTION_WRITE
from construction.house_works import repository as house_works_repository
from construction.house_works.models import HouseWork
from construction.materials import repository as materials_repository
from construction.materials.models import PurchaseOrder
from construction.photos import repository as photos_repository
from construction.projects import repository as projects_repository
from construction.projects.models import Project

Reader = Annotated[Principal, Security(require_scopes(CONSTRUCTION_READ))]
Writer = Annotated[Principal, Security(require_scopes(CONSTRUCTION_WRITE))]
# A milestone template is a programme rule for the whole country (every house
# work planned from then on gets it), not a record of one area: a provincial
# office's construction:write must not change what other provinces' houses get.
Administrator = Annotated[Principal, Security(require_scopes(CONSTRUCTION_WRITE, ADMIN))]


# Area permissions (issue 7): lists filter in SQL; a single record of another
# area answers the same 404 as a missing one, so its existence is not revealed.
# Milestones, orders, deliveries, allocations, labour and photos have no area
# codes of their own: they take their house work's or project's.

HOUSE_WORK = "house work"
PROJECT = "project"
PURCHASE_ORDER = "purchase order"
DELIVERY = "delivery"
ALLOCATION = "allocation"
PHOTO = "photo"


def house_works_in(principal: Principal) -> ColumnElement[bool]:
    return area_filter(
        principal,
        province=HouseWork.province_code,
        district=HouseWork.district_code,
        subdistrict=HouseWork.subdistrict_code,
    )


def projects_in(principal: Principal) -> ColumnElement[bool]:
    return area_filter(
        principal,
        province=Project.province_code,
        district=Project.district_code,
        subdistrict=Project.subdistrict_code,
    )


def covers(principal: Principal, placed: HouseWork | Project) -> bool:
    """Whether the house work or project lies in one of the principal's areas."""
    return principal.covers(placed.province_code, placed.district_code, placed.subdistrict_code)


def _unless_covered(principal: Principal, what: str, placed: HouseWork | Project | None) -> None:
    """The one 404 (``does_not_exist(what)``) for a record that is missing (``placed``
    None) or lies outside the principal's areas."""
    if placed is None:
        raise does_not_exist(what)
    not_found_unless_covered(
        principal,
        what,
        province=placed.province_code,
        district=placed.district_code,
        subdistrict=placed.subdistrict_code,
    )


async def house_work_of(
    session: AsyncSession, principal: Principal, house_work_id: uuid.UUID
) -> HouseWork:
    work = await house_works_repository.get(session, house_work_id)
    _unless_covered(principal, f"{HOUSE_WORK} {house_work_id}", work)
    assert work is not None
    return work


async def project_of(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> Project:
    project = await projects_repository.get(session, project_id)
    _unless_covered(principal, f"{PROJECT} {project_id}", project)
    assert project is not None
    return project


async def _order_in_areas(
    session: AsyncSession, principal: Principal, what: str, order_id: uuid.UUID
) -> PurchaseOrder:
    """The order if it exists and its project is the principal's, else ``does_not_exist(what)``."""
    purchase = await materials_repository.get_order(session, order_id)
    project = await projects_repository.get(session, purchase.project_id) if purchase else None
    _unless_covered(principal, what, project)
    assert purchase is not None
    return purchase


async def order_of(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> PurchaseOrder:
    return await _order_in_areas(session, principal, f"{PURCHASE_ORDER} {order_id}", order_id)


async def delivery_of(session: AsyncSession, principal: Principal, delivery_id: uuid.UUID) -> None:
    what = f"{DELIVERY} {delivery_id}"
    delivery = await materials_repository.get_delivery(session, delivery_id)
    if delivery is None:
        raise does_not_exist(what)
    await _order_in_areas(session, principal, what, delivery.purchase_order_id)


async def allocation_of(
    session: AsyncSession, principal: Principal, allocation_id: uuid.UUID
) -> None:
    what = f"{ALLOCATION} {allocation_id}"
    allocation = await materials_repository.get_allocation(session, allocation_id)
    if allocation is None:
        raise does_not_exist(what)
    await _order_in_areas(session, principal, what, allocation.purchase_order_id)


async def photo_of(session: AsyncSession, principal: Principal, photo_id: uuid.UUID) -> None:
    photo = await photos_repository.get(session, photo_id)
    work = await house_works_repository.get(session, photo.house_work_id) if photo else None
    _unless_covered(principal, f"{PHOTO} {photo_id}", work)


# Ids in a request body: unknown references, named by their field.


async def referenced_house_work(
    session: AsyncSession, principal: Principal, field: str, house_work_id: uuid.UUID
) -> HouseWork:
    """The house work a body field names, or 422 ``unknown_reference`` naming ``field``
    when it is missing or outside the principal's areas (the same answer)."""
    work = await house_works_repository.get(session, house_work_id)
    if work is None or not covers(principal, work):
        raise unknown_reference(field, HOUSE_WORK, house_work_id)
    return work


async def referenced_house_works(
    session: AsyncSession, principal: Principal, field: str, house_work_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, HouseWork]:
    """Every house work a body list names (``field.N``); the first that is missing or
    outside the principal's areas is an unknown reference, and nothing is written."""
    found = {
        w.id: w
        for w in await projects_repository.house_works(session, list(dict.fromkeys(house_work_ids)))
    }
    for index, house_work_id in enumerate(house_work_ids):
        work = found.get(house_work_id)
        if work is None or not covers(principal, work):
            raise unknown_reference(f"{field}.{index}", HOUSE_WORK, house_work_id)
    return found
