"""The query API's revolving-fund measures: what the funds of each area hold, per
programme the way GET /v1/reports/money shows them for that programme.

A fund serves a place (a sub-district's or a community's fund lends to whoever
repays into it) unless finance names the one programme it serves. So the funds
of a programme's cell are those serving that programme or the place as a whole,
as the money report keeps them when asked for a programme; a place's fund is in
every programme's cell. Funds are a stock: the same figures in every fiscal year
and period asked for.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from reporting.geography import AreaLevel, area_names, office_map, place_at
from reporting.money import repository


@dataclass(frozen=True)
class FundCellRow:
    """One programme × area's funds, named as the query's measures are."""

    programme: str
    area_level: AreaLevel
    area_code: str | None
    area_name_th: str | None
    area_name_en: str | None
    revolving_funds: int
    revolving_fund_balance_satang: int
    revolving_fund_in_satang: int
    revolving_fund_out_satang: int


async def fund_rows(
    session: AsyncSession,
    *,
    programmes: Iterable[str],
    level: AreaLevel,
    region: str | None,
    province_code: str | None,
    principal: Principal,
) -> list[FundCellRow]:
    """The funds of every programme × area at ``level`` within the region or province
    asked for (already checked by the caller), in the caller's areas only."""
    provinces: list[str] | None = None
    if province_code is not None:
        provinces = [province_code]
    elif region is not None:
        provinces = list(office_map().regions[region].provinces)
    fine = level in (AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT)
    group_by = level.value if fine else AreaLevel.PROVINCE.value

    rows: list[FundCellRow] = []
    for programme in sorted(set(programmes)):
        # The money report's own SQL: the caller's areas and the programme rule are
        # WHERE clauses there, so other areas' funds never leave the database.
        found = await repository.funds(
            session,
            group_by=group_by,
            programme=programme,
            province_codes=provinces,
            principal=principal,
        )
        per_area: dict[str | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for fund in found:
            code = fund.area_code if fine else place_at(level, fund.area_code)
            figures = per_area[code]
            figures[0] += fund.funds
            figures[1] += fund.balance_satang
            figures[2] += fund.in_satang
            figures[3] += fund.out_satang
        for code, (funds, balance, money_in, money_out) in per_area.items():
            name_th, name_en = area_names(level, code) if code is not None else (None, None)
            rows.append(
                FundCellRow(
                    programme=programme,
                    area_level=level,
                    area_code=code,
                    area_name_th=name_th,
                    area_name_en=name_en,
                    revolving_funds=funds,
                    revolving_fund_balance_satang=balance,
                    revolving_fund_in_satang=money_in,
                    revolving_fund_out_satang=money_out,
                )
            )
    return rows
