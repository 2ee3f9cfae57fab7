"""Reporting periods: a fiscal year (ปีงบประมาณ) or one of its halves, and its months.

FY 2562 runs 1 Oct 2018 - 30 Sep 2019; its first half is Oct 2561 - Mar 2562
(B.E.), its second Apr - Sep 2562. Periods turn at midnight Thai time, so an
event at 23:30 on 30 Sep in Bangkok belongs to the old year although it is
16:30 UTC. Labels carry both eras: "ปีงบประมาณ 2562 / FY2019".
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from baan_shared.fiscal import BUDDHIST_ERA_OFFSET

BANGKOK = ZoneInfo("Asia/Bangkok")

MONTHS_TH = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class PeriodKind(StrEnum):
    YEAR = "year"  # the whole fiscal year
    H1 = "h1"  # October - March
    H2 = "h2"  # April - September


def _thai_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), BANGKOK).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Thailand: "as of 30 Sep" includes all of that day."""
    return _thai_midnight(date.fromordinal(day.toordinal() + 1)) - timedelta(microseconds=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Month:
    first_day: date

    @property
    def key(self) -> str:
        return f"{self.first_day:%Y-%m}"

    @property
    def label_th(self) -> str:
        return f"{MONTHS_TH[self.first_day.month - 1]} {self.first_day.year + BUDDHIST_ERA_OFFSET}"

    @property
    def label_en(self) -> str:
        return f"{MONTHS_EN[self.first_day.month - 1]} {self.first_day.year}"

    @property
    def starts_at(self) -> datetime:
        return _thai_midnight(self.first_day)

    @property
    def ends_at(self) -> datetime:
        return _thai_midnight(_add_months(self.first_day, 1))


@dataclass(frozen=True)
class FiscalPeriod:
    """A fiscal year (B.E.) or one of its halves."""

    fiscal_year: int
    kind: PeriodKind = PeriodKind.YEAR

    @property
    def months(self) -> list[Month]:
        october = date(self.fiscal_year - BUDDHIST_ERA_OFFSET - 1, 10, 1)
        skip, count = {PeriodKind.YEAR: (0, 12), PeriodKind.H1: (0, 6), PeriodKind.H2: (6, 6)}[
            self.kind
        ]
        return [Month(_add_months(october, skip + n)) for n in range(count)]

    @property
    def starts_on(self) -> date:
        return self.months[0].first_day

    @property
    def ends_on(self) -> date:
        """The last day of the period (inclusive)."""
        return date.fromordinal(_add_months(self.months[-1].first_day, 1).toordinal() - 1)

    @property
    def starts_at(self) -> datetime:
        return self.months[0].starts_at

    @property
    def ends_at(self) -> datetime:
        """The instant after the period (exclusive)."""
        return self.months[-1].ends_at

    @property
    def range_th(self) -> str:
        return f"{self.months[0].label_th} - {self.months[-1].label_th}"

    @property
    def range_en(self) -> str:
        return f"{self.months[0].label_en} - {self.months[-1].label_en}"

    @property
    def label_th(self) -> str:
        year = f"ปีงบประมาณ {self.fiscal_year}"
        if self.kind == PeriodKind.YEAR:
            return year
        half = "ครึ่งปีแรก" if self.kind == PeriodKind.H1 else "ครึ่งปีหลัง"
        return f"{year} {half} ({self.range_th})"

    @property
    def label_en(self) -> str:
        year = f"FY{self.fiscal_year - BUDDHIST_ERA_OFFSET}"
        if self.kind == PeriodKind.YEAR:
            return year
        return f"{year} {self.kind.value.upper()} ({self.range_en})"
