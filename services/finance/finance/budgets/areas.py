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

from baan_shared.reference import regional_offices

NATIONAL_CODE = "TH"

Regions = Mapping[str, Sequence[str]]


@cache
def agency_regions() -> Regions:
    """Each regional office's code and the province codes it serves."""
    return {code: office.province_codes for code, office in regional_offices().items()}


class AreaLevel(StrEnum):
    PROJECT = "project"  # โครงการ: the houses built together under one project
    SUBDISTRICT = "subdistrict"  # ตำบล
    DISTRICT = "district"  # อำเภอ
    PROVINCE = "province"  # จังหวัด
    REGION = "region"  # สำนักงานภาค
    NATIONAL = "national"  # ทั้งประเทศ


# Most specific first: the order a household's budget is looked for in.
SPECIFICITY: tuple[AreaLevel, ...] = (
    AreaLevel.PROJECT,
    AreaLevel.SUBDISTRICT,
    AreaLevel.DISTRICT,
    AreaLevel.PROVINCE,
    AreaLevel.REGION,
    AreaLevel.NATIONAL,
)

_CODE_DIGITS = {AreaLevel.PROVINCE: 2, AreaLevel.DISTRICT: 4, AreaLevel.SUBDISTRICT: 6}


class AreaError(ValueError):
    """An area code that does not fit its level."""


def check_area(level: AreaLevel, code: str, regions: Regions | None = None) -> str:
    """The area's code as stored; refuse a code that does not fit the level."""
    regions = agency_regions() if regions is None else regions
    if level is AreaLevel.NATIONAL:
        if code not in ("", NATIONAL_CODE):
            raise AreaError(f"a national budget's area code is {NATIONAL_CODE!r}")
        return NATIONAL_CODE
    if level is AreaLevel.PROJECT:
        try:
            return str(uuid.UUID(code))
        except ValueError as exc:
            raise AreaError("a project budget's area code is the project's id (a UUID)") from exc
    if level is AreaLevel.REGION:
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
) -> list[tuple[AreaLevel, str]]:
    """Every area a household in this place (and project) belongs to, most specific first."""
    regions = agency_regions() if regions is None else regions
    found: list[tuple[AreaLevel, str]] = []
    if project_id is not None:
        found.append((AreaLevel.PROJECT, str(project_id)))
    if subdistrict_code:
        found.append((AreaLevel.SUBDISTRICT, subdistrict_code))
    if district_code:
        found.append((AreaLevel.DISTRICT, district_code))
    found.append((AreaLevel.PROVINCE, province_code))
    found += [
        (AreaLevel.REGION, region)
        for region, provinces in sorted(regions.items())
        if province_code in provinces
    ]
    found.append((AreaLevel.NATIONAL, NATIONAL_CODE))
    return found


def official_codes(level: AreaLevel, code: str) -> tuple[str | None, str | None, str | None]:
    """The (province, district, sub-district) codes a budget's area names, for
    partner-access checks. National, regional and project budgets name none: only
    national clients see them (a region is the agency's map, not an official code)."""
    if level is AreaLevel.PROVINCE:
        return code, None, None
    if level is AreaLevel.DISTRICT:
        return code[:2], code, None
    if level is AreaLevel.SUBDISTRICT:
        return code[:2], code[:4], code
    return None, None, None
