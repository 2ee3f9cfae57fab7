"""Where a budget applies and which one a household draws from, without a database."""

import pytest

from baan_shared.reference import Programme
from finance.budgets.areas import AreaError, BudgetLevel, agency_regions, areas_covering, check_area
from finance.budgets.lines import BudgetProgramme

REGIONS = {"BANGKOK_VICINITY_EAST": ["10", "11", "12", "13"], "NORTH": ["50", "57"]}


class TestCovering:
    def test_a_household_is_covered_from_its_tambon_up_to_the_country(self) -> None:
        assert areas_covering("10", "1005", "100502", REGIONS) == [
            (BudgetLevel.SUBDISTRICT, "100502"),
            (BudgetLevel.DISTRICT, "1005"),
            (BudgetLevel.PROVINCE, "10"),
            (BudgetLevel.REGION, "BANGKOK_VICINITY_EAST"),
            (BudgetLevel.COUNTRY, "TH"),
        ]

    def test_by_default_regions_are_the_agencys_offices(self) -> None:
        # Chiang Mai (50) is served by the North office, Khon Kaen (40) by the Northeast.
        assert (BudgetLevel.REGION, "N") in areas_covering("50", None, None)
        assert (BudgetLevel.REGION, "NE") in areas_covering("40", "4001", "400101")
        assert sorted(agency_regions()) == ["BVE", "CW", "N", "NE", "S"]

    def test_a_region_code_is_one_of_the_agencys_offices(self) -> None:
        assert check_area(BudgetLevel.REGION, "CW") == "CW"
        with pytest.raises(AreaError, match="BVE, CW, N, NE, S"):
            check_area(BudgetLevel.REGION, "NORTH")

    def test_missing_codes_and_unconfigured_regions_are_skipped(self) -> None:
        assert areas_covering("96", None, None, REGIONS) == [
            (BudgetLevel.PROVINCE, "96"),
            (BudgetLevel.COUNTRY, "TH"),
        ]


class TestAreaCodes:
    @pytest.mark.parametrize(
        ("level", "code"),
        [
            (BudgetLevel.PROVINCE, "100"),
            (BudgetLevel.DISTRICT, "10"),
            (BudgetLevel.SUBDISTRICT, "10050"),
            (BudgetLevel.SUBDISTRICT, "10050x"),
            (BudgetLevel.COUNTRY, "10"),
            (BudgetLevel.REGION, "ISAAN"),
        ],
    )
    def test_a_code_that_does_not_fit_its_level_is_refused(
        self, level: BudgetLevel, code: str
    ) -> None:
        with pytest.raises(AreaError):
            check_area(level, code, REGIONS)

    def test_a_national_budget_needs_no_code(self) -> None:
        assert check_area(BudgetLevel.COUNTRY, "", REGIONS) == "TH"
        assert check_area(BudgetLevel.REGION, "NORTH", REGIONS) == "NORTH"


def test_a_budget_may_pay_for_every_housing_programme_and_welfare_matches() -> None:
    assert {p.value for p in BudgetProgramme} == {p.value for p in Programme} | {"WELFARE_MATCH"}
