"""Geography for reports: CODI's regional offices and the official areas they serve.

The office map (which provinces each regional office serves) is the agency's
one map in ``baan_shared.reference``, so a target set for a region, a budget
allocated to it and a report cut by it mean the same provinces. Area names, in
Thai and English, come from ``geothai`` (official DOPA codes), the same package
survey validates addresses with; districts and sub-districts need no table of
their own, because their codes start with their province's (district ``5701``
is in province ``57``).
"""

from dataclasses import dataclass
from functools import cache

import geothai

from baan_shared.errors import NotFound, invalid
from baan_shared.reference import COUNTRY_CODE, AreaLevel, regional_offices

# How finely a report or a target cuts the country: the one vocabulary every service
# and event uses (baan_shared.reference.AreaLevel).
__all__ = ["COUNTRY_CODE", "AreaLevel"]


@dataclass(frozen=True)
class Region:
    """One regional office (สำนักงานภาค)."""

    code: str
    name_th: str
    name_en: str
    provinces: tuple[str, ...]


@dataclass(frozen=True)
class Province:
    code: str
    name_th: str
    name_en: str
    region: str


@dataclass(frozen=True)
class OfficeMap:
    regions: dict[str, Region]
    provinces: dict[str, Province]

    def region_of(self, province_code: str) -> Region | None:
        province = self.provinces.get(province_code)
        return self.regions[province.region] if province else None


@cache
def office_map() -> OfficeMap:
    regions = {
        office.code: Region(office.code, office.name_th, office.name_en, office.province_codes)
        for office in regional_offices().values()
    }
    provinces = {}
    for region in regions.values():
        for code in region.provinces:
            found = geothai.province(code)
            if found is None:  # the agency's map names a code DOPA does not know
                raise ValueError(f"regional office {region.code} lists unknown province {code}")
            provinces[code] = Province(code, found.name_th, found.name_en, region.code)
    return OfficeMap(regions=regions, provinces=provinces)


def scope_of(
    region: str | None, province_code: str | None, district_code: str | None = None
) -> tuple[AreaLevel, str]:
    """The whole area a report asks for: the finest of its filters given (the country
    when none is)."""
    if district_code:
        return AreaLevel.DISTRICT, district_code
    if province_code:
        return AreaLevel.PROVINCE, province_code
    if region:
        return AreaLevel.REGION, region
    return AreaLevel.COUNTRY, COUNTRY_CODE


def check_area(region: str | None, province_code: str | None) -> None:
    """404 for an unknown region or province (any caller: the official lists are public);
    422 for a province outside the region named."""
    offices = office_map()
    if region is not None and region not in offices.regions:
        raise NotFound(f"No regional office {region}; one of {', '.join(offices.regions)}")
    if province_code is not None:
        found = offices.region_of(province_code)
        if found is None:
            raise NotFound(f"No province {province_code}")
        if region is not None and found.code != region:
            raise invalid(
                "query.province_code",
                f"province {province_code} is not in {region}",
                "province_code",
            )


def check_rows_level(level: AreaLevel, scope: AreaLevel) -> None:
    """422 for rows by an area coarser than the whole area asked for (``scope``)."""
    levels = list(AreaLevel)
    if levels.index(level) < levels.index(scope):
        raise invalid(
            "query.level",
            f"rows by {level.value} are coarser than the area asked for",
            "level",
        )


def place_at(level: AreaLevel, code: str | None) -> str | None:
    """The area at ``level`` that contains the official area ``code`` (province 2
    digits, district 4, sub-district 6)."""
    if code is None:
        return None
    if level == AreaLevel.COUNTRY:
        return COUNTRY_CODE
    if level == AreaLevel.REGION:
        region = office_map().region_of(code[:2])
        return region.code if region else None
    width = {AreaLevel.PROVINCE: 2, AreaLevel.DISTRICT: 4, AreaLevel.SUBDISTRICT: 6}[level]
    return code[:width] if len(code) >= width else None


def area_names(level: AreaLevel, code: str) -> tuple[str | None, str | None]:
    """Thai and English names of an area; (None, None) for a code no table knows."""
    offices = office_map()
    if level == AreaLevel.COUNTRY:
        return "ประเทศไทย", "Thailand"
    if level == AreaLevel.REGION and code in offices.regions:
        region = offices.regions[code]
        return region.name_th, region.name_en
    if level == AreaLevel.PROVINCE and code in offices.provinces:
        province = offices.provinces[code]
        return province.name_th, province.name_en
    area: geothai.District | geothai.Subdistrict | None = None
    if level == AreaLevel.DISTRICT:
        area = geothai.district(code)
    elif level == AreaLevel.SUBDISTRICT:
        area = geothai.subdistrict(code)
    return (area.name_th, area.name_en) if area is not None else (None, None)
