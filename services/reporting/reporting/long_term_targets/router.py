"""/v1/long-term-targets: the national long-term targets and their history;
/v1/reports/long-term-targets (and /export): plan against target against reached."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from reporting.access import REPORT_READS, Reader, Writer
from reporting.exports.formats import ExportFormat
from reporting.exports.responses import FILE, FormatQuery, file_response
from reporting.exports.tables import Column, Table
from reporting.long_term_targets import service
from reporting.long_term_targets.schemas import (
    CODE_PATTERN,
    LongTermTargetHistory,
    LongTermTargetPublic,
    LongTermTargetReport,
    LongTermTargetSet,
    LongTermTargetsPublic,
)

router = APIRouter(tags=["long-term targets"])

Code = Annotated[
    str, Path(pattern=CODE_PATTERN, description="e.g. master-plan-20-year, rural-5-year")
]
CodeFilter = Annotated[str | None, Query(pattern=CODE_PATTERN, description="Only this target")]

COLUMNS = [
    Column("code", "รหัสเป้าหมาย", "Target code"),
    Column("name", "เป้าหมาย", "Target"),
    Column("fiscal_year", "ปีงบประมาณ", "Fiscal year"),
    Column("target", "เป้าหมาย (ครัวเรือน)", "Target (households)"),
    Column("planned", "แผนตำบล (ครัวเรือน)", "Planned (households)"),
    Column("reached", "ผลการดำเนินงาน", "Reached"),
    Column("reached_to_date", "ผลสะสม", "Reached to date"),
    Column("reached_percent_of_target", "ร้อยละของเป้าหมาย", "% of target"),
]


@router.put(
    "/v1/long-term-targets/{code}",
    response_model=LongTermTargetPublic,
    responses=problem_responses(
        {
            403: "The client is bound to areas: only a national client sets them",
            422: "The target is not valid; `errors` names each field",
        }
    ),
)
async def set_long_term_target(
    code: Code, body: LongTermTargetSet, session: SessionDep, principal: Writer
) -> LongTermTargetPublic:
    """Set a national long-term target: a new version when anything changed (the old
    ones stay, see `/history`); the version in force sent again changes nothing."""
    return await service.set_target(session, code, body, principal)


@router.get(
    "/v1/long-term-targets",
    response_model=LongTermTargetsPublic,
    responses=problem_responses({422: "Invalid query; `errors` names each field"}),
)
async def list_long_term_targets(session: SessionDep, principal: Reader) -> LongTermTargetsPublic:
    """The version in force of every target. A client bound to areas sees none: they
    are the country's figures."""
    return await service.in_force(session, principal)


@router.get(
    "/v1/long-term-targets/{code}/history",
    response_model=LongTermTargetHistory,
    responses=problem_responses({404: "No long-term target has this code"}),
)
async def long_term_target_history(
    code: Code, session: SessionDep, principal: Reader
) -> LongTermTargetHistory:
    """Every version of the target, newest first, with who set it and when."""
    return await service.history(session, code, principal)


@router.get(
    "/v1/reports/long-term-targets",
    response_model=LongTermTargetReport,
    dependencies=REPORT_READS,
    responses=problem_responses({422: "Invalid query; `errors` names each field"}),
)
async def long_term_target_report(
    session: SessionDep, principal: Reader, code: CodeFilter = None
) -> LongTermTargetReport:
    """Per target in force: households planned in adopted tambon plans and reached
    (as /v1/reports/cumulative counts them) over its span, against the target, and
    each fiscal year with the reached to date (the line toward the target).
    Percentages are never capped."""
    return await service.report(session, principal, code)


@router.get(
    "/v1/reports/long-term-targets/export",
    responses=FILE,
    response_class=Response,
    dependencies=REPORT_READS,
)
async def export_long_term_target_report(
    session: SessionDep,
    principal: Reader,
    code: CodeFilter = None,
    export_format: FormatQuery = ExportFormat.CSV,
) -> Response:
    report = await service.report(session, principal, code)
    rows: list[list[str | int | float | None]] = []
    for row in report.rows:
        target = row.target
        name = f"{target.name_th} / {target.name_en}"
        for year in row.years:
            rows.append(
                [target.code, name, year.fiscal_year, None, year.planned, year.reached,
                 year.reached_to_date, None]
            )  # fmt: skip
        rows.append(
            [target.code, name, f"{target.first_fiscal_year}-{target.last_fiscal_year}",
             target.households, row.planned, row.reached, row.reached,
             row.reached_percent_of_target]
        )  # fmt: skip
    table = Table(
        name="long-term-targets",
        title_th="เป้าหมายระยะยาว แผนตำบล และผลการดำเนินงาน",
        title_en="Long-term targets, tambon plans and achievements",
        as_of=None,
        columns=COLUMNS,
        rows=rows,
    )
    return file_response(table, export_format)
