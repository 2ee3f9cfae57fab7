"""All SQL about survey rounds."""

import uuid
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.pages import Page, Paging, page_in_areas
from survey.households.models import Household
from survey.rounds.models import SurveyRound


async def get(
    session: AsyncSession, round_id: uuid.UUID, *, for_update: bool = False
) -> SurveyRound | None:
    query = select(SurveyRound).where(SurveyRound.id == round_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


@dataclass(frozen=True)
class RoundFilter:
    subdistrict_code: str | None = None
    community_id: uuid.UUID | None = None


async def page(
    session: AsyncSession, principal: Principal, where: RoundFilter, paging: Paging
) -> Page[SurveyRound]:
    return await page_in_areas(session, SurveyRound, principal, where, paging)


async def households_counted(
    session: AsyncSession, round_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not round_ids:
        return {}
    query = (
        select(Household.survey_round_id, func.count())
        .where(col(Household.survey_round_id).in_(round_ids))
        .group_by(col(Household.survey_round_id))
    )
    return {round_id: count for round_id, count in (await session.exec(query)).all() if round_id}
