"""Area look-ups: plain functions over geothai's in-memory tables (no database).

``area_errors`` is the one check that household registration and the bulk
import share: each code must exist and nest in its parent.
"""

from typing import Annotated

import geothai
from pydantic import AfterValidator, Field

from baan_shared.errors import NotFound
from baan_shared.reference import region_of_province, regional_offices
from survey.areas.schemas import (
    AreaMatch,
    DistrictPublic,
    ProvincePublic,
    RegionPublic,
    SubdistrictPublic,
)

DATA_VERSION = geothai.DATA_VERSION


def regions() -> list[RegionPublic]:
    """The agency's regional offices, as every service reads them (baan_shared.reference)."""
    return [
        RegionPublic(
            code=office.code,
            name_th=office.name_th,
            name_en=office.name_en,
            province_codes=list(office.province_codes),
        )
        for office in regional_offices().values()
    ]


def region_of(province_code: str) -> str | None:
    office = region_of_province(province_code)
    return office.code if office is not None else None


def _province(p: geothai.Province) -> ProvincePublic:
    return ProvincePublic(
        code=p.code, name_th=p.name_th, name_en=p.name_en, region_code=region_of(p.code)
    )


def _district(d: geothai.District) -> DistrictPublic:
    return DistrictPublic(
        code=d.code, name_th=d.name_th, name_en=d.name_en, province_code=d.province_code
    )


def _subdistrict(s: geothai.Subdistrict) -> SubdistrictPublic:
    return SubdistrictPublic(
        code=s.code,
        name_th=s.name_th,
        name_en=s.name_en,
        district_code=s.district_code,
        province_code=s.province_code,
        postal_codes=list(s.postal_codes),
    )


def provinces(region_code: str | None = None) -> list[ProvincePublic]:
    found = [_province(p) for p in geothai.provinces()]
    return [p for p in found if region_code is None or p.region_code == region_code]


def province(code: str) -> ProvincePublic:
    found = geothai.province(code)
    if found is None:
        raise NotFound(f"no province has code {code}")
    return _province(found)


def districts(province_code: str) -> list[DistrictPublic]:
    province(province_code)
    return [_district(d) for d in geothai.districts(province_code)]


def district(code: str) -> DistrictPublic:
    found = geothai.district(code)
    if found is None:
        raise NotFound(f"no district has code {code}")
    return _district(found)


def subdistricts(district_code: str) -> list[SubdistrictPublic]:
    district(district_code)
    return [_subdistrict(s) for s in geothai.subdistricts(district_code)]


def subdistrict(code: str) -> SubdistrictPublic:
    found = geothai.subdistrict(code)
    if found is None:
        raise NotFound(f"no sub-district has code {code}")
    return _subdistrict(found)


def search(query: str, limit: int) -> list[AreaMatch]:
    return [
        AreaMatch(level=r.level, code=r.area.code, name_th=r.area.name_th, name_en=r.area.name_en)
        for r in geothai.search(query, limit=limit)
    ]


def province_error(code: str) -> str | None:
    return None if geothai.province(code) is not None else f"no province has code {code}"


def district_error(code: str, province_code: str | None) -> str | None:
    found = geothai.district(code)
    if found is None:
        return f"no district has code {code}"
    if province_code is not None and found.province_code != province_code:
        return f"district {code} is not in province {province_code}"
    return None


def subdistrict_error(code: str, district_code: str | None) -> str | None:
    found = geothai.subdistrict(code)
    if found is None:
        return f"no sub-district has code {code}"
    if district_code is not None and found.district_code != district_code:
        return f"sub-district {code} is not in district {district_code}"
    return None


def known_subdistrict(code: str) -> str:
    """A tambon code that exists (pydantic's validator for ``KnownSubdistrictCode``)."""
    reason = subdistrict_error(code, None)
    if reason is not None:
        raise ValueError(reason)
    return code


KnownSubdistrictCode = Annotated[str, Field(pattern=r"^\d{6}$"), AfterValidator(known_subdistrict)]
"""A tambon (sub-district) named in a request body: six digits, and a tambon that exists."""


def area_errors(province_code: str, district_code: str, subdistrict_code: str) -> dict[str, str]:
    """Field → reason for each code that is unknown or not inside its parent; empty if all fit."""
    checks = {
        "province_code": province_error(province_code),
        "district_code": district_error(district_code, province_code),
        "subdistrict_code": subdistrict_error(subdistrict_code, district_code),
    }
    return {field: reason for field, reason in checks.items() if reason is not None}
