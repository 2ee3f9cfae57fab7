"""The dashboard's money table shows what the revolving funds hold (headless Chromium,
as in test_dashboard.py): the whole country's, then only the region drilled into."""

from pathlib import Path

from fastapi import FastAPI
from reporting_factories import apply_events
from test_dashboard import page
from test_revolving_fund_money import BAHT, Fund


async def test_the_money_table_shows_the_funds_balance_of_the_area_shown(
    app: FastAPI, tmp_path: Path
) -> None:
    chiang_rai, bangkok = Fund(), Fund(province_code="10", subdistrict_code="103801")
    await apply_events(app, [*chiang_rai.story(), *bangkok.story()])
    await apply_events(app, [bangkok.moved("deposit", 7_000 * BAHT)])

    country = await page(app, "/dashboard?fiscal_year=2562&period=h1", tmp_path)
    assert country.loaded == "yes"
    key = "revolving_fund_balance_satang"
    assert country.rows[f":{key}"][key] == "73,000.00"  # 33,000 + 40,000 THB

    north = await page(app, "/dashboard?fiscal_year=2562&period=h1&region=N", tmp_path)
    assert north.rows[f":{key}"][key] == "33,000.00"
