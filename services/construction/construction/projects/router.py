"""/v1/projects: a community's or tambon's project, and the house works in it."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from baan_shared.auth import forbid_unless_covered
from baan_shared.auth.audit import audit_resource
from baan_shared.clock import thai_today as today
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.pages import Paging
from baan_shared.reference import Programme
from construction import access
from construction.access import Reader, Writer
from construction.house_works.router import bulk_result, public
from construction.house_works.schemas import BulkResult, HouseWorkPublic
from construction.projects import service
from construction.projects.schemas import (
    Assignment,
    BulkMoved,
    BulkProgress,
    BulkReady,
    BulkSignOff,
    BulkStart,
    ProjectCreate,
    ProjectPublic,
    ProjectsPublic,
    ProjectSummary,
    ProjectUpdate,
)

PROBLEMS = problem_responses(
    {
        404: "No such project (or house work in the path)",
        409: "A house work's state does not allow this, or it is already in another project",
        422: "Invalid input, or a house work in the body that is unknown (or outside the "
        "client's areas) or not in the project; `errors` names each field",
    }
)

router = APIRouter(prefix="/v1/projects", tags=["projects"], responses=PROBLEMS)


@router.post("", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED)
@idempotent
async def create_project(
    principal: Writer, body: ProjectCreate, session: SessionDep, request: Request
) -> ProjectPublic:
    forbid_unless_covered(
        principal,
        province=body.province_code,
        district=body.district_code,
        subdistrict=body.subdistrict_code,
    )
    project = await service.create(session, body)
    audit_resource(request, "projects", project.id)
    return ProjectPublic.model_validate(project)


@router.get("", response_model=ProjectsPublic)
async def list_projects(
    principal: Reader,
    session: SessionDep,
    programme: Programme | None = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ProjectsPublic:
    where = service.ProjectFilter(
        programme=programme, province_code=province_code, subdistrict_code=subdistrict_code
    )
    area = access.projects_in(principal)
    found = await service.page(session, area, where, Paging(decode_cursor(cursor), limit))
    return ProjectsPublic(
        items=[ProjectPublic.model_validate(p) for p in found.items],
        next_cursor=encode_cursor(found.last) if found.last else None,
    )


@router.get("/{project_id}", response_model=ProjectPublic)
async def get_project(
    principal: Reader, project_id: uuid.UUID, session: SessionDep
) -> ProjectPublic:
    await access.project_of(session, principal, project_id)
    return ProjectPublic.model_validate(await service.get(session, project_id))


@router.patch("/{project_id}", response_model=ProjectPublic)
async def update_project(
    principal: Writer, project_id: uuid.UUID, body: ProjectUpdate, session: SessionDep
) -> ProjectPublic:
    """Rename or reschedule; house works without their own planned end follow the new end."""
    await access.project_of(session, principal, project_id)
    return ProjectPublic.model_validate(await service.update(session, project_id, body))


@router.get("/{project_id}/summary", response_model=ProjectSummary)
async def project_summary(
    principal: Reader, project_id: uuid.UUID, session: SessionDep
) -> ProjectSummary:
    """Its houses by status and how many are overdue; estimate, orders, allocations, labour."""
    await access.project_of(session, principal, project_id)
    await service.get(session, project_id)
    by_status = await service.status_counts(session, project_id)
    return ProjectSummary(
        project_id=project_id,
        house_works=sum(by_status.values()),
        by_status=by_status,
        overdue=await service.overdue_count(session, project_id, today()),
        **await service.money_and_labour(session, project_id),
    )


@router.post("/{project_id}/house-works", response_model=list[HouseWorkPublic])
@idempotent
async def assign_house_works(
    principal: Writer, project_id: uuid.UUID, body: Assignment, session: SessionDep
) -> list[HouseWorkPublic]:
    """House works join the project; their planned end follows the project's unless set."""
    project = await access.project_of(session, principal, project_id)
    works = await service.assign(session, project_id, body, principal)
    return [public(w, project.planned_end_on) for w in works]


@router.delete("/{project_id}/house-works/{house_work_id}", response_model=HouseWorkPublic)
async def unassign_house_work(
    principal: Writer, project_id: uuid.UUID, house_work_id: uuid.UUID, session: SessionDep
) -> HouseWorkPublic:
    """Take a house work out of the project (not once it received the project's materials)."""
    await access.house_work_of(session, principal, house_work_id)
    await access.project_of(session, principal, project_id)
    return public(await service.unassign(session, project_id, house_work_id), None)


@router.post("/{project_id}/house-works/ready", response_model=BulkMoved)
@idempotent
async def ready_house_works(
    principal: Writer, project_id: uuid.UUID, body: BulkReady, session: SessionDep
) -> BulkMoved:
    """Every planned house work of the project (or those named) ready to build on one day;
    each publishes ``house.ready_to_build``. All or none: a refusal names the house work."""
    await access.project_of(session, principal, project_id)
    if body.house_work_ids is not None:
        await access.referenced_house_works(
            session, principal, service.HOUSE_WORK_IDS, body.house_work_ids
        )
    return BulkMoved(moved=await service.ready_all(session, project_id, body))


@router.post("/{project_id}/house-works/start", response_model=BulkMoved)
@idempotent
async def start_house_works(
    principal: Writer, project_id: uuid.UUID, body: BulkStart, session: SessionDep
) -> BulkMoved:
    """Every ready house work of the project (or those named) under construction from one
    day; each publishes ``house.construction_started``. All or none."""
    await access.project_of(session, principal, project_id)
    if body.house_work_ids is not None:
        await access.referenced_house_works(
            session, principal, service.HOUSE_WORK_IDS, body.house_work_ids
        )
    return BulkMoved(moved=await service.start_all(session, project_id, body))


@router.post("/{project_id}/house-works/complete", response_model=BulkResult)
@idempotent
async def sign_off_house_works(
    principal: Writer, project_id: uuid.UUID, body: BulkSignOff, session: SessionDep
) -> BulkResult:
    """Every house work of the project under construction (or those named) inspected and
    signed off on one day; each publishes ``house.completed``. All or none: a refusal
    lists every house work that cannot be signed off (``errors``) and records nothing."""
    await access.project_of(session, principal, project_id)
    if body.house_work_ids is not None:
        await access.referenced_house_works(
            session, principal, service.HOUSE_WORK_IDS, body.house_work_ids
        )
    works = await service.sign_off_all(session, principal, project_id, body)
    return bulk_result(works, "house.completed")


@router.post("/{project_id}/house-works/progress", response_model=BulkResult)
@idempotent
async def report_house_works_progress(
    principal: Writer, project_id: uuid.UUID, body: BulkProgress, session: SessionDep
) -> BulkResult:
    """Every house work of the project under construction (or those named) reached one
    milestone on one day; each publishes ``house.milestone_reached``. All or none."""
    await access.project_of(session, principal, project_id)
    if body.house_work_ids is not None:
        await access.referenced_house_works(
            session, principal, service.HOUSE_WORK_IDS, body.house_work_ids
        )
    works = await service.progress_all(session, principal, project_id, body)
    return bulk_result(works, "house.milestone_reached")
