"""The agency's regional offices, read from ``regions.toml`` beside this file."""

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class RegionalOffice:
    code: str
    name_th: str
    name_en: str
    province_codes: tuple[str, ...]


@cache
def regional_offices() -> dict[str, RegionalOffice]:
    """Offices by code, in the file's order."""
    raw = tomllib.loads(files(__package__).joinpath("regions.toml").read_text("utf-8"))
    return {
        r["code"]: RegionalOffice(r["code"], r["name_th"], r["name_en"], tuple(r["provinces"]))
        for r in raw["regions"]
    }


@cache
def _office_by_province() -> dict[str, RegionalOffice]:
    return {
        province: office
        for office in regional_offices().values()
        for province in office.province_codes
    }


def region_of_province(province_code: str) -> RegionalOffice | None:
    """The office serving a province, or None for a code no office lists."""
    return _office_by_province().get(province_code)
