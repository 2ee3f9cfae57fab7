"""/v1/reports/welfare (and /export): community welfare funds by area and fiscal year,
and the funds and members behind each figure."""

import uuid
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from baan_shared.auth import Principal, current_principal
from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.pagination import decode_cursor, encode_cursor
from reporting.access import REPORT_READS
from reporting.exports import tables
from reporting.exports.formats import ExportFormat
from reporting.exports.responses import FILE, FormatQuery, file_response
from reporting.geography import AreaLevel
from reporting.welfare import service
from reporting.welfare.schemas import WelfareFundsPublic, WelfareMembersPublic, WelfareReport

router = APIRouter(
    dependencies=REPORT_READS,
    prefix="/v1/reports/welfare",
    responses=problem_responses(
        {404: "No such region or province", 422: "Invalid query; `errors` names each field"}
    ),
)

REGION = Query(max_length=3, description="Only this regional office (BVE, N, CW, NE, S)")


class Measure(StrEnum):
    MEMBERS = "members"  # memberships held (now, or at the fiscal year's end)
    PEOPLE_HELPED = "people_helped"  # members paid a benefit (ever, or in the fiscal year)


def welfare_query(
    fiscal_year: Annotated[
        FiscalYearBE | None,
        Query(description="B.E.: that year's flows, balance and members at its end"),
    ] = None,
    level: Annotated[AreaLevel, Query(description="One row per area at this level")] = (
        AreaLevel.REGION
    ),
    region: Annotated[str | None, REGION] = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    principal: Principal = Depends(current_principal),
) -> service.WelfareQuery:
    return service.WelfareQuery(
        fiscal_year=fiscal_year,
        level=level,
        region=region,
        province_code=province_code,
        principal=principal,
    )


WelfareQueryDep = Annotated[service.WelfareQuery, Depends(welfare_query)]


def list_query(
    fiscal_year: Annotated[FiscalYearBE | None, Query(description="B.E.")] = None,
    region: Annotated[str | None, REGION] = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    district_code: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    principal: Principal = Depends(current_principal),
) -> service.ListQuery:
    return service.ListQuery(
        fiscal_year=fiscal_year,
        region=region,
        province_code=province_code,
        district_code=district_code,
        subdistrict_code=subdistrict_code,
        principal=principal,
    )


ListQueryDep = Annotated[service.ListQuery, Depends(list_query)]
Cursor = Annotated[str | None, Query(description="From the previous page")]
Limit = Annotated[int, Query(ge=1, le=1000)]


@router.get("", response_model=WelfareReport, tags=["reports"])
async def welfare_report(session: SessionDep, query: WelfareQueryDep) -> WelfareReport:
    """Per area: funds, members, money in the funds (contributions, matches, other
    income, benefits paid, balance), people helped and benefits paid; now, or for a
    fiscal year (its flows, the balance and members at its end). Only the caller's
    areas count; each figure links to the funds or members behind it."""
    return await service.welfare_report(session, query)


@router.get("/export", responses=FILE, response_class=Response, tags=["exports"])
async def export_welfare(
    session: SessionDep, query: WelfareQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await service.welfare_report(session, query)
    return file_response(tables.welfare_table(report), export_format)


@router.get("/funds", response_model=WelfareFundsPublic, tags=["reports"])
async def welfare_funds(
    session: SessionDep, query: ListQueryDep, cursor: Cursor = None, limit: Limit = 100
) -> WelfareFundsPublic:
    """The funds behind a figure, each with its books' totals now (the fund balance
    report), a page at a time: ``count`` is the figure. With ``fiscal_year``: the
    funds registered by its end."""
    fresh, count, items = await service.funds(
        session, query, after=decode_cursor(cursor), limit=limit
    )
    more = len(items) == limit
    return WelfareFundsPublic(
        as_of=fresh,
        count=count,
        items=items,
        next_cursor=encode_cursor(items[-1].welfare_fund_id) if more and items else None,
    )


@router.get("/members", response_model=WelfareMembersPublic, tags=["reports"])
async def welfare_members(
    session: SessionDep,
    query: ListQueryDep,
    measure: Annotated[Measure, Query(description="Which figure: see the schema")] = (
        Measure.MEMBERS
    ),
    fund_id: Annotated[uuid.UUID | None, Query(description="Only this fund's")] = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> WelfareMembersPublic:
    """The memberships behind ``members`` (held now, or at the fiscal year's end) or
    ``people_helped`` (paid a benefit, ever or in the fiscal year), a page at a time:
    ``count`` is the figure. Never a national ID or a name."""
    fresh, count, items = await service.members(
        session,
        query,
        measure=measure.value,
        fund_id=fund_id,
        after=decode_cursor(cursor),
        limit=limit,
    )
    more = len(items) == limit
    return WelfareMembersPublic(
        as_of=fresh,
        count=count,
        items=items,
        next_cursor=encode_cursor(items[-1].member_id) if more and items else None,
    )
