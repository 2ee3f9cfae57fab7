"""/v1/programmes: each programme's eligibility rules; admins change them with PUT."""

from fastapi import APIRouter

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.reference import Programme
from survey.access import NationalWriter, Reader
from survey.programmes import service
from survey.programmes.schemas import (
    ProgrammePublic,
    ProgrammeUpdate,
    RankingWeights,
    RankingWeightsUpdate,
    weights_of,
)

router = APIRouter(
    prefix="/v1/programmes",
    tags=["programmes"],
    responses=problem_responses(
        {
            403: "Only a national client may change what applies in every area",
            404: "No such programme",
            422: "Invalid input",
        }
    ),
)


@router.get("", response_model=list[ProgrammePublic])
async def list_programmes(session: SessionDep, principal: Reader) -> list[ProgrammePublic]:
    return [ProgrammePublic.of(p) for p in await service.all_programmes(session)]


@router.get("/{code}", response_model=ProgrammePublic)
async def get_programme(code: Programme, session: SessionDep, principal: Reader) -> ProgrammePublic:
    return ProgrammePublic.of(await service.get(session, code))


@router.put("/{code}", response_model=ProgrammePublic)
async def update_programme(
    code: Programme, body: ProgrammeUpdate, session: SessionDep, principal: NationalWriter
) -> ProgrammePublic:
    """Replace the programme's rules; households are judged by them from their next screening."""
    return ProgrammePublic.of(await service.update(session, code, body))


@router.get("/{code}/ranking-weights", response_model=RankingWeights)
async def get_ranking_weights(
    code: Programme, session: SessionDep, principal: Reader
) -> RankingWeights:
    """The weights the priority ranking uses for this programme unless the caller gives others."""
    return weights_of(await service.get(session, code))


@router.put("/{code}/ranking-weights", response_model=RankingWeights)
async def save_ranking_weights(
    code: Programme, body: RankingWeightsUpdate, session: SessionDep, principal: NationalWriter
) -> RankingWeights:
    """Save the programme's ranking weights; at least one must be above 0."""
    return weights_of(await service.update_weights(session, code, body))
