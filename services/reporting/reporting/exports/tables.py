"""Each report as one table: columns labelled in Thai and English, then its rows.

The figures are the report's own (the same service call the JSON endpoint
makes), so an export can never disagree with the API.
"""

from dataclasses import dataclass, field
from datetime import datetime

from reporting.achievements.schemas import TargetReport
from reporting.money.schemas import MoneyReport
from reporting.reports.schemas import FreshnessReport, FunnelReport, ProgressReport
from reporting.welfare.schemas import WelfareReport

Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    key: str
    th: str
    en: str

    @property
    def label(self) -> str:
        return f"{self.th} / {self.en}"


@dataclass
class Table:
    name: str  # file name, without extension
    title_th: str
    title_en: str
    as_of: datetime | None
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)


AREA = [
    Column("programme", "โครงการ", "Programme"),
    Column("area_level", "ระดับพื้นที่", "Area level"),
    Column("area_code", "รหัสพื้นที่", "Area code"),
    Column("area_name_th", "ชื่อพื้นที่", "Area name (Thai)"),
    Column("area_name_en", "ชื่อพื้นที่ (อังกฤษ)", "Area name"),
]
TARGET_FIGURES = [
    Column("target", "เป้าหมาย", "Target"),
    Column("approved", "อนุมัติ", "Approved"),
    Column("approved_percent", "อนุมัติ ร้อยละของเป้า", "Approved, % of target"),
    Column("started", "เริ่มก่อสร้าง", "Started"),
    Column("started_percent", "เริ่มก่อสร้าง ร้อยละของเป้า", "Started, % of target"),
    Column("completed", "แล้วเสร็จ", "Completed"),
    Column("completed_percent", "แล้วเสร็จ ร้อยละของเป้า", "Completed, % of target"),
    Column("subdistricts_reached", "ตำบลที่ดำเนินการ", "Sub-districts reached"),
    Column("communities_reached", "ชุมชนที่ดำเนินการ", "Communities reached"),
]
COUNTS = [
    Column("surveyed", "สำรวจแล้ว", "Surveyed"),
    Column("approved", "อนุมัติ", "Approved"),
    Column("ready_to_build", "พร้อมก่อสร้าง", "Ready to build"),
    Column("under_construction", "อยู่ระหว่างก่อสร้าง", "Under construction"),
    Column("completed", "แล้วเสร็จ", "Completed"),
    Column("waitlisted", "รอคิว", "Waitlisted"),
    Column("rejected", "ไม่ผ่านการคัดเลือก", "Rejected"),
    Column("cancelled", "ยกเลิก", "Cancelled"),
    Column("grant_approved_satang", "เงินอุดหนุนอนุมัติ (สตางค์)", "Grant approved (satang)"),
    Column("grant_disbursed_satang", "เงินอุดหนุนเบิกจ่าย (สตางค์)", "Grant disbursed (satang)"),
]
STAGES_TH = {
    "surveyed": "สำรวจแล้ว",
    "approved": "อนุมัติ",
    "ready_to_build": "พร้อมก่อสร้าง",
    "under_construction": "อยู่ระหว่างก่อสร้าง",
    "completed": "แล้วเสร็จ",
    "waitlisted": "รอคิว",
    "rejected": "ไม่ผ่านการคัดเลือก",
    "cancelled": "ยกเลิก",
}


def _values(item: object, columns: list[Column]) -> list[Cell]:
    return [getattr(item, c.key) for c in columns]


def target_table(report: TargetReport) -> Table:
    period = report.period
    table = Table(
        name=f"targets-{period.fiscal_year}-{period.period.value}-{report.level.value}",
        title_th=f"เป้าหมายเทียบผลการดำเนินงาน {period.label_th} (หน่วย: {report.unit.value})",
        title_en=f"Target against achieved, {period.label_en} (unit: {report.unit.value})",
        as_of=report.as_of,
        columns=[*AREA, *TARGET_FIGURES],
    )
    for row in [*report.rows, *report.totals]:
        cells = _values(row, table.columns)
        cells[1] = row.area_level.value
        table.rows.append(cells)
    return table


MONTH_COLUMNS = [
    Column("month", "เดือน", "Month"),
    Column("label_th", "เดือน (ไทย)", "Month (Thai)"),
    Column("label_en", "เดือน (อังกฤษ)", "Month (English)"),
    Column("approved", "อนุมัติ", "Approved"),
    Column("started", "เริ่มก่อสร้าง", "Started"),
    Column("completed", "แล้วเสร็จ", "Completed"),
    Column("approved_to_date", "อนุมัติสะสม", "Approved to date"),
    Column("started_to_date", "เริ่มก่อสร้างสะสม", "Started to date"),
    Column("completed_to_date", "แล้วเสร็จสะสม", "Completed to date"),
]


def target_months_table(report: TargetReport) -> Table:
    period = report.period
    return Table(
        name=f"targets-{period.fiscal_year}-{period.period.value}-monthly",
        title_th=f"ผลการดำเนินงานรายเดือน {period.label_th}",
        title_en=f"Achieved by month, {period.label_en}",
        as_of=report.as_of,
        columns=MONTH_COLUMNS,
        rows=[_values(month, MONTH_COLUMNS) for month in report.months],
    )


def progress_table(report: ProgressReport) -> Table:
    columns = [AREA[0], Column("province_code", "รหัสจังหวัด", "Province code"), *COUNTS]
    rows = [_values(row, columns) for row in report.rows]
    rows.append(["รวม / Total", None, *_values(report.totals, COUNTS)])
    return Table(
        name="progress",
        title_th="ความก้าวหน้าตามโครงการและจังหวัด",
        title_en="Progress by programme and province",
        as_of=report.as_of,
        columns=columns,
        rows=rows,
    )


def funnel_table(report: FunnelReport) -> Table:
    return Table(
        name="funnel",
        title_th="สถานะครัวเรือน",
        title_en="Household funnel",
        as_of=report.as_of,
        columns=[
            Column("stage", "สถานะ", "Stage"),
            Column("stage_th", "สถานะ (ไทย)", "Stage (Thai)"),
            Column("households", "ครัวเรือน ณ สถานะนี้", "Households at this stage"),
            Column("reached", "ครัวเรือนที่ถึงสถานะนี้", "Households that reached it"),
        ],
        rows=[
            [s.stage.value, STAGES_TH[s.stage.value], s.households, s.reached]
            for s in report.stages
        ],
    )


def freshness_table(report: FreshnessReport) -> Table:
    return Table(
        name="freshness",
        title_th="ความเป็นปัจจุบันของรายงาน",
        title_en="Report freshness",
        as_of=report.as_of,
        columns=[
            Column("stream", "สายเหตุการณ์", "Stream"),
            Column("last_event_time", "เหตุการณ์ล่าสุด (UTC)", "Last event time (UTC)"),
            Column("last_applied_at", "ประมวลผลล่าสุด (UTC)", "Last applied at (UTC)"),
            Column("events_applied", "จำนวนเหตุการณ์", "Events applied"),
        ],
        rows=[
            [
                s.stream,
                s.last_event_time.isoformat(),
                s.last_applied_at.isoformat(),
                s.events_applied,
            ]
            for s in report.streams
        ],
    )


MONEY_FIGURES = [
    Column("budget_allocated_satang", "งบประมาณจัดสรร (สตางค์)", "Budget allocated (satang)"),
    Column("grant_reserved_satang", "เงินอุดหนุนผูกพัน (สตางค์)", "Grants reserved (satang)"),
    Column("grant_disbursed_satang", "เงินอุดหนุนเบิกจ่าย (สตางค์)", "Grants disbursed (satang)"),
    Column("loans", "สินเชื่อ (สัญญา)", "Loans"),
    Column(
        "loan_principal_approved_satang", "สินเชื่ออนุมัติ (สตางค์)", "Loan principal approved (satang)"
    ),
    Column("loan_disbursed_satang", "สินเชื่อเบิกจ่าย (สตางค์)", "Loans disbursed (satang)"),
    Column("loan_repaid_satang", "ชำระคืนกองทุน (สตางค์)", "Repaid into the funds (satang)"),
    Column("loan_outstanding_satang", "สินเชื่อคงค้าง (สตางค์)", "Loans outstanding (satang)"),
    Column("loans_in_arrears", "สินเชื่อค้างชำระ (สัญญา)", "Loans in arrears"),
    Column("loan_overdue_satang", "ยอดค้างชำระ (สตางค์)", "Overdue (satang)"),
    Column(
        "loan_outstanding_in_arrears_satang",
        "คงค้างของสินเชื่อค้างชำระ (สตางค์)",
        "Outstanding of loans in arrears (satang)",
    ),
    Column("arrears_ratio_percent", "อัตราหนี้ค้างชำระ (ร้อยละ)", "Arrears ratio (%)"),
]
FUND_FIGURES = [
    Column("revolving_funds", "กองทุนหมุนเวียน (กองทุน)", "Revolving funds"),
    Column(
        "revolving_fund_balance_satang",
        "ยอดคงเหลือกองทุนหมุนเวียน (สตางค์)",
        "Revolving fund balance (satang)",
    ),
]


def money_table(report: MoneyReport) -> Table:
    year = f"{report.fiscal_year}" if report.fiscal_year else "all"
    year_th = f"ปีงบประมาณ {report.fiscal_year}" if report.fiscal_year else "ทุกปีงบประมาณ"
    year_en = f"FY{report.fiscal_year - 543}" if report.fiscal_year else "all fiscal years"
    table = Table(
        name=f"money-{year}-{report.level.value}",
        title_th=f"งบประมาณ เงินอุดหนุน สินเชื่อ และกองทุนหมุนเวียน {year_th}",
        title_en=f"Budgets, grants, loans and revolving funds, {year_en}",
        as_of=report.as_of,
        columns=[*AREA, *MONEY_FIGURES, *FUND_FIGURES],
    )
    money_columns = [*AREA, *MONEY_FIGURES]
    for row in [*report.rows, *report.totals]:
        cells = _values(row, money_columns) + [None] * len(FUND_FIGURES)
        cells[1] = row.area_level.value
        table.rows.append(cells)
    # Funds serve a place, not a programme: their rows leave the programme and the
    # programme figures empty, and the programme rows leave the fund figures empty.
    for fund in [*report.revolving_funds, report.revolving_funds_total]:
        cells = [None, fund.area_level.value, *_values(fund, AREA[2:])]
        cells += [None] * len(MONEY_FIGURES) + _values(fund, FUND_FIGURES)
        table.rows.append(cells)
    return table


WELFARE_FIGURES = [
    Column("funds", "กองทุน", "Funds"),
    Column("members", "สมาชิก", "Members"),
    Column("contributions_satang", "เงินสมทบของสมาชิก (สตางค์)", "Members' contributions (satang)"),
    Column("agency_match_satang", "เงินสมทบจากรัฐผ่าน พอช. (สตางค์)", "Agency match (satang)"),
    Column(
        "local_match_satang", "เงินสมทบจาก อปท. (สตางค์)", "Local administrations' match (satang)"
    ),
    Column("other_income_satang", "รายได้อื่น (สตางค์)", "Other income (satang)"),
    Column("benefits_paid_satang", "เงินจ่ายสวัสดิการ (สตางค์)", "Benefits paid (satang)"),
    Column("balance_satang", "เงินกองทุน (สตางค์)", "Money in the funds (satang)"),
    Column("people_helped", "ผู้รับสวัสดิการ (ราย)", "People helped"),
    Column("benefits", "การจ่ายสวัสดิการ (ครั้ง)", "Benefits paid (times)"),
]


def welfare_table(report: WelfareReport) -> Table:
    year = f"{report.fiscal_year}" if report.fiscal_year else "all"
    table = Table(
        name=f"welfare-{year}-{report.level.value}",
        title_th=f"กองทุนสวัสดิการชุมชน {report.label_th}",
        title_en=f"Community welfare funds, {report.label_en}",
        as_of=report.as_of,
        columns=[*AREA[1:], *WELFARE_FIGURES],
    )
    for row in [*report.rows, report.total]:
        cells = _values(row, table.columns)
        cells[0] = row.area_level.value
        table.rows.append(cells)
    return table
