"""/v1/survey-rounds: who surveyed which tambon or community, when, and how far it got."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from baan_shared.auth import not_found_unless_covered
from baan_shared.auth.audit import audit_resource
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.pages import Paging
from survey.access import Reader, Writer, forbid_unless_tambon_covered
from survey.rounds import service
from survey.rounds.schemas import (
    SurveyRoundCreate,
    SurveyRoundFinish,
    SurveyRoundPublic,
    SurveyRoundsPublic,
)

router = APIRouter(
    prefix="/v1/survey-rounds",
    tags=["survey rounds"],
    responses=problem_responses({404: "No such survey round", 422: "Invalid input"}),
)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SurveyRoundPublic)
@idempotent
async def open_survey_round(
    body: SurveyRoundCreate, session: SessionDep, principal: Writer, request: Request
) -> SurveyRoundPublic:
    forbid_unless_tambon_covered(principal, body.subdistrict_code)
    survey_round = await service.open_round(session, body, principal)
    audit_resource(request, "survey_rounds", survey_round.id)
    return (await service.public(session, [survey_round]))[0]


@router.get("", response_model=SurveyRoundsPublic)
async def list_survey_rounds(
    session: SessionDep,
    principal: Reader,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    community_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> SurveyRoundsPublic:
    where = service.RoundFilter(subdistrict_code=subdistrict_code, community_id=community_id)
    found = await service.page(session, principal, where, Paging(decode_cursor(cursor), limit))
    return SurveyRoundsPublic(
        items=await service.public(session, found.items),
        next_cursor=encode_cursor(found.last) if found.last else None,
    )


@router.get("/{round_id}", response_model=SurveyRoundPublic)
async def get_survey_round(
    round_id: uuid.UUID, session: SessionDep, principal: Reader
) -> SurveyRoundPublic:
    survey_round = await service.get(session, round_id)
    not_found_unless_covered(
        principal,
        f"survey round {round_id}",
        province=survey_round.province_code,
        district=survey_round.district_code,
        subdistrict=survey_round.subdistrict_code,
    )
    return (await service.public(session, [survey_round]))[0]


@router.post("/{round_id}/finish", response_model=SurveyRoundPublic)
@idempotent
async def finish_survey_round(
    round_id: uuid.UUID,
    body: SurveyRoundFinish,
    session: SessionDep,
    principal: Writer,
    request: Request,
) -> SurveyRoundPublic:
    """Close the round (ปิดรอบการสำรวจ); publishes the tambon's ``tambon.coverage_changed``."""
    survey_round = await service.get(session, round_id, for_update=True)
    not_found_unless_covered(
        principal,
        f"survey round {round_id}",
        province=survey_round.province_code,
        district=survey_round.district_code,
        subdistrict=survey_round.subdistrict_code,
    )
    survey_round = await service.finish_round(session, survey_round, body)
    audit_resource(request, "survey_rounds", survey_round.id)
    return (await service.public(session, [survey_round]))[0]
