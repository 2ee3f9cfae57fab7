"""Opening survey rounds and reporting their coverage."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, reference_unless_covered, unknown_reference
from baan_shared.errors import Unprocessable, field_error
from survey.communities import repository as communities
from survey.rounds import repository
from survey.rounds.models import SurveyRound
from survey.rounds.schemas import SurveyRoundCreate, SurveyRoundPublic


async def open_round(
    session: AsyncSession, data: SurveyRoundCreate, principal: Principal
) -> SurveyRound:
    """Open a round; a community it names must lie in ``principal``'s areas, or it is
    refused exactly as an unknown id (``unknown_reference``)."""
    if data.community_id is not None:
        field = "body.community_id"
        community = await communities.get(session, data.community_id)
        if community is None:
            raise unknown_reference(field, "community", data.community_id)
        reference_unless_covered(
            principal,
            field,
            "community",
            data.community_id,
            province=community.province_code,
            district=community.district_code,
            subdistrict=community.subdistrict_code,
        )
        if community.subdistrict_code != data.subdistrict_code:
            reason = (
                f"community is in sub-district {community.subdistrict_code}, "
                f"not {data.subdistrict_code}"
            )
            raise Unprocessable(
                reason, errors=[field_error("body.community_id", reason, "invalid")]
            )
    code = data.subdistrict_code
    survey_round = SurveyRound(**data.model_dump(), province_code=code[:2], district_code=code[:4])
    session.add(survey_round)
    await session.flush()
    return survey_round


async def get(session: AsyncSession, round_id: uuid.UUID) -> SurveyRound:
    survey_round = await repository.get(session, round_id)
    if survey_round is None:
        raise does_not_exist(f"survey round {round_id}")
    return survey_round


async def public(session: AsyncSession, rounds: list[SurveyRound]) -> list[SurveyRoundPublic]:
    counted = await repository.households_counted(session, [r.id for r in rounds])
    result = []
    for r in rounds:
        count = counted.get(r.id, 0)
        coverage = round(count / r.households_in_area, 4) if r.households_in_area else None
        result.append(
            SurveyRoundPublic(**r.model_dump(), households_counted=count, coverage=coverage)
        )
    return result
