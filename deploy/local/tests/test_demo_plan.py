"""The demo data set's plan (baan_local.demo.plan): fixed by its seed, every stage,
every programme in several provinces, every date in the past fiscal year. The
seeding itself runs against the real platform in tests/e2e/test_demo.py."""

from datetime import date

from baan_local.demo import demo_fiscal_year, plan


def test_the_plan_is_the_same_for_the_same_seed_and_covers_every_stage_and_programme() -> None:
    programmes = ["BAAN_MANKONG", "BAAN_PHO_PHIANG", "CANAL", "EMERGENCY", "HOMELESS"]
    first = plan(600, seed=7, fiscal_year=2569, programmes=programmes)
    assert first == plan(600, seed=7, fiscal_year=2569, programmes=reversed(programmes))
    assert first != plan(600, seed=8, fiscal_year=2569, programmes=programmes)
    assert {h.stage for h in first} == {"surveyed", "approved", "started", "completed"}
    assert {h.programme for h in first} == set(programmes)
    for programme in programmes:
        assert len({h.province_code for h in first if h.programme == programme}) >= 3
    assert len({h.national_id for h in first}) == 600
    # The next year's demo (a run after 1 October) is other households, not these again.
    next_year = plan(600, seed=7, fiscal_year=2570, programmes=programmes)
    assert not {h.national_id for h in first} & {h.national_id for h in next_year}
    assert not {h.head_name for h in first} & {h.head_name for h in next_year}
    assert min(h.decided_on for h in first) >= date(2025, 10, 1)  # FY 2569 began
    assert max(h.completed_on for h in first) <= date(2026, 9, 30)  # within FY 2569
    assert any(h.loan for h in first) and any(h.behind for h in first)


def test_the_demo_year_is_the_last_whole_one_so_every_date_is_past() -> None:
    assert demo_fiscal_year(date(2026, 12, 5)) == 2569  # FY 2570 began on 1 October 2026
    assert demo_fiscal_year(date(2026, 9, 30)) == 2568
