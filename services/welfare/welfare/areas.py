"""Where a fund lies: a tambon's (or a municipality seat's) official sub-district code,
checked against geothai's tables (as survey checks households), names its district
and province."""

import geothai

from baan_shared.reference import region_of_province


def place(subdistrict_code: str) -> tuple[str, str, str] | None:
    """(province, district, sub-district) of an official sub-district code, or ``None``."""
    found = geothai.subdistrict(subdistrict_code)
    if found is None:
        return None
    return found.province_code, found.district_code, found.code


def region_of(province_code: str) -> str | None:
    office = region_of_province(province_code)
    return office.code if office is not None else None
