"""Where a budget applies (พื้นที่งบประมาณ), and which budget a household draws from.

Plain rules, no database. A budget is allocated to one area at one level:
the whole country, a regional office, a province, a district, a sub-district
(official Thai codes: province 2 digits, district 4, sub-district 6) or one
construction project (its id, as construction publishes it on house events).
A household draws from the most specific budget that covers it, so a
project's own budget is used before its tambon's, a tambon's before its
province's, and the province's before the country's. Regions are not in the
official codes: which provinces a regional office covers is the agency's own
map in ``baan_shared.reference`` (codes BVE, N, CW, NE, S), the same one survey
and reporting cut by.
"""

import re
import uuid
from collections.abc import Mapping, Sequence
from enum import StrEnum
from functools import cache
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from baan_shared.reference import (
    COUNTRY_CODE,
    DEPRECATED_LEVELS,
    AreaLevel,
    current_level,
    regional_offices,
)

Regions = Mapping[str, Sequence[str]]


@cache
def agency_regions() -> Regions:
    """Each regional office's code and the province codes it serves."""
    return {code: office.province_codes for code, office in regional_offices().items()}


class BudgetLevel(StrEnum):
    """Where a budget applies: the area levels' one vocabulary
    (``baan_shared.reference.AreaLevel``, same words) and a construction project."""

    PROJECT = "project"  # โครงการ: the houses built together under one project
    SUBDISTRICT = AreaLevel.SUBDISTRICT.value  # ตำบล
    DISTRICT = AreaLevel.DISTRICT.value  # อำเภอ
    PROVINCE = AreaLevel.PROVINCE.value  # จังหวัด
    REGION = AreaLevel.REGION.value  # สำนักงานภาค
    COUNTRY = AreaLevel.COUNTRY.value  # ทั้งประเทศ (once "national": see current_level)


BUDGET_LEVEL_INPUT = [*(level.value for level in BudgetLevel), *sorted(DEPRECATED_LEVELS)]
"""Every word the budgets API takes for a level: the vocabulary and its deprecated
aliases (``national``, answered as ``country``)."""

BudgetLevelIn = Annotated[
    BudgetLevel,
    BeforeValidator(current_level),
    WithJsonSchema(
        {
            "type": "string",
            "enum": BUDGET_LEVEL_INPUT,
            "title": "BudgetLevelIn",
            "description": "project, subdistrict, district, province, region or country. "
            "national is a deprecated alias of country: still accepted, answered and "
            "stored as country (docs/contracts.md, Area levels)",
        },
        mode="validation",
    ),
]
"""A budget level on input: the old word taken for the new one."""


# Most specific first: the order a household's budget is looked for in.
SPECIFICITY: tuple[BudgetLevel, ...] = (
    BudgetLevel.PROJECT,
    BudgetLevel.SUBDISTRICT,
    BudgetLevel.DISTRICT,
    BudgetLevel.PROVINCE,
    BudgetLevel.REGION,
    BudgetLevel.COUNTRY,
)

_CODE_DIGITS = {BudgetLevel.PROVINCE: 2, BudgetLevel.DISTRICT: 4, BudgetLevel.SUBDISTRICT: 6}


class AreaError(ValueError):
    """An area code that does not fit its level."""


def check_area(level: BudgetLevel, code: str, regions: Regions | None = None) -> str:
    """The area's code as stored; refuse a code that does not fit the level."""
    regions = agency_regions() if regions is None else regions
    if level is BudgetLevel.COUNTRY:
        if code not in ("", COUNTRY_CODE):
            raise AreaError(f"the country's budget's area code is {COUNTRY_CODE!r}")
        return COUNTRY_CODE
    if level is BudgetLevel.PROJECT:
        try:
            return str(uuid.UUID(code))
        except ValueError as exc:
            raise AreaError("a project budget's area code is the project's id (a UUID)") from exc
    if level is BudgetLevel.REGION:
        if code not in regions:
            known = ", ".join(sorted(regions)) or "none configured"
            raise AreaError(f"unknown region {code!r} (known: {known})")
        return code
    digits = _CODE_DIGITS[level]
    if not re.fullmatch(rf"\d{{{digits}}}", code):
        raise AreaError(f"a {level.value} code is {digits} digits")
    return code


def areas_covering(
    province_code: str,
    district_code: str | None,
    subdistrict_code: str | None,
    regions: Regions | None = None,
    project_id: uuid.UUID | None = None,
) -> list[tuple[BudgetLevel, str]]:
    """Every area a household in this place (and project) belongs to, most specific first."""
    regions = agency_regions() if regions is None else regions
    found: list[tuple[BudgetLevel, str]] = []
    if project_id is not None:
        found.append((BudgetLevel.PROJECT, str(project_id)))
    if subdistrict_code:
        found.append((BudgetLevel.SUBDISTRICT, subdistrict_code))
    if district_code:
        found.append((BudgetLevel.DISTRICT, district_code))
    found.append((BudgetLevel.PROVINCE, province_code))
    found += [
        (BudgetLevel.REGION, region)
        for region, provinces in sorted(regions.items())
        if province_code in provinces
    ]
    found.append((BudgetLevel.COUNTRY, COUNTRY_CODE))
    return found


def official_codes(level: BudgetLevel, code: str) -> tuple[str | None, str | None, str | None]:
    """The (province, district, sub-district) codes a budget's area names, for
    partner-access checks. The country's, regional and project budgets name none:
    only national clients see them (a region is the agency's map, not an official code)."""
    if level is BudgetLevel.PROVINCE:
        return code, None, None
    if level is BudgetLevel.DISTRICT:
        return code[:2], code, None
    if level is BudgetLevel.SUBDISTRICT:
        return code[:2], code[:4], code
    return None, None, None
