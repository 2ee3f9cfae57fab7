"""The regional office map (agency configuration) and fiscal periods."""

from datetime import UTC, datetime

from reporting.geography import office_map
from reporting.periods import FiscalPeriod, PeriodKind


class TestOfficeMap:
    def test_every_one_of_the_77_provinces_belongs_to_exactly_one_of_five_offices(self) -> None:
        offices = office_map()
        listed = [code for region in offices.regions.values() for code in region.provinces]
        assert len(offices.regions) == 5
        assert len(listed) == len(set(listed)) == 77

    def test_chiang_rai_is_served_by_the_north_and_bangkok_by_bangkok_vicinity_east(
        self,
    ) -> None:
        offices = office_map()
        assert offices.region_of("57").name_en == "North"
        assert offices.region_of("10").name_en == "Bangkok-vicinity-East"


class TestFiscalPeriods:
    def test_fy_2562_is_labelled_in_both_eras(self) -> None:
        year = FiscalPeriod(2562)
        assert (year.label_th, year.label_en) == ("ปีงบประมาณ 2562", "FY2019")
        assert (str(year.starts_on), str(year.ends_on)) == ("2018-10-01", "2019-09-30")

    def test_the_first_half_runs_october_to_march(self) -> None:
        half = FiscalPeriod(2562, PeriodKind.H1)
        assert half.range_th == "ต.ค. 2561 - มี.ค. 2562"
        assert half.range_en == "Oct 2018 - Mar 2019"
        assert FiscalPeriod(2562, PeriodKind.H2).months[0].label_en == "Apr 2019"

    def test_the_year_turns_at_midnight_in_bangkok_not_in_utc(self) -> None:
        half = FiscalPeriod(2562, PeriodKind.H1)
        assert half.starts_at == datetime(2018, 9, 30, 17, 0, tzinfo=UTC)
        assert half.ends_at == datetime(2019, 3, 31, 17, 0, tzinfo=UTC)
