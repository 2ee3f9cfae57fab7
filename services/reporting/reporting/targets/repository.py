"""All SQL over the ``target`` table."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from reporting.targets.models import Target


@dataclass(frozen=True)
class TargetFilter:
    programme: str | None = None
    fiscal_year: int | None = None
    period: str | None = None
    area_level: str | None = None
    area_code: str | None = None
    unit: str | None = None


async def get(session: AsyncSession, key: tuple[str, int, str, str, str, str]) -> Target | None:
    return await session.get(Target, key)


async def save(session: AsyncSession, targets: Sequence[Target]) -> None:
    session.add_all(targets)
    await session.flush()


async def find(session: AsyncSession, where: TargetFilter) -> list[Target]:
    query = select(Target)
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
