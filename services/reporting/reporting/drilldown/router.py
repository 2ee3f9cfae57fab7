"""/v1/reports/households: the households behind a figure."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from baan_shared.auth import Principal, current_principal
from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.reference import Programme
from reporting.access import REPORT_READS
from reporting.drilldown import service
from reporting.drilldown.schemas import HouseholdRecordPublic, HouseholdsPublic, Measure
from reporting.periods import PeriodKind
from reporting.projections.models import Stage

router = APIRouter(
    dependencies=REPORT_READS,
    prefix="/v1/reports",
    tags=["reports"],
    responses=problem_responses(
        {
            404: "No such region or province; no such household in the client's areas",
            422: "Invalid query; `errors` names each field",
        }
    ),
)

AREA = "or `unknown`: households whose area is not known"


def household_query(
    measure: Annotated[Measure, Query(description="Which figure: see the schema")] = (
        Measure.HOUSEHOLDS
    ),
    stage: Annotated[Stage | None, Query(description="At this stage (reached: or beyond)")] = None,
    programme: Annotated[Programme | None, Query(description="Only this programme")] = None,
    fiscal_year: Annotated[
        FiscalYearBE | None,
        Query(description="B.E.: of approval; with a measure in a period, that year"),
    ] = None,
    period: Annotated[
        PeriodKind | None, Query(description="year, h1 (Oct-Mar), h2 (Apr-Sep); needs fiscal_year")
    ] = None,
    month: Annotated[
        str | None,
        Query(pattern=r"^\d{4}-\d{2}$", description="One month of the period (YYYY-MM, C.E.)"),
    ] = None,
    as_of_date: Annotated[
        date | None, Query(description="Stages as they stood at the end of this day (Thai time)")
    ] = None,
    region: Annotated[
        str | None, Query(max_length=3, description="Regional office (BVE, N, CW, NE, S)")
    ] = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    district_code: Annotated[
        str | None, Query(pattern=r"^(\d{4}|unknown)$", description=f"4 digits, {AREA}")
    ] = None,
    subdistrict_code: Annotated[
        str | None, Query(pattern=r"^(\d{6}|unknown)$", description=f"6 digits, {AREA}")
    ] = None,
    principal: Principal = Depends(current_principal),
) -> service.HouseholdQuery:
    return service.HouseholdQuery(
        measure=measure,
        stage=stage,
        programme=programme.value if programme else None,
        fiscal_year=fiscal_year,
        period=period,
        month=month,
        as_of_date=as_of_date,
        region=region,
        province_code=province_code,
        district_code=district_code,
        subdistrict_code=subdistrict_code,
        principal=principal,
    )


HouseholdQueryDep = Annotated[service.HouseholdQuery, Depends(household_query)]


@router.get("/households", response_model=HouseholdsPublic)
async def households_behind_a_figure(
    session: SessionDep,
    query: HouseholdQueryDep,
    cursor: Annotated[str | None, Query(description="From the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> HouseholdsPublic:
    """The households behind a figure of any report, a page at a time: ``count`` is
    the figure. Every report row (and every cell of ``/v1/query``) links here with
    its filters in ``drill_down``. A client bound to areas sees only its households."""
    page = await service.households(session, query, after=decode_cursor(cursor), limit=limit)
    return HouseholdsPublic(
        as_of=page.as_of,
        count=page.count,
        items=page.items,
        next_cursor=encode_cursor(page.last) if page.last else None,
    )


@router.get("/households/{household_id}", response_model=HouseholdRecordPublic)
async def household_record(
    session: SessionDep,
    household_id: Annotated[uuid.UUID, Path(description="As listed by the drill-down")],
    principal: Principal = Depends(current_principal),
) -> HouseholdRecordPublic:
    """One household as reporting knows it: programme, areas by name, community,
    stage and the date of each step, grants approved and paid. The drill-down's
    households link here (the dashboard's household view). A client bound to areas
    gets for another area's household the answer a random id gets."""
    return await service.household_record(session, household_id, principal)
