"""All SQL over the ``target`` table."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from reporting.geography import AreaLevel
from reporting.targets.models import Target


@dataclass(frozen=True)
class TargetFilter:
    programme: str | None = None
    fiscal_year: int | None = None
    period: str | None = None
    area_level: str | None = None
    area_code: str | None = None
    unit: str | None = None
    principal: Principal | None = None
    """The caller: only the targets of its provinces (None: internal, every target)."""


async def get(session: AsyncSession, key: tuple[str, int, str, str, str, str]) -> Target | None:
    return await session.get(Target, key)


async def save(session: AsyncSession, targets: Sequence[Target]) -> None:
    session.add_all(targets)
    await session.flush()


def _covered(principal: Principal) -> ColumnElement[bool]:
    """The caller's targets as a WHERE clause (ADR 0003). Only a province's target lies in
    a province: a client bound to areas never sees a national or regional target (a
    figure for more than its areas), and a district-bound client sees no target at all."""
    province = case(
        (col(Target.area_level) == AreaLevel.PROVINCE, col(Target.area_code)), else_=None
    )
    return area_filter(principal, province=province)


async def find(session: AsyncSession, where: TargetFilter) -> list[Target]:
    query = select(Target)
    if where.principal is not None:
        query = query.where(_covered(where.principal))
    for name in ("programme", "fiscal_year", "period", "area_level", "area_code", "unit"):
        value = getattr(where, name)
        if value is not None:
            query = query.where(col(getattr(Target, name)) == value)
    query = query.order_by(
        col(Target.programme),
        col(Target.fiscal_year),
        col(Target.period),
        col(Target.area_level),
        col(Target.area_code),
        col(Target.unit),
    )
    return list((await session.exec(query)).all())
