"""What the areas API returns."""

from typing import Literal

from pydantic import BaseModel, Field


class RegionPublic(BaseModel):
    code: str
    name_th: str
    name_en: str
    province_codes: list[str]


class ProvincePublic(BaseModel):
    code: str = Field(description="DOPA province code, 2 digits")
    name_th: str
    name_en: str
    region_code: str | None = Field(
        description="The agency's regional office serving it (BVE, N, CW, NE, S)"
    )


class DistrictPublic(BaseModel):
    code: str = Field(description="DOPA district code, 4 digits")
    name_th: str
    name_en: str
    province_code: str


class SubdistrictPublic(BaseModel):
    code: str = Field(description="DOPA sub-district (tambon) code, 6 digits")
    name_th: str
    name_en: str
    district_code: str
    province_code: str
    postal_codes: list[str]


class AreaMatch(BaseModel):
    level: Literal["province", "district", "subdistrict"]
    code: str
    name_th: str
    name_en: str


class AreaSearchResults(BaseModel):
    items: list[AreaMatch]
    data_version: str = Field(description="The geothai data release the names come from")
