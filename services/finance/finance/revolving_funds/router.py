"""/v1/revolving-funds: open and seed community funds; read their reconciliation."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from baan_shared.auth import forbid_unless_covered
from baan_shared.auth.audit import audit_resource
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.pages import Paging
from finance.access import Reader, Writer
from finance.revolving_funds import service
from finance.revolving_funds.schemas import (
    FundCreate,
    FundDeposit,
    FundDetail,
    FundPublic,
    FundsPublic,
    MovementPublic,
)

router = APIRouter(prefix="/v1/revolving-funds", tags=["revolving funds"])


@router.post(
    "",
    response_model=FundPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            403: "The fund's province is outside the client's areas",
            409: "The fund already exists (outside the client's areas: only that the code "
            "is taken, and who can resolve it)",
            422: "Invalid input, or a sub-district code outside the fund's province",
        }
    ),
)
@idempotent
async def create_fund(
    body: FundCreate, session: SessionDep, principal: Writer, request: Request
) -> FundPublic:
    """Open a community's or sub-district's revolving fund (กองทุนหมุนเวียน).

    Fund codes are national (one fund per scope and code). A code taken by a fund
    outside the client's areas answers 409 ``taken-elsewhere``: that it is taken and
    who can resolve it, nothing of the other fund."""
    province, district, subdistrict = service.area_of_new(body)
    forbid_unless_covered(principal, province=province, district=district, subdistrict=subdistrict)
    fund = await service.create(session, body, principal)
    audit_resource(request, "revolving-funds", fund.id)
    return FundPublic.of(fund)


@router.get("", response_model=FundsPublic, responses=problem_responses({422: "Bad filter"}))
async def list_funds(
    session: SessionDep,
    principal: Reader,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> FundsPublic:
    where = service.FundFilter(province_code=province_code)
    found = await service.page(session, principal, where, Paging(decode_cursor(cursor), limit))
    return FundsPublic(
        items=[FundPublic.of(f) for f in found.items],
        next_cursor=encode_cursor(found.last) if found.last else None,
    )


@router.get(
    "/{fund_id}", response_model=FundDetail, responses=problem_responses({404: "No such fund"})
)
async def get_fund(fund_id: uuid.UUID, session: SessionDep, principal: Reader) -> FundDetail:
    """The fund's reconciliation (in, out, balance) and every movement behind it."""
    fund = await service.get(session, fund_id, principal)
    movements = await service.movements(session, fund.id)
    return FundDetail(
        **FundPublic.of(fund).model_dump(), movements=[MovementPublic.of(m) for m in movements]
    )


@router.post(
    "/{fund_id}/deposits",
    response_model=FundPublic,
    responses=problem_responses({404: "No such fund", 422: "Invalid input"}),
)
@idempotent
async def deposit(
    fund_id: uuid.UUID, body: FundDeposit, session: SessionDep, principal: Writer
) -> FundPublic:
    """Move seed money from the agency's cash into the fund."""
    await service.get(session, fund_id, principal)
    return FundPublic.of(await service.deposit(session, fund_id, body))
