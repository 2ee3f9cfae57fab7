"""/v1/funds: register community welfare funds, their committee and rule versions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from baan_shared.auth import forbid_unless_covered
from baan_shared.auth.audit import audit_resource
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from welfare.access import Reader, Writer
from welfare.funds import service
from welfare.funds.schemas import (
    Committee,
    FundCreate,
    FundPublic,
    FundsPublic,
    OtherIncome,
    RuleVersionCreate,
    RuleVersionPublic,
    RuleVersionsPublic,
)

router = APIRouter(prefix="/v1/funds", tags=["funds"])
NOT_FOUND = {404: "No such fund (or outside the client's areas)"}


@router.post(
    "",
    response_model=FundPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            403: "The tambon is outside the client's areas",
            409: "The tambon already has a fund of this kind",
            422: "Invalid input, or no tambon has this code",
        }
    ),
)
@idempotent
async def register_fund(
    body: FundCreate, session: SessionDep, principal: Writer, request: Request
) -> FundPublic:
    """Register a tambon's or municipality's welfare fund (กองทุนสวัสดิการชุมชน), with its
    committee and, optionally, its first rules (in force from the registration date)."""
    province, district, subdistrict = service.place_of_new(body)
    forbid_unless_covered(
        principal,
        province=province,
        district=district,
        subdistrict=subdistrict,
        field="body.subdistrict_code",
    )
    fund = await service.register(session, body)
    audit_resource(request, "welfare-funds", fund.id)
    return FundPublic.of(fund)


@router.get("", response_model=FundsPublic, responses=problem_responses({422: "Bad filter"}))
async def list_funds(
    session: SessionDep,
    principal: Reader,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    district_code: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> FundsPublic:
    """The funds in the client's areas, by area."""
    rows = await service.page(
        session,
        principal=principal,
        after=decode_cursor(cursor),
        limit=limit + 1,
        province_code=province_code,
        district_code=district_code,
        subdistrict_code=subdistrict_code,
    )
    items, more = rows[:limit], len(rows) > limit
    return FundsPublic(
        items=[FundPublic.of(f) for f in items],
        next_cursor=encode_cursor(items[-1].id) if more else None,
    )


@router.get("/{fund_id}", response_model=FundPublic, responses=problem_responses(NOT_FOUND))
async def get_fund(fund_id: uuid.UUID, session: SessionDep, principal: Reader) -> FundPublic:
    return FundPublic.of(await service.get(session, fund_id, principal))


@router.put(
    "/{fund_id}/committee",
    response_model=FundPublic,
    responses=problem_responses({**NOT_FOUND, 422: "Invalid input"}),
)
@idempotent
async def set_committee(
    fund_id: uuid.UUID, body: Committee, session: SessionDep, principal: Writer
) -> FundPublic:
    """Replace the fund's committee (คณะกรรมการ) as elected."""
    fund = await service.get(session, fund_id, principal)
    return FundPublic.of(await service.set_committee(session, fund, body))


@router.get(
    "/{fund_id}/rule-versions",
    response_model=RuleVersionsPublic,
    responses=problem_responses(NOT_FOUND),
)
async def list_rule_versions(
    fund_id: uuid.UUID, session: SessionDep, principal: Reader
) -> RuleVersionsPublic:
    """Every version of the fund's rules, oldest first; each is in force from its date
    until the next one's."""
    fund = await service.get(session, fund_id, principal)
    versions = await service.rule_versions(session, fund.id)
    return RuleVersionsPublic(items=[RuleVersionPublic.of(v) for v in versions])


@router.post(
    "/{fund_id}/rule-versions",
    response_model=RuleVersionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {**NOT_FOUND, 409: "A version already takes effect that day", 422: "Invalid rules"}
    ),
)
@idempotent
async def adopt_rules(
    fund_id: uuid.UUID,
    body: RuleVersionCreate,
    session: SessionDep,
    principal: Writer,
    request: Request,
) -> RuleVersionPublic:
    """Rules the members adopted (benefits, amounts, waiting periods, yearly caps, amounts
    by years of membership), in force from ``effective_from``. Claims are judged by the
    version in force on their event's date."""
    fund = await service.get(session, fund_id, principal)
    version = await service.adopt_rules(session, fund, body)
    audit_resource(request, "welfare-funds", fund.id)
    return RuleVersionPublic.of(version)


@router.post(
    "/{fund_id}/income",
    response_model=FundPublic,
    responses=problem_responses(
        {**NOT_FOUND, 409: "The reference is already booked", 422: "Invalid input"}
    ),
)
@idempotent
async def receive_income(
    fund_id: uuid.UUID, body: OtherIncome, session: SessionDep, principal: Writer
) -> FundPublic:
    """Other income into the fund (donations, interest), once per reference."""
    fund = await service.get(session, fund_id, principal)
    return FundPublic.of(await service.receive_income(session, fund, body))
