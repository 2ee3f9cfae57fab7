"""The regional office map (the shared reference), area names and fiscal periods."""

from datetime import UTC, datetime

from reporting.geography import AreaLevel, area_names, office_map
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
        assert offices.region_of("10").name_en == "Bangkok, vicinity and East"

    def test_nakhon_pathom_is_served_by_the_same_office_as_in_every_other_service(self) -> None:
        # One map for the whole platform: a target for BVE covers the provinces a
        # budget allocated to BVE covers.
        from baan_shared.reference import region_of_province

        for code in office_map().provinces:
            office = region_of_province(code)
            assert office is not None and office_map().region_of(code).code == office.code
        assert office_map().region_of("73").code == "BVE"


class TestAreaNames:
    def test_every_level_down_to_the_subdistrict_is_named_in_thai_and_english(self) -> None:
        assert area_names(AreaLevel.PROVINCE, "57") == ("เชียงราย", "Chiang Rai")
        assert area_names(AreaLevel.DISTRICT, "1038") == ("เขตลาดพร้าว", "Lat Phrao")
        assert area_names(AreaLevel.SUBDISTRICT, "103801") == ("ลาดพร้าว", "Lat Phrao")

    def test_a_code_no_table_knows_has_no_name(self) -> None:
        assert area_names(AreaLevel.DISTRICT, "9999") == (None, None)


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
