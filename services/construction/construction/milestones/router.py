"""/v1/milestone-templates, /v1/house-works/{id}/milestones and /v1/milestones/overdue."""

import uuid
from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from baan_shared.clock import thai_today as today
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.reference import Programme
from construction import access
from construction.access import Administrator, Reader, Writer
from construction.house_works import service as house_works
from construction.house_works.models import HouseWork, WorkType
from construction.milestones import service
from construction.milestones.models import HouseMilestone, MilestoneTemplate
from construction.milestones.schemas import (
    HouseMilestonePublic,
    HouseMilestonesPublic,
    MilestonePublic,
    OverdueMilestonePublic,
    OverdueMilestonesPublic,
    PlannedOnChange,
    TemplateChange,
    TemplatePublic,
)
from construction.milestones.templates import Template, default_template

router = APIRouter(prefix="/v1", tags=["milestones"])


def _template_public(
    programme: Programme,
    work_type: WorkType,
    template: Template,
    stored: MilestoneTemplate | None,
) -> TemplatePublic:
    return TemplatePublic(
        programme=programme,
        work_type=work_type,
        name=template.name,
        milestones=[MilestonePublic(**asdict(m)) for m in template.milestones],
        customised=stored is not None,
        version=stored.version if stored else None,
        updated_by=stored.updated_by if stored else None,
        updated_at=stored.updated_at if stored else None,
    )


def _house_milestone(milestone: HouseMilestone) -> HouseMilestonePublic:
    return HouseMilestonePublic(
        code=milestone.code,
        percent=milestone.percent,
        label_th=milestone.label_th,
        schedule_percent=milestone.schedule_percent,
        planned_on=milestone.planned_on,
        planned_on_fixed=milestone.planned_on_fixed,
        planned_by=milestone.planned_by,
        reached=milestone.reached_on is not None,
        reached_on=milestone.reached_on,
        reported_by=milestone.reported_by,
    )


@router.get("/milestone-templates", response_model=list[TemplatePublic])
async def list_templates(principal: Reader, session: SessionDep) -> list[TemplatePublic]:
    """The template of every programme and work type, as new house works get it."""
    stored = {(t.programme, t.work_type): t for t in await service.stored_templates(session)}
    result = []
    for programme in Programme:
        for work_type in WorkType:
            row = stored.get((programme, work_type))
            template = service.from_stored(row) if row else default_template(programme, work_type)
            result.append(_template_public(programme, work_type, template, row))
    return result


@router.get(
    "/milestone-templates/{programme}/{work_type}",
    response_model=TemplatePublic,
    responses=problem_responses({422: "Unknown programme or work type"}),
)
async def get_template(
    principal: Reader, programme: Programme, work_type: WorkType, session: SessionDep
) -> TemplatePublic:
    template, stored = await service.effective_template(session, programme, work_type)
    return _template_public(programme, work_type, template, stored)


@router.put(
    "/milestone-templates/{programme}/{work_type}",
    response_model=TemplatePublic,
    responses=problem_responses(
        {
            403: "Templates are national programme rules: the token needs admin as well",
            422: "Not a valid template; `errors` names each milestone field and why",
        }
    ),
)
async def put_template(
    principal: Administrator,
    programme: Programme,
    work_type: WorkType,
    body: TemplateChange,
    session: SessionDep,
) -> TemplatePublic:
    """Replace the template for house works planned from now on (those already planned keep
    their milestones): in order, unique codes, percent rising to 100, the last ``inspected``."""
    template, stored = await service.set_template(session, programme, work_type, body)
    return _template_public(programme, work_type, template, stored)


@router.get(
    "/house-works/{house_work_id}/milestones",
    response_model=HouseMilestonesPublic,
    responses=problem_responses({404: "No such house work"}),
)
async def house_milestones(
    principal: Reader, house_work_id: uuid.UUID, session: SessionDep
) -> HouseMilestonesPublic:
    """The house's milestones in order: planned date, and when and by whom each was reached."""
    await access.house_work_of(session, principal, house_work_id)
    work = await house_works.get(session, house_work_id)
    return HouseMilestonesPublic(
        template=work.milestone_template,
        milestones=[_house_milestone(m) for m in await service.of_house(session, work.id)],
    )


@router.put(
    "/house-works/{house_work_id}/milestones/{code}",
    response_model=HouseMilestonePublic,
    responses=problem_responses(
        {
            404: "No such house work, or no such milestone on it",
            409: "The house work is finished or the milestone already reached",
            422: "Invalid input; `errors` names each field",
        }
    ),
)
async def plan_milestone(
    principal: Writer,
    house_work_id: uuid.UUID,
    code: str,
    body: PlannedOnChange,
    session: SessionDep,
) -> HouseMilestonePublic:
    """Set one milestone's planned date by hand (``null`` to derive it from the period again)."""
    await access.house_work_of(session, principal, house_work_id)
    work = await house_works.get(session, house_work_id, for_update=True)
    return _house_milestone(await service.set_planned_on(session, work, code, body))


def _overdue_public(milestone: HouseMilestone, work: HouseWork, on: date) -> OverdueMilestonePublic:
    assert milestone.planned_on is not None  # only planned milestones are overdue
    return OverdueMilestonePublic(
        house_work_id=work.id,
        household_id=work.household_id,
        project_id=work.project_id,
        programme=work.programme,
        province_code=work.province_code,
        district_code=work.district_code,
        subdistrict_code=work.subdistrict_code,
        status=str(work.status),
        code=milestone.code,
        label_th=milestone.label_th,
        planned_on=milestone.planned_on,
        days_late=(on - milestone.planned_on).days,
    )


@router.get("/milestones/overdue", response_model=OverdueMilestonesPublic)
async def overdue_milestones(
    principal: Reader,
    session: SessionDep,
    project_id: uuid.UUID | None = None,
    programme: Programme | None = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    district_code: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    community_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> OverdueMilestonesPublic:
    """Milestones past their planned date that the house has neither reached nor passed,
    on works still being planned or built (Thai date)."""
    on = today()
    rows = await service.overdue(
        session,
        on=on,
        after=decode_cursor(cursor),
        limit=limit + 1,
        where=service.OverdueFilter(
            project_id=project_id,
            programme=programme,
            province_code=province_code,
            district_code=district_code,
            subdistrict_code=subdistrict_code,
            community_id=community_id,
        ),
        area=access.house_works_in(principal),
    )
    items, more = rows[:limit], len(rows) > limit
    return OverdueMilestonesPublic(
        items=[
            _overdue_public(milestone, work, on)
            for milestone, work in items
            if milestone.planned_on is not None
        ],
        next_cursor=encode_cursor(items[-1].milestone.id) if more else None,
    )
