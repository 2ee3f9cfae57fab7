"""Builders for valid survey input; tests override only what they are about."""

import itertools
from typing import Any

from stdnum.th import pin

_serial = itertools.count(1)


def national_id(seed: int | None = None) -> str:
    base = f"{1_1017_00000_00 + (seed if seed is not None else next(_serial)):012d}"
    return base + pin.calc_check_digit(base)


def household_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme": "BAAN_PHO_PHIANG",
        "head_name": "นางสมศรี ใจดี",
        "national_id": national_id(),
        "province_code": "57",
        "district_code": "5701",
        "subdistrict_code": "570101",
        "village": "หมู่ 3 บ้านสันทราย",
        "household_size": 4,
        "monthly_income_satang": 450_000,
        "need": "repair",
        "estimated_cost_satang": 2_000_000,
    }
    body.update(overrides)
    return body
