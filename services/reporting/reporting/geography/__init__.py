"""Geography for reports: CODI's regional offices and the provinces they serve.

The office map is agency configuration kept in ``offices.toml`` beside this
module; districts and sub-districts need no table here, because their official
codes start with their province's (district ``5701`` is in province ``57``).
"""

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files


class AreaLevel(StrEnum):
    """How finely a report or a target cuts the country."""

    COUNTRY = "country"
    REGION = "region"
    PROVINCE = "province"
    DISTRICT = "district"
    SUBDISTRICT = "subdistrict"


COUNTRY_CODE = "TH"
CODE_LENGTH = {AreaLevel.PROVINCE: 2, AreaLevel.DISTRICT: 4, AreaLevel.SUBDISTRICT: 6}


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
    raw = tomllib.loads(files(__package__).joinpath("offices.toml").read_text("utf-8"))
    regions = {
        r["code"]: Region(r["code"], r["name_th"], r["name_en"], tuple(r["provinces"]))
        for r in raw["regions"]
    }
    provinces = {}
    for region in regions.values():
        for code in region.provinces:
            name_th, name_en = raw["provinces"][code]
            provinces[code] = Province(code, name_th, name_en, region.code)
    return OfficeMap(regions=regions, provinces=provinces)


def area_names(level: AreaLevel, code: str) -> tuple[str | None, str | None]:
    """Thai and English names of an area; districts and sub-districts have codes only."""
    offices = office_map()
    if level == AreaLevel.COUNTRY:
        return "ประเทศไทย", "Thailand"
    if level == AreaLevel.REGION and code in offices.regions:
        region = offices.regions[code]
        return region.name_th, region.name_en
    if level == AreaLevel.PROVINCE and code in offices.provinces:
        province = offices.provinces[code]
        return province.name_th, province.name_en
    return None, None
