"""/v1/milestone-templates and /v1/house-works/{id}/milestones."""

import uuid
from dataclasses import asdict

from fastapi import APIRouter

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from construction.house_works import repository
from construction.house_works import service as house_works
from construction.milestones import templates
from construction.milestones.schemas import (
    HouseMilestonePublic,
    HouseMilestonesPublic,
    MilestonePublic,
    TemplatePublic,
)

router = APIRouter(prefix="/v1", tags=["milestones"])


@router.get("/milestone-templates", response_model=list[TemplatePublic])
async def list_templates() -> list[TemplatePublic]:
    """Every template: the milestones in order and how far along each one is."""
    result = []
    for template in templates.ALL:
        work_types = [w for w, t in templates.BY_WORK_TYPE.items() if t is template]
        narrowed = [(p, w) for (p, w), t in templates.BY_PROGRAMME.items() if t is template]
        result.append(
            TemplatePublic(
                name=template.name,
                work_types=sorted({str(w) for w in work_types} | {str(w) for _, w in narrowed}),
                programmes=sorted({str(p) for p, _ in narrowed}) or None,
                milestones=[MilestonePublic(**asdict(m)) for m in template.milestones],
            )
        )
    return result


@router.get(
    "/house-works/{house_work_id}/milestones",
    response_model=HouseMilestonesPublic,
    responses=problem_responses({404: "No such house work"}),
)
async def house_milestones(house_work_id: uuid.UUID, session: SessionDep) -> HouseMilestonesPublic:
    """The house's template, each milestone marked with when and by whom it was reached."""
    work = await house_works.get(session, house_work_id)
    template = templates.template_for(work.programme, work.work_type)
    reached = {u.milestone: u for u in await repository.progress_updates(session, work.id)}
    return HouseMilestonesPublic(
        template=template.name,
        milestones=[
            HouseMilestonePublic(
                **asdict(m),
                reached=m.code in reached,
                reached_on=reached[m.code].reached_on if m.code in reached else None,
                reported_by=reached[m.code].reported_by if m.code in reached else None,
            )
            for m in template.milestones
        ],
    )
