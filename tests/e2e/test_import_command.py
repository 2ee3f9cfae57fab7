"""`baan import SHEET` as ops and partners use it (issue 16): the sheet is uploaded,
the job followed to its end, and the error file written beside the sheet."""

import asyncio
import csv
import io
from pathlib import Path

import pytest
from platform_harness import Platform
from survey_feed import national_ids, survey_sheet

from baan_local.cli import main

national_id = national_ids(1_7716_0000_001)


@pytest.mark.timeout(300)
async def test_baan_import_uploads_follows_the_job_and_writes_the_error_file_beside_the_sheet(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = survey_sheet(
        "BAAN_MANKONG", "103801", 3, national_id=national_id, head_name="ครัวเรือนนำเข้า"
    ).decode()
    bad = f"BAAN_MANKONG,ครัวเรือนรายได้ติดลบ,{national_id()},10,1038,103801,4,-500,rebuild,100000"
    sheet = tmp_path / "แบบสำรวจ.csv"
    sheet.write_text(rows + bad + "\n", encoding="utf-8")
    token = platform.issuer.token_for("baan-national")
    argv = ["import", str(sheet), "--imported-by", "ทีมสำรวจ"]
    argv += ["--survey", platform.url("survey"), "--token", token]

    assert await asyncio.to_thread(main, argv) == 0

    printed = capsys.readouterr()
    assert '"rows_imported": 3' in printed.out
    errors = tmp_path / "แบบสำรวจ.errors.csv"
    assert f"error file (1 problems, 1 rows not imported): {errors}" in printed.out
    lines = list(csv.DictReader(io.StringIO(errors.read_text(encoding="utf-8-sig"))))
    assert [(line["row"], line["column"], line["value"]) for line in lines] == [
        ("5", "monthly_income_baht", "-500")
    ]
    # The progress bar went to stderr, ending at every row of the sheet.
    assert "4/4" in printed.err


async def test_baan_import_of_a_refused_sheet_says_why_and_fails(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "picture.csv"
    sheet.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    token = platform.issuer.token_for("baan-national")
    argv = ["import", str(sheet), "--imported-by", "ทีมสำรวจ"]
    argv += ["--survey", platform.url("survey"), "--token", token]

    assert await asyncio.to_thread(main, argv) == 1

    printed = capsys.readouterr()
    assert "not a text CSV" in printed.out
    assert "survey answered 422" in printed.err
    assert not (tmp_path / "picture.errors.csv").exists()
