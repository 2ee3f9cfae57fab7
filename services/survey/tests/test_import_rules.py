"""The rules a sheet's row meets, as plain functions: no database, no app."""

import random

import pytest
from stdnum.th import pin
from survey_factories import THAI_HEADERS, household_body, sheet_row

from survey.households.schemas import HouseholdCreate
from survey.imports import sheet
from survey.imports.rules import RowChecker, check_member, national_id_problem

LIBRARY_WORDING = ("Value error", "Field required", "Input should be", "validation error")


def _checker() -> RowChecker:
    return RowChecker(sheet.map_headers(THAI_HEADERS))


def _cells(**overrides: object) -> list[str]:
    return [str(v) for v in sheet_row(**overrides)]


class TestNationalIds:
    def test_the_check_digit_agrees_with_python_stdnum_on_random_numbers(self) -> None:
        rng = random.Random(16)
        for _ in range(5_000):
            number = "".join(rng.choice("0123456789") for _ in range(13))
            assert (national_id_problem("national_id", number) is None) == pin.is_valid(number)
        for _ in range(2_000):
            base = f"{rng.randrange(1, 9)}{rng.randrange(10**11):011d}"
            valid = base + pin.calc_check_digit(base)
            assert national_id_problem("national_id", valid) is None
            assert (
                national_id_problem("national_id", f"{valid[:1]}-{valid[1:5]}-{valid[5:]}") is None
            )

    def test_a_mistyped_digit_names_the_value_and_the_check_digit_rule(self) -> None:
        problem = national_id_problem("national_id", "1101700000000")
        assert problem is not None
        assert problem.reason.startswith("1101700000000: the last digit (check digit)")
        assert "เลขตรวจสอบ" in problem.reason_th


class TestRows:
    def test_a_valid_row_gives_the_same_household_as_the_json_api(self) -> None:
        body = household_body(
            village="หมู่ 3", monthly_income_satang=450_050, estimated_cost_satang=2_000_000
        )
        values, problems = _checker().check(
            _cells(
                **{
                    "เลขประจำตัวประชาชน": body["national_id"],
                    "ชื่อหัวหน้าครัวเรือน": body["head_name"],
                }
            )
        )
        assert problems == []
        expected = HouseholdCreate.model_validate(body | {"house_condition": "dilapidated"})
        for field, value in expected.model_dump(exclude={"members"}).items():
            if value is not None:
                assert values[field] == value, field

    @pytest.mark.parametrize(
        ("header", "value", "reason"),
        [
            ("รายได้ต่อเดือน (บาท)", "-500", "-500: must be 0 or more"),
            ("รายได้ต่อเดือน (บาท)", "สี่พัน", "สี่พัน: not an amount in baht"),
            ("รายได้ต่อเดือน (บาท)", "12.345", "12.345: baht with more than two decimals"),
            ("จำนวนสมาชิก", "0", "0: must be a whole number from 1 to 50"),
            ("รหัสตำบล", "570199", "570199: no sub-district has code 570199"),
            ("รหัสตำบล", "100101", "100101: sub-district 100101 is not in district 5701"),
            ("รหัสจังหวัด", "5", "5: must be 2 digits"),
            ("ความต้องการ", "ทาสี", "ทาสี: not one of the accepted answers: ซ่อมแซม"),
            ("ชื่อหัวหน้าครัวเรือน", "", "empty: must be filled in"),
        ],
    )
    def test_each_problem_names_the_value_and_the_rule_in_english_and_thai(
        self, header: str, value: str, reason: str
    ) -> None:
        _, problems = _checker().check(_cells(**{header: value}))
        assert len(problems) == 1, problems
        field = sheet.map_headers([header])[0]
        assert problems[0].field == field
        assert problems[0].value == value
        assert problems[0].reason.startswith(reason)
        assert problems[0].reason_th.startswith(value or "ว่าง")
        assert problems[0].reason_th != problems[0].reason

    def test_no_reason_uses_a_validation_librarys_wording(self) -> None:
        bad = _cells(
            **{
                "โครงการ": "x",
                "เลขประจำตัวประชาชน": "12",
                "รหัสจังหวัด": "99",
                "รหัสอำเภอ": "abcd",
                "จำนวนสมาชิก": "สี่",
                "รายได้ต่อเดือน (บาท)": "-1",
                "ความต้องการ": "",
                "ค่าใช้จ่ายประมาณการ (บาท)": "1e400",
                "สภาพบ้าน": "ดี",
            }
        )
        _, problems = _checker().check(bad)
        assert len(problems) == 9
        for problem in problems:
            for wording in LIBRARY_WORDING:
                assert wording not in problem.reason

    def test_programme_names_given_by_an_admin_are_accepted(self) -> None:
        checker = RowChecker(
            sheet.map_headers(THAI_HEADERS), programme_names={"บ้านมั่นคงเมือง": "BAAN_MANKONG"}
        )
        values, problems = checker.check(_cells(**{"โครงการ": "บ้านมั่นคง เมือง"}))
        assert problems == []
        assert values["programme"] == "BAAN_MANKONG"


class TestMembers:
    def test_a_member_row_reports_every_problem_in_plain_words(self) -> None:
        _, problems = check_member({"age": "200", "sex": "ช", "disability": "maybe"})
        assert [p.reason for p in problems] == [
            "200: must be a whole number of years from 0 to 130",
            "ช: not one of the accepted answers: หญิง, ชาย, อื่นๆ, อื่น ๆ, female, male, other",
            "maybe: must be yes or no (ใช่ or ไม่ใช่)",
        ]

    def test_thai_yes_and_no_are_read(self) -> None:
        member, problems = check_member(
            {"age": "70", "sex": "หญิง", "disability": "ใช่", "chronic_illness": "ไม่มี"}
        )
        assert problems == []
        assert member == {"age": 70, "sex": "female", "disability": True, "chronic_illness": False}


class TestFiles:
    def test_a_png_named_csv_is_not_a_text_csv(self) -> None:
        png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256))
        with pytest.raises(sheet.SheetRefused, match="not a text CSV"):
            sheet.detect_format("survey.csv", png[: sheet.HEAD_BYTES])


class TestEvents:
    def test_the_outbox_payload_is_the_event_models_json(self) -> None:
        import uuid

        from baan_shared.clock import utcnow
        from baan_shared.events.catalog import HouseholdSurveyed
        from survey.imports.repository import surveyed_events

        now = utcnow()
        row = {
            "id": uuid.uuid4(),
            "household_size": 4,
            "programme": "CANAL",
            "province_code": "10",
            "district_code": "1001",
            "subdistrict_code": "100101",
            "community_id": uuid.uuid4(),
        }
        (event,) = surveyed_events([row], now)
        model = HouseholdSurveyed(
            household_id=row["id"],
            household_size=4,
            surveyed_at=now,
            programme="CANAL",
            province_code="10",
            district_code="1001",
            subdistrict_code="100101",
            community_id=row["community_id"],
        )
        assert event["payload"] == model.model_dump_json()
        assert (event["type"], event["aggregateid"]) == ("household.surveyed", str(row["id"]))
        assert event["dataschema"] == HouseholdSurveyed.dataschema()
