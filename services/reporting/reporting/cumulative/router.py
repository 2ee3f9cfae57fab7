"""/v1/historical-achievements and /v1/reports/cumulative: the long view."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from reporting.access import REPORT_READS, Reader, Writer
from reporting.cumulative import service
from reporting.cumulative.schemas import (
    CumulativeReport,
    HistoricalAchievementsLoaded,
    HistoricalAchievementsSet,
)
from reporting.exports.formats import ExportFormat
from reporting.exports.responses import FILE, FormatQuery, file_response
from reporting.exports.tables import Column, Table

router = APIRouter(
    tags=["long view"],
    responses=problem_responses({422: "Invalid input; `errors` names each field"}),
)

FromYear = Annotated[FiscalYearBE, Query(description="First fiscal year, B.E. (2546 = 2003)")]
ToYear = Annotated[FiscalYearBE, Query(description="Last fiscal year, B.E. (2565 = 2022)")]

COLUMNS = [
    Column("programme", "โครงการ", "Programme"),
    Column("communities", "ชุมชน", "Communities"),
    Column("tambons", "ตำบล", "Tambons"),
    Column("centres", "ศูนย์", "Centres"),
    Column("households", "ครัวเรือน", "Households"),
    Column("persons", "ราย", "Persons"),
    Column("reached", "ครัวเรือน/ราย", "Households/persons"),
]


@router.put(
    "/v1/historical-achievements",
    response_model=HistoricalAchievementsLoaded,
    responses=problem_responses({403: "Only a national client loads historical records"}),
)
async def load_historical_achievements(
    body: HistoricalAchievementsSet, session: SessionDep, principal: Writer
) -> HistoricalAchievementsLoaded:
    """Load what programmes reached before the platform counted (one record per
    programme × fiscal year × place); a record with the same key replaces the old one.
    All or nothing; national clients only."""
    return await service.load(session, body, principal)


@router.get("/v1/reports/cumulative", response_model=CumulativeReport, dependencies=REPORT_READS)
async def cumulative_report(
    session: SessionDep, principal: Reader, from_year: FromYear, to_year: ToYear
) -> CumulativeReport:
    """Per programme, from ``from_year`` to ``to_year``: communities, tambons, centres,
    households and persons reached, historical records added to the houses the
    platform saw completed; places counted once over both."""
    return await service.cumulative(session, from_year, to_year, principal)


@router.get(
    "/v1/reports/cumulative/export",
    responses=FILE,
    response_class=Response,
    dependencies=REPORT_READS,
)
async def export_cumulative_report(
    session: SessionDep,
    principal: Reader,
    from_year: FromYear,
    to_year: ToYear,
    export_format: FormatQuery = ExportFormat.CSV,
) -> Response:
    report = await service.cumulative(session, from_year, to_year, principal)
    rows = [[getattr(row, c.key) for c in COLUMNS] for row in report.rows]
    rows.append(["รวม / total", None, None, None, None, None, report.total])
    table = Table(
        name=f"cumulative-{from_year}-{to_year}",
        title_th=f"ผลการดำเนินงานสะสม ปี {from_year}-{to_year}",
        title_en=f"Cumulative achievements, FY {from_year}-{to_year} (B.E.)",
        as_of=None,
        columns=COLUMNS,
        rows=rows,
    )
    return file_response(table, export_format)
