"""/v1/reports/{report}/export: every report as a CSV or XLSX file.

Same filters as the report itself; ``format`` picks the file type. The targets
report has two tables: by area (``targets``) and by month (``targets-monthly``).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from baan_shared.auth import Principal, current_principal
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from reporting.access import REPORT_READS
from reporting.achievements import service as achievements
from reporting.achievements.router import TargetQueryDep
from reporting.exports import tables
from reporting.exports.formats import MEDIA_TYPES, ExportFormat, render
from reporting.money import service as money
from reporting.money.router import MoneyQueryDep
from reporting.reports import service as reports
from reporting.reports.router import FunnelQueryDep, ProgressQueryDep
from reporting.welfare import service as welfare
from reporting.welfare.router import WelfareQueryDep

router = APIRouter(
    dependencies=REPORT_READS,
    prefix="/v1/reports",
    tags=["exports"],
    responses=problem_responses(
        {404: "No such region or province", 422: "Invalid query; `errors` names each field"}
    ),
)

FormatQuery = Annotated[ExportFormat, Query(alias="format", description="csv or xlsx")]
FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as a file",
        "content": {media: {} for media in MEDIA_TYPES.values()},
    }
}


def _file(table: tables.Table, export_format: ExportFormat) -> Response:
    return Response(
        content=render(table, export_format),
        media_type=MEDIA_TYPES[export_format],
        headers={
            "Content-Disposition": f'attachment; filename="{table.name}.{export_format.value}"'
        },
    )


@router.get("/targets/export", responses=FILE, response_class=Response)
async def export_targets(
    session: SessionDep, query: TargetQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await achievements.target_report(session, query)
    return _file(tables.target_table(report), export_format)


@router.get("/targets/monthly/export", responses=FILE, response_class=Response)
async def export_target_months(
    session: SessionDep, query: TargetQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await achievements.target_report(session, query)
    return _file(tables.target_months_table(report), export_format)


@router.get("/money/export", responses=FILE, response_class=Response)
async def export_money(
    session: SessionDep, query: MoneyQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    return _file(tables.money_table(await money.money_report(session, query)), export_format)


@router.get("/progress/export", responses=FILE, response_class=Response)
async def export_progress(
    session: SessionDep, query: ProgressQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await reports.progress(session, query.where, query.filters)
    return _file(tables.progress_table(report), export_format)


@router.get("/funnel/export", responses=FILE, response_class=Response)
async def export_funnel(
    session: SessionDep, query: FunnelQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await reports.funnel(session, query.where, query.filters)
    return _file(tables.funnel_table(report), export_format)


@router.get("/freshness/export", responses=FILE, response_class=Response)
async def export_freshness(
    session: SessionDep,
    principal: Principal = Depends(current_principal),
    export_format: FormatQuery = ExportFormat.CSV,
) -> Response:
    report = await reports.freshness(session, principal)
    return _file(tables.freshness_table(report), export_format)


@router.get("/welfare/export", responses=FILE, response_class=Response)
async def export_welfare(
    session: SessionDep, query: WelfareQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await welfare.welfare_report(session, query)
    return _file(tables.welfare_table(report), export_format)
