"""/v1/grants: read each household's grant and its tranches.

Grants are opened and paid by events (household.approved, house.*), never by
a write here.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from baan_shared.auth import Principal, not_found_unless_covered
from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import PROBLEM_JSON
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.pages import Paging
from baan_shared.reference import Programme
from finance.access import Reader
from finance.grants import service
from finance.grants.models import Grant, GrantStatus
from finance.grants.schemas import GrantDetail, GrantPublic, GrantsPublic, HouseholdGrant

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {PROBLEM_JSON: {}}}
    for code, text in {
        404: "No such grant",
        422: "Invalid input; `errors` names each field",
    }.items()
}

router = APIRouter(prefix="/v1/grants", tags=["grants"], responses=PROBLEMS)


def _not_found_unless_covered(principal: Principal, grant: Grant, what: str) -> None:
    not_found_unless_covered(
        principal,
        what,
        province=grant.province_code,
        district=grant.district_code,
        subdistrict=grant.subdistrict_code,
    )


@router.get("", response_model=GrantsPublic)
async def list_grants(
    session: SessionDep,
    principal: Reader,
    programme: Programme | None = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    household_id: uuid.UUID | None = None,
    status_: Annotated[GrantStatus | None, Query(alias="status")] = None,
    fiscal_year: FiscalYearBE | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> GrantsPublic:
    where = service.GrantFilter(
        programme=programme,
        province_code=province_code,
        household_id=household_id,
        status=status_,
        fiscal_year=fiscal_year,
    )
    found = await service.page(session, principal, where, Paging(decode_cursor(cursor), limit))
    return GrantsPublic(
        items=[GrantPublic.of(g) for g in found.items],
        next_cursor=encode_cursor(found.last) if found.last else None,
    )


@router.get("/by-household/{household_id}", response_model=HouseholdGrant)
async def get_household_grant(
    household_id: uuid.UUID, session: SessionDep, principal: Reader
) -> HouseholdGrant:
    """What the household is entitled to, what it has been paid, and what is still owed."""
    grant = await service.get_for_household(session, household_id)
    _not_found_unless_covered(principal, grant, service.household_grant_what(household_id))
    return HouseholdGrant.of(grant, await service.disbursements(session, grant.id))


@router.get("/{grant_id}", response_model=GrantDetail)
async def get_grant(grant_id: uuid.UUID, session: SessionDep, principal: Reader) -> GrantDetail:
    grant = await service.get(session, grant_id)
    _not_found_unless_covered(principal, grant, service.grant_what(grant_id))
    return GrantDetail.with_disbursements(grant, await service.disbursements(session, grant.id))
