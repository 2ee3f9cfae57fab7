"""Projecting ``tambon.coverage_changed`` and rolling coverage up the area tree.

Survey publishes a tambon's figures whenever a finished round is recorded; the
latest (by ``as_of``) wins, so a redelivered or late older event changes nothing.
An area is surveyed as a whole when every tambon of the official list in it is.
"""

from functools import cache

import geothai
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.errors import Unprocessable, field_error
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import TambonCoverageChanged
from reporting.geography import COUNTRY_CODE, AreaLevel, area_names, office_map
from reporting.projections.models import as_utc
from reporting.survey_coverage import repository
from reporting.survey_coverage.models import TambonCoverage
from reporting.survey_coverage.schemas import CoverageReport, CoverageRow


async def on_tambon_coverage_changed(
    session: AsyncSession, data: TambonCoverageChanged, event: CloudEvent
) -> None:
    row = await repository.get(session, data.subdistrict_code)
    stored = as_utc(row.as_of) if row is not None else None
    if row is not None and stored is not None and stored >= data.as_of:
        return
    values = data.model_dump(exclude={"as_of"})
    if row is None:
        row = TambonCoverage(**values, as_of=data.as_of)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.as_of = data.as_of
    session.add(row)
    await session.flush()


@cache
def _tambons() -> dict[str, tuple[str, str, str | None]]:
    """Every official tambon: code → (district, province, regional office)."""
    offices = office_map()
    found = {}
    for province in geothai.provinces():
        region = offices.region_of(province.code)
        for district in geothai.districts(province.code):
            for sub in geothai.subdistricts(district.code):
                found[sub.code] = (district.code, province.code, region.code if region else None)
    return found


def _area_of(level: AreaLevel, code: str) -> str | None:
    district, province, region = _tambons()[code]
    return {
        AreaLevel.COUNTRY: COUNTRY_CODE,
        AreaLevel.REGION: region,
        AreaLevel.PROVINCE: province,
        AreaLevel.DISTRICT: district,
        AreaLevel.SUBDISTRICT: code,
    }[level]


async def coverage_report(
    session: AsyncSession, level: AreaLevel, principal: Principal, province_code: str | None
) -> CoverageReport:
    if level == AreaLevel.SUBDISTRICT and province_code is None:
        reason = "tambon rows need a province (province_code)"
        raise Unprocessable(reason, errors=[field_error("query.province_code", reason, "missing")])
    rows = await repository.by_area(
        session, TambonCoverage.subdistrict_code, principal, province_code
    )
    totals: dict[str, list[int]] = {}
    for code, reported, whole, surveyed, in_area in rows:
        area = _area_of(level, code) if code in _tambons() else None
        if area is None:
            continue
        figures = totals.setdefault(area, [0, 0, 0, 0])
        for index, value in enumerate((reported, whole, surveyed, in_area)):
            figures[index] += value
    counts: dict[str, int] = {}
    for code in _tambons():
        if province_code is not None and not code.startswith(province_code):
            continue
        if not principal.covers(code[:2], code[:4], code):
            continue
        area = _area_of(level, code)
        if area is not None:
            counts[area] = counts.get(area, 0) + 1
    result = []
    for area, tambons in sorted(counts.items()):
        reported, whole, surveyed, in_area = totals.get(area, [0, 0, 0, 0])
        name_th, name_en = area_names(level, area)
        result.append(
            CoverageRow(
                area_level=level,
                area_code=area,
                area_name_th=name_th,
                area_name_en=name_en,
                tambons=tambons,
                tambons_reported=reported,
                tambons_surveyed_whole=whole,
                whole_area_surveyed=whole == tambons,
                households_surveyed=surveyed,
                households_in_area=in_area,
            )
        )
    return CoverageReport(level=level, rows=result)
