"""Who may call what (docs/adr/0003-partner-access.md): reads need
``construction:read``, every change ``construction:write``, and changing a
programme's milestone templates also ``admin``."""

import uuid
from typing import Annotated

from fastapi import Security
from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter, not_found_unless_covered, require_scopes
from baan_shared.auth.scopes import ADMIN, CONSTRUCTION_READ, CONSTRUCTION_WRITE
from baan_shared.http.errors import NotFound
from construction.house_works import service as house_works
from construction.house_works.models import HouseWork
from construction.materials import repository as materials_repository
from construction.materials import service as materials
from construction.materials.models import PurchaseOrder
from construction.photos import service as photos
from construction.projects import service as projects
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


async def house_work_of(
    session: AsyncSession, principal: Principal, house_work_id: uuid.UUID
) -> HouseWork:
    work = await house_works.get(session, house_work_id)
    not_found_unless_covered(
        principal,
        f"house work {house_work_id}",
        province=work.province_code,
        district=work.district_code,
        subdistrict=work.subdistrict_code,
    )
    return work


async def project_of(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> Project:
    project = await projects.get(session, project_id)
    not_found_unless_covered(
        principal,
        f"project {project_id}",
        province=project.province_code,
        district=project.district_code,
        subdistrict=project.subdistrict_code,
    )
    return project


async def order_of(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> PurchaseOrder:
    purchase = await materials.get_order(session, order_id)
    try:
        await project_of(session, principal, purchase.project_id)
    except NotFound:
        raise NotFound(f"purchase order {order_id} does not exist") from None
    return purchase


async def delivery_of(session: AsyncSession, principal: Principal, delivery_id: uuid.UUID) -> None:
    delivery = await materials_repository.get_delivery(session, delivery_id)
    if delivery is not None:
        try:
            await order_of(session, principal, delivery.purchase_order_id)
        except NotFound:
            raise NotFound(f"delivery {delivery_id} does not exist") from None


async def allocation_of(
    session: AsyncSession, principal: Principal, allocation_id: uuid.UUID
) -> None:
    allocation = await materials_repository.get_allocation(session, allocation_id)
    if allocation is not None:
        try:
            await order_of(session, principal, allocation.purchase_order_id)
        except NotFound:
            raise NotFound(f"allocation {allocation_id} does not exist") from None


async def photo_of(session: AsyncSession, principal: Principal, photo_id: uuid.UUID) -> None:
    photo = await photos.get(session, photo_id)
    try:
        await house_work_of(session, principal, photo.house_work_id)
    except NotFound:
        raise NotFound(f"photo {photo_id} does not exist") from None
