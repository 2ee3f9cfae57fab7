"""The shared reference data: every province served by exactly one regional office.

geothai (survey's dependency, present in the workspace) is the official list."""

import geothai

from baan_shared.reference import Programme, region_of_province, regional_offices


def test_every_official_province_belongs_to_exactly_one_office() -> None:
    listed = [code for office in regional_offices().values() for code in office.province_codes]
    official = {p.code for p in geothai.provinces()}

    assert len(listed) == len(set(listed)), "a province is listed under two offices"
    assert set(listed) == official


def test_bangkok_vicinity_includes_nakhon_pathom_and_samut_sakhon() -> None:
    # ปริมณฑล: the five provinces around Bangkok belong to the Bangkok office.
    for province in ("11", "12", "13", "73", "74"):
        office = region_of_province(province)
        assert office is not None and office.code == "BVE"
    assert region_of_province("99") is None


def test_programme_codes_are_the_ones_events_carry() -> None:
    assert Programme("CANAL") is Programme.CANAL
    assert {p.value for p in Programme} >= {"BAAN_MANKONG", "BAAN_PHO_PHIANG", "CANAL"}
