"""Thai fiscal years: October starts the next Buddhist-Era year."""

from datetime import date

import pytest

from baan_shared.fiscal import fiscal_half, fiscal_year_be


@pytest.mark.parametrize(
    ("day", "year", "half"),
    [
        (date(2018, 10, 1), 2562, 1),  # first day of FY 2562
        (date(2019, 3, 31), 2562, 1),  # end of the half-year report in DOMAIN.md
        (date(2019, 4, 1), 2562, 2),
        (date(2019, 9, 30), 2562, 2),  # last day of FY 2562
        (date(2019, 10, 1), 2563, 1),
    ],
)
def test_fiscal_year_and_half(day: date, year: int, half: int) -> None:
    assert fiscal_year_be(day) == year
    assert fiscal_half(day) == half
