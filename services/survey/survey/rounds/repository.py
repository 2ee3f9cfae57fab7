"""All SQL about survey rounds."""

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from survey.households.models import Household
from survey.rounds.models import SurveyRound


async def get(
    session: AsyncSession, round_id: uuid.UUID, *, for_update: bool = False
) -> SurveyRound | None:
    query = select(SurveyRound).where(SurveyRound.id == round_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def page(
    session: AsyncSession,
    *,
    principal: Principal,
    after: uuid.UUID | None,
    limit: int,
    subdistrict_code: str | None,
    community_id: uuid.UUID | None,
) -> list[SurveyRound]:
    query = (
        select(SurveyRound)
        .where(
            area_filter(
                principal,
                province=SurveyRound.province_code,
                district=SurveyRound.district_code,
                subdistrict=SurveyRound.subdistrict_code,
            )
        )
        .order_by(col(SurveyRound.id))
        .limit(limit)
    )
    if after is not None:
        query = query.where(SurveyRound.id > after)
    if subdistrict_code is not None:
        query = query.where(SurveyRound.subdistrict_code == subdistrict_code)
    if community_id is not None:
        query = query.where(SurveyRound.community_id == community_id)
    return list((await session.exec(query)).all())


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
