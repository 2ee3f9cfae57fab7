"""/v1/areas: read-only provinces, districts, sub-districts, regions and name search."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from baan_shared.errors import Unprocessable, field_error
from baan_shared.http.errors import problem_responses
from survey.access import Reader
from survey.areas import service
from survey.areas.schemas import (
    AreaSearchResults,
    DistrictPublic,
    ProvincePublic,
    RegionPublic,
    SubdistrictPublic,
)

router = APIRouter(
    prefix="/v1/areas",
    tags=["areas"],
    responses=problem_responses({404: "No area has this code", 422: "Invalid input"}),
)

ProvinceCode = Annotated[str, Path(pattern=r"^\d{2}$")]
DistrictCode = Annotated[str, Path(pattern=r"^\d{4}$")]
SubdistrictCode = Annotated[str, Path(pattern=r"^\d{6}$")]


@router.get("/regions", response_model=list[RegionPublic])
async def list_regions(principal: Reader) -> list[RegionPublic]:
    """The agency's regional offices and the provinces each serves."""
    return service.regions()


@router.get("/provinces", response_model=list[ProvincePublic])
async def list_provinces(
    principal: Reader,
    region: Annotated[str | None, Query(description="Regional office: BVE, N, CW, NE or S")] = None,
) -> list[ProvincePublic]:
    if region is not None and region not in {r.code for r in service.regions()}:
        reason = f"no regional office has code {region}"
        raise Unprocessable(reason, errors=[field_error("query.region", reason, "unknown")])
    return service.provinces(region)


@router.get("/provinces/{code}", response_model=ProvincePublic)
async def get_province(code: ProvinceCode, principal: Reader) -> ProvincePublic:
    return service.province(code)


@router.get("/provinces/{code}/districts", response_model=list[DistrictPublic])
async def list_districts(code: ProvinceCode, principal: Reader) -> list[DistrictPublic]:
    return service.districts(code)


@router.get("/districts/{code}", response_model=DistrictPublic)
async def get_district(code: DistrictCode, principal: Reader) -> DistrictPublic:
    return service.district(code)


@router.get("/districts/{code}/subdistricts", response_model=list[SubdistrictPublic])
async def list_subdistricts(code: DistrictCode, principal: Reader) -> list[SubdistrictPublic]:
    return service.subdistricts(code)


@router.get("/subdistricts/{code}", response_model=SubdistrictPublic)
async def get_subdistrict(code: SubdistrictCode, principal: Reader) -> SubdistrictPublic:
    return service.subdistrict(code)


@router.get("/search", response_model=AreaSearchResults)
async def search_areas(
    principal: Reader,
    q: Annotated[str, Query(min_length=1, max_length=100, description="Thai or English name")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> AreaSearchResults:
    """Find provinces, districts and sub-districts by part of their name."""
    return AreaSearchResults(items=service.search(q, limit), data_version=service.DATA_VERSION)
