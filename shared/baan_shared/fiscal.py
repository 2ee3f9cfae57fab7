"""The Thai government fiscal year: 1 October to 30 September, named by the
Buddhist-Era year in which it ends (B.E. = C.E. + 543). FY 2562 = Oct 2018 - Sep 2019."""

from datetime import date, datetime

from baan_shared.clock import thai_date

BUDDHIST_ERA_OFFSET = 543


def fiscal_year_be(day: date) -> int:
    ending_ce = day.year + 1 if day.month >= 10 else day.year
    return ending_ce + BUDDHIST_ERA_OFFSET


def fiscal_half(day: date) -> int:
    """1 for October-March, 2 for April-September."""
    return 1 if day.month >= 10 or day.month <= 3 else 2


def fiscal_year_at(moment: datetime) -> int:
    """The fiscal year of an instant, turning at midnight Thai time on 1 October."""
    return fiscal_year_be(thai_date(moment))
