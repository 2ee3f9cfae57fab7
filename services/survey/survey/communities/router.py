"""/v1/communities: communities and villages in a sub-district."""

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
from survey.communities import service
from survey.communities.schemas import CommunitiesPublic, CommunityCreate, CommunityPublic

router = APIRouter(
    prefix="/v1/communities",
    tags=["communities"],
    responses=problem_responses({404: "No such community", 422: "Invalid input"}),
)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CommunityPublic)
@idempotent
async def register_community(
    body: CommunityCreate, session: SessionDep, principal: Writer, request: Request
) -> CommunityPublic:
    forbid_unless_tambon_covered(principal, body.subdistrict_code)
    community = await service.register(session, body)
    audit_resource(request, "communities", community.id)
    return CommunityPublic.model_validate(community, from_attributes=True)


@router.get("", response_model=CommunitiesPublic)
async def list_communities(
    session: SessionDep,
    principal: Reader,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CommunitiesPublic:
    where = service.CommunityFilter(subdistrict_code=subdistrict_code)
    found = await service.page(session, principal, where, Paging(decode_cursor(cursor), limit))
    return CommunitiesPublic(
        items=[CommunityPublic.model_validate(c, from_attributes=True) for c in found.items],
        next_cursor=encode_cursor(found.last) if found.last else None,
    )


@router.get("/{community_id}", response_model=CommunityPublic)
async def get_community(
    community_id: uuid.UUID, session: SessionDep, principal: Reader
) -> CommunityPublic:
    community = await service.get(session, community_id)
    not_found_unless_covered(
        principal,
        f"community {community_id}",
        province=community.province_code,
        district=community.district_code,
        subdistrict=community.subdistrict_code,
    )
    return CommunityPublic.model_validate(community, from_attributes=True)
