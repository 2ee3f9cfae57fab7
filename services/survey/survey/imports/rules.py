"""The rules a survey sheet's row must meet, with reasons a surveyor can act on.

Plain functions and a checker over cell texts; no database. Each problem names
the column, the value as written and the rule it breaks, in English and Thai
(``"-500: must be 0 or more"``), never a validation library's wording. These
are the same rules as ``HouseholdCreate`` (the JSON API's schema), written out
so that a sheet of a million rows is checked at a few microseconds a row:
national IDs by their check digit, area codes against geothai's tables,
coded answers in Thai or English.
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import geothai

from baan_shared.reference import Programme
from survey.households.duplicates import duplicate_key
from survey.households.models import HouseCondition, LandTenure, Need, Sex
from survey.households.schemas import MAX_HOUSEHOLD_SIZE, HouseholdCreate

# Longest text each column holds (the households table's limits).
MAX_LENGTHS = {
    "head_name": 200,
    "phone": 20,
    "village": 200,
    "land_parcel_ref": 100,
    "notes": 4000,
}
# The JSON API's highest amount of money (satang), read from its schema.
MAX_SATANG: int = next(
    m.le for m in HouseholdCreate.model_fields["monthly_income_satang"].metadata if hasattr(m, "le")
)
_CODE_DIGITS = {"province_code": 2, "district_code": 4, "subdistrict_code": 6}
_SHOWN_CHARACTERS = 60


@dataclass(frozen=True, slots=True)
class Problem:
    """One cell that breaks one rule: the field, the value as written, the rule."""

    field: str
    value: str
    rule_en: str
    rule_th: str

    @property
    def reason(self) -> str:
        return f"{_shown(self.value)}: {self.rule_en}" if self.value else f"empty: {self.rule_en}"

    @property
    def reason_th(self) -> str:
        return f"{_shown(self.value)}: {self.rule_th}" if self.value else f"ว่าง: {self.rule_th}"


def _shown(value: str) -> str:
    if len(value) <= _SHOWN_CHARACTERS:
        return value
    return value[: _SHOWN_CHARACTERS - 1] + "…"


def key(text: str) -> str:
    """How answers and headers are compared: case and spacing do not matter."""
    return "".join(text.lower().split())


# Thai answers accepted for the coded columns, besides each code itself.
THAI_ANSWERS: dict[str, dict[str, str]] = {
    "programme": {
        "บ้านมั่นคง": Programme.BAAN_MANKONG,
        "บ้านพอเพียง": Programme.BAAN_PHO_PHIANG,
        "บ้านพอเพียงชนบท": Programme.BAAN_PHO_PHIANG,
        "บ้านมั่นคงชนบทในเขตปฏิรูปที่ดิน สปก.": Programme.LAND_REFORM,
        "สปก.": Programme.LAND_REFORM,
        "บ้านริมคลอง": Programme.CANAL,
        "ริมคลอง": Programme.CANAL,
        "ศูนย์พัฒนาศักยภาพคนไร้บ้าน": Programme.HOMELESS,
        "คนไร้บ้าน": Programme.HOMELESS,
        "ไฟไหม้ ไล่รื้อ ภัยพิบัติ": Programme.EMERGENCY,
        "ภัยพิบัติ": Programme.EMERGENCY,
    },
    "need": {
        "ซ่อมแซม": Need.REPAIR,
        "สร้างใหม่": Need.REBUILD,
        "สร้างบ้านใหม่": Need.NEW_BUILD,
        "ย้ายที่อยู่": Need.RELOCATION,
        "ย้าย": Need.RELOCATION,
    },
    "house_condition": {
        "ชำรุดทรุดโทรม": HouseCondition.DILAPIDATED,
        "วัสดุไม่มั่นคง": HouseCondition.NON_DURABLE,
        "ไม่เคยซ่อมแซม": HouseCondition.NEVER_REPAIRED,
        "ต้องสร้างใหม่": HouseCondition.MUST_REBUILD,
        "มั่นคงแข็งแรง": HouseCondition.SOUND,
    },
    "land_tenure": {
        "มีโฉนด": LandTenure.OWN_TITLE,
        "เอกสารสิทธิ์": LandTenure.OWN_TITLE,
        "เช่า": LandTenure.LEASE,
        "ได้รับอนุญาต": LandTenure.PERMITTED_USE,
        "ที่สาธารณะ": LandTenure.PUBLIC_LAND,
        "ไม่มีสิทธิ์": LandTenure.NO_RIGHTS,
    },
    "sex": {"หญิง": Sex.FEMALE, "ชาย": Sex.MALE, "อื่นๆ": Sex.OTHER, "อื่น ๆ": Sex.OTHER},
}
CODES: dict[str, type[Any]] = {
    "programme": Programme,
    "need": Need,
    "house_condition": HouseCondition,
    "land_tenure": LandTenure,
    "sex": Sex,
}
YES = ("ใช่", "มี", "yes", "y", "true", "t", "1", "on")
NO = ("ไม่ใช่", "ไม่มี", "no", "n", "false", "f", "0", "off")


def answers(field: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every accepted answer of a coded column (compared by ``key``) → its code."""
    found = {key(code.value): code.value for code in CODES[field]}
    found |= {key(thai): str(code) for thai, code in THAI_ANSWERS.get(field, {}).items()}
    if extra:
        found |= {key(name): str(code) for name, code in extra.items()}
    return found


def listed(field: str, extra: Mapping[str, str] | None = None) -> str:
    """The answers to name in a reason: the Thai ones first, then the codes."""
    thai = list(dict.fromkeys([*THAI_ANSWERS.get(field, {}), *(extra or {})]))
    return ", ".join([*thai, *(code.value for code in CODES[field])])


@functools.cache
def _areas() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """Provinces; district → its province; sub-district → its district (geothai)."""
    provinces = frozenset(p.code for p in geothai.provinces())
    districts = {d.code: d.province_code for p in provinces for d in geothai.districts(p)}
    subdistricts = {s.code: s.district_code for d in districts for s in geothai.subdistricts(d)}
    return provinces, districts, subdistricts


def national_id_problem(field: str, text: str) -> Problem | None:
    """A Thai national ID: 13 digits, not starting 0 or 9, the last a check digit."""
    digits = text.replace("-", "").replace(" ", "")
    if len(digits) != 13 or not digits.isdigit() or not digits.isascii():
        return Problem(field, text, "must be 13 digits", "ต้องเป็นตัวเลข 13 หลัก")
    if digits[0] in "09":
        return Problem(
            field,
            text,
            "a Thai national ID never starts with 0 or 9",
            "เลขประจำตัวประชาชนไม่ขึ้นต้นด้วย 0 หรือ 9",
        )
    total = sum((13 - i) * int(d) for i, d in enumerate(digits[:12]))
    if str((11 - total % 11) % 10) != digits[12]:
        return Problem(
            field,
            text,
            "the last digit (check digit) does not match the first 12: look for a mistyped digit",
            "เลขหลักสุดท้าย (เลขตรวจสอบ) ไม่ตรงกับ 12 หลักแรก: ตรวจดูตัวเลขที่พิมพ์ผิด",
        )
    return None


def compact_national_id(text: str) -> str:
    return text.replace("-", "").replace(" ", "")


def _baht(field: str, text: str) -> int | Problem:
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        return Problem(
            field,
            text,
            "not an amount in baht: write digits, e.g. 4500.50",
            "ไม่ใช่จำนวนเงินบาท: เขียนเป็นตัวเลข เช่น 4500.50",
        )
    satang = amount * 100
    if satang != satang.to_integral_value():
        return Problem(
            field, text, "baht with more than two decimals", "จำนวนบาทมีทศนิยมเกิน 2 ตำแหน่ง"
        )
    return int(satang)


def _satang(field: str, text: str) -> int | Problem:
    try:
        return int(text.replace(",", ""))
    except ValueError:
        return Problem(field, text, "not a whole number of satang", "ไม่ใช่จำนวนสตางค์ที่เป็นจำนวนเต็ม")


def _money(field: str, text: str) -> tuple[str, int | Problem]:
    """The satang field a money column fills, and its amount or its problem."""
    if field.endswith("_baht"):
        amount = _baht(field, text)
        name = field.removesuffix("_baht") + "_satang"
    else:
        amount, name = _satang(field, text), field
    if isinstance(amount, int):
        if amount < 0:
            return name, Problem(field, text, "must be 0 or more", "ต้องเป็น 0 หรือมากกว่า")
        if amount > MAX_SATANG:
            limit = f"{MAX_SATANG // 100:,}"
            return name, Problem(
                field, text, f"must be at most {limit} baht", f"ต้องไม่เกิน {limit} บาท"
            )
    return name, amount


def _whole(text: str, low: int, high: int) -> int | None:
    try:
        number = int(text)
    except ValueError:
        return None
    return number if low <= number <= high else None


class RowChecker:
    """Checks one household row at a time against every rule; keeps no state.

    ``programme_names`` adds the programme names an admin set (``GET
    /v1/programmes``) to the built-in Thai answers; ``programme`` fills rows
    whose sheet has no programme column.
    """

    def __init__(
        self,
        columns: Mapping[int, str],
        *,
        programme_names: Mapping[str, str] | None = None,
        programme: str | None = None,
    ) -> None:
        self.columns = list(columns.items())
        present = set(columns.values())
        # Where an empty required value is reported: the column the sheet has for it.
        self._required_at = {
            field: next((s for s in _SOURCES[field] if s in present), _SOURCES[field][-1])
            for field in REQUIRED_VALUES
        }
        self.default_programme = programme
        self.programme_names = dict(programme_names or {})
        self._answers = {
            field: answers(field, self.programme_names if field == "programme" else None)
            for field in ("programme", "need", "house_condition", "land_tenure")
        }
        self._provinces, self._districts, self._subdistricts = _areas()

    @property
    def answers_by_field(self) -> dict[str, dict[str, str]]:
        """Each coded column's accepted answers (as ``key`` compares them) → its code."""
        return self._answers

    def _coded(self, field: str, text: str) -> str | Problem:
        code = self._answers[field].get(key(text))
        if code is not None:
            return code
        extra = self.programme_names if field == "programme" else None
        accepted = listed(field, extra)
        return Problem(
            field,
            text,
            f"not one of the accepted answers: {accepted}",
            f"ไม่ใช่คำตอบที่รับได้: {accepted}",
        )

    def check(self, cells: list[str]) -> tuple[dict[str, Any], list[Problem]]:
        """The household's columns from one row, and every problem in it."""
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        texts: dict[str, str] = {}
        width = len(cells)
        for index, field in self.columns:
            text = cells[index] if index < width else ""
            if text:
                texts[field] = text
        if "programme" not in texts and self.default_programme is not None:
            values["programme"] = self.default_programme
        for field, text in texts.items():
            if field in self._answers:
                coded = self._coded(field, text)
                if isinstance(coded, Problem):
                    problems.append(coded)
                else:
                    values[field] = coded
            elif field.endswith(("_baht", "_satang")):
                name, amount = _money(field, text)
                if isinstance(amount, Problem):
                    problems.append(amount)
                else:
                    values[name] = amount
            elif field == "national_id":
                problem = national_id_problem(field, text)
                if problem is not None:
                    problems.append(problem)
                else:
                    values[field] = compact_national_id(text)
            elif field == "household_size":
                size = _whole(text, 1, MAX_HOUSEHOLD_SIZE)
                if size is None:
                    problems.append(
                        Problem(
                            field,
                            text,
                            f"must be a whole number from 1 to {MAX_HOUSEHOLD_SIZE}",
                            f"ต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง {MAX_HOUSEHOLD_SIZE}",
                        )
                    )
                else:
                    values[field] = size
            elif field in _CODE_DIGITS:
                continue  # below, each against its parent
            else:
                limit = MAX_LENGTHS.get(field)
                if limit is not None and len(text) > limit:
                    problems.append(
                        Problem(
                            field,
                            text,
                            f"at most {limit} characters (this has {len(text)})",
                            f"ยาวได้ไม่เกิน {limit} ตัวอักษร (มี {len(text)})",
                        )
                    )
                else:
                    values[field] = text
        self._check_areas(texts, values, problems)
        for field in REQUIRED_VALUES:
            if field not in values and not any(p.field in _SOURCES[field] for p in problems):
                problems.append(
                    Problem(self._required_at[field], "", "must be filled in", "ต้องกรอกช่องนี้")
                )
        if not problems:
            values["duplicate_key"] = duplicate_key(
                values["head_name"], values["subdistrict_code"], values.get("village")
            )
        return values, problems

    def _check_areas(
        self, texts: dict[str, str], values: dict[str, Any], problems: list[Problem]
    ) -> None:
        parent: str | None = None
        for field, digits in _CODE_DIGITS.items():
            text = texts.get(field)
            if text is None:
                parent = None
                continue
            if len(text) != digits or not text.isdigit() or not text.isascii():
                problems.append(
                    Problem(field, text, f"must be {digits} digits", f"ต้องเป็นตัวเลข {digits} หลัก")
                )
                parent = None
                continue
            problem = self._area_problem(field, text, parent)
            if problem is not None:
                problems.append(problem)
                # A code is checked against its parent only when the parent passed.
                parent = None
                continue
            values[field] = text
            parent = text

    def _area_problem(self, field: str, code: str, parent: str | None) -> Problem | None:
        if field == "province_code":
            if code in self._provinces:
                return None
            return Problem(field, code, f"no province has code {code}", f"ไม่มีจังหวัดรหัส {code}")
        if field == "district_code":
            found = self._districts.get(code)
            if found is None:
                return Problem(field, code, f"no district has code {code}", f"ไม่มีอำเภอรหัส {code}")
            if parent is not None and found != parent:
                return Problem(
                    field,
                    code,
                    f"district {code} is not in province {parent}",
                    f"อำเภอ {code} ไม่อยู่ในจังหวัด {parent}",
                )
            return None
        found = self._subdistricts.get(code)
        if found is None:
            return Problem(field, code, f"no sub-district has code {code}", f"ไม่มีตำบลรหัส {code}")
        if parent is not None and found != parent:
            return Problem(
                field,
                code,
                f"sub-district {code} is not in district {parent}",
                f"ตำบล {code} ไม่อยู่ในอำเภอ {parent}",
            )
        return None


# The household columns every row needs, and the sheet columns that can fill each.
REQUIRED_VALUES = (
    "programme",
    "head_name",
    "national_id",
    "province_code",
    "district_code",
    "subdistrict_code",
    "household_size",
    "monthly_income_satang",
    "need",
    "estimated_cost_satang",
)
_SOURCES: dict[str, tuple[str, ...]] = {
    field: (field,) for field in REQUIRED_VALUES if not field.endswith("_satang")
} | {
    "monthly_income_satang": ("monthly_income_satang", "monthly_income_baht"),
    "estimated_cost_satang": ("estimated_cost_satang", "estimated_cost_baht"),
}


def check_member(values: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """One member row (age, sex, disability, chronic illness) → its columns and problems."""
    member: dict[str, Any] = {"disability": False, "chronic_illness": False}
    problems: list[Problem] = []
    age_text = values.get("age", "")
    age = _whole(age_text, 0, 130) if age_text else None
    if age is None:
        problems.append(
            Problem(
                "age",
                age_text,
                "must be a whole number of years from 0 to 130",
                "ต้องเป็นจำนวนปีเต็มตั้งแต่ 0 ถึง 130",
            )
        )
    else:
        member["age"] = age
    sex_text = values.get("sex", "")
    sex = answers("sex").get(key(sex_text)) if sex_text else None
    if sex is None:
        accepted = listed("sex")
        rule_en = f"not one of the accepted answers: {accepted}"
        rule_th = f"ไม่ใช่คำตอบที่รับได้: {accepted}"
        if not sex_text:
            rule_en, rule_th = "this column must be filled in", "ต้องกรอกช่องนี้"
        problems.append(Problem("sex", sex_text, rule_en, rule_th))
    else:
        member["sex"] = sex
    for field in ("disability", "chronic_illness"):
        text = values.get(field, "")
        if not text:
            continue
        if key(text) in YES:
            member[field] = True
        elif key(text) in NO:
            member[field] = False
        else:
            problems.append(
                Problem(field, text, "must be yes or no (ใช่ or ไม่ใช่)", "ต้องเป็น ใช่ หรือ ไม่ใช่")
            )
    return member, problems
