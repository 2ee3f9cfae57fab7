"""All SQL about local administrations."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from survey.administrations.models import LocalAdministration


async def get(session: AsyncSession, code: str) -> LocalAdministration | None:
    return (
        await session.exec(select(LocalAdministration).where(LocalAdministration.code == code))
    ).first()


async def get_many(session: AsyncSession, codes: list[str]) -> dict[str, LocalAdministration]:
    if not codes:
        return {}
    query = select(LocalAdministration).where(col(LocalAdministration.code).in_(codes))
    return {row.code: row for row in (await session.exec(query)).all()}


async def page(
    session: AsyncSession, *, after: str | None, limit: int, province_code: str | None
) -> list[LocalAdministration]:
    query = select(LocalAdministration).order_by(col(LocalAdministration.code)).limit(limit)
    if after is not None:
        query = query.where(LocalAdministration.code > after)
    if province_code is not None:
        query = query.where(LocalAdministration.province_code == province_code)
    return list((await session.exec(query)).all())
