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
