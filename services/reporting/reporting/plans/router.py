"""/v1/reports/plans: adopted tambon plans against target against achieved, and its export."""

from fastapi import APIRouter, Response

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from reporting.access import REPORT_READS
from reporting.achievements.router import TargetQueryDep
from reporting.exports.formats import ExportFormat
from reporting.exports.responses import FILE, FormatQuery, file_response
from reporting.exports.tables import Column, Table
from reporting.plans import service
from reporting.plans.schemas import PlanReport

router = APIRouter(
    dependencies=REPORT_READS,
    prefix="/v1/reports",
    tags=["reports"],
    responses=problem_responses(
        {404: "No such region or province", 422: "Invalid query; `errors` names each field"}
    ),
)

COLUMNS = [
    Column("programme", "โครงการ", "Programme"),
    Column("area_level", "ระดับพื้นที่", "Area level"),
    Column("area_code", "รหัสพื้นที่", "Area code"),
    Column("area_name_th", "ชื่อพื้นที่", "Area name"),
    Column("planned_households", "แผน (ครัวเรือน)", "Planned households"),
    Column("planned_budget_satang", "งบประมาณตามแผน (สตางค์)", "Planned budget (satang)"),
    Column("tambons_planned", "ตำบลที่มีแผน", "Tambons planned"),
    Column("target", "เป้าหมาย", "Target"),
    Column("approved", "อนุมัติ", "Approved"),
    Column("completed", "แล้วเสร็จ", "Completed"),
    Column("completed_percent_of_plan", "ร้อยละแล้วเสร็จต่อแผน", "Completed % of plan"),
]


@router.get("/plans", response_model=PlanReport)
async def plan_report(session: SessionDep, query: TargetQueryDep) -> PlanReport:
    """Per programme × area at ``level``, for the fiscal year: households, budget and
    tambons in the adopted tambon plans (superseded versions no longer count), the
    target, and households approved and completed, with totals over the area asked for.
    Completed may exceed the plan: percentages are never capped."""
    return await service.plan_report(session, query)


@router.get("/plans/export", responses=FILE, response_class=Response)
async def export_plan_report(
    session: SessionDep, query: TargetQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await service.plan_report(session, query)
    table = Table(
        name=f"plans-{report.fiscal_year}-{report.level.value}",
        title_th=f"แผนตำบล เป้าหมาย และผลการดำเนินงาน ปีงบประมาณ {report.fiscal_year}",
        title_en=f"Tambon plans, targets and achievements, FY {report.fiscal_year} (B.E.)",
        as_of=report.as_of,
        columns=COLUMNS,
        rows=[
            [getattr(row, column.key) for column in COLUMNS] for row in report.rows + report.totals
        ],
    )
    return file_response(table, export_format)
