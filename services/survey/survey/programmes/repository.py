"""All SQL about programmes."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.reference import Programme
from survey.programmes.models import ProgrammeRules


async def get(
    session: AsyncSession, code: Programme, *, for_update: bool = False
) -> ProgrammeRules | None:
    query = select(ProgrammeRules).where(ProgrammeRules.code == code)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def all_(session: AsyncSession) -> list[ProgrammeRules]:
    return list(
        (await session.exec(select(ProgrammeRules).order_by(col(ProgrammeRules.code)))).all()
    )
