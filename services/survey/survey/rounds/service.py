"""Opening survey rounds and reporting their coverage."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, reference_unless_covered, unknown_reference
from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.pages import Page, Paging
from survey.communities import repository as communities
from survey.coverage import service as coverage
from survey.rounds import repository
from survey.rounds.models import SurveyRound
from survey.rounds.repository import RoundFilter
from survey.rounds.schemas import SurveyRoundCreate, SurveyRoundFinish, SurveyRoundPublic


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
    if survey_round.finished_on is not None:
        await coverage.publish(session, survey_round.subdistrict_code)
    return survey_round


async def finish_round(
    session: AsyncSession, survey_round: SurveyRound, data: SurveyRoundFinish
) -> SurveyRound:
    """Close an open round; the tambon's coverage is published with it."""
    if survey_round.finished_on is not None:
        reason = f"the round already finished on {survey_round.finished_on}"
        raise Conflict(
            reason, errors=[{"field": "path.round_id", "reason": reason, "code": "status"}]
        )
    if data.finished_on < survey_round.started_on:
        reason = f"cannot finish before it started ({survey_round.started_on})"
        raise Unprocessable(
            reason, errors=[{"field": "body.finished_on", "reason": reason, "code": "invalid"}]
        )
    survey_round.finished_on = data.finished_on
    if data.households_in_area is not None:
        survey_round.households_in_area = data.households_in_area
    session.add(survey_round)
    await session.flush()
    await coverage.publish(session, survey_round.subdistrict_code)
    return survey_round


async def get(
    session: AsyncSession, round_id: uuid.UUID, *, for_update: bool = False
) -> SurveyRound:
    survey_round = await repository.get(session, round_id, for_update=for_update)
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


# --- reads the router serves (the repository behind the service) ----------------------


async def page(
    session: AsyncSession, principal: Principal, where: RoundFilter, paging: Paging
) -> Page[SurveyRound]:
    """The caller's rounds in id order (time-ordered: oldest first), after ``after``."""
    return await repository.page(session, principal, where, paging)
