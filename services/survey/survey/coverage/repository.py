"""All SQL about a tambon's coverage."""

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from survey.communities.models import Community
from survey.households.models import Household
from survey.rounds.models import SurveyRound


async def communities(session: AsyncSession, subdistrict_code: str) -> int:
    query = select(func.count()).where(Community.subdistrict_code == subdistrict_code)
    return (await session.exec(query)).one()


async def communities_surveyed(session: AsyncSession, subdistrict_code: str) -> int:
    query = select(func.count(func.distinct(SurveyRound.community_id))).where(
        SurveyRound.subdistrict_code == subdistrict_code,
        col(SurveyRound.community_id).is_not(None),
        col(SurveyRound.finished_on).is_not(None),
    )
    return (await session.exec(query)).one()


async def whole_tambon_rounds(session: AsyncSession, subdistrict_code: str) -> list[SurveyRound]:
    """Finished rounds of the whole tambon, latest finish first."""
    query = (
        select(SurveyRound)
        .where(
            SurveyRound.subdistrict_code == subdistrict_code,
            col(SurveyRound.community_id).is_(None),
            col(SurveyRound.finished_on).is_not(None),
        )
        .order_by(col(SurveyRound.finished_on).desc(), col(SurveyRound.id).desc())
    )
    return list((await session.exec(query)).all())


async def households(session: AsyncSession, subdistrict_code: str) -> int:
    query = select(func.count()).where(Household.subdistrict_code == subdistrict_code)
    return (await session.exec(query)).one()
