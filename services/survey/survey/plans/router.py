"""/v1/tambon-plans: a tambon's 3- or 5-year housing plan, its versions and lifecycle."""

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile, status

from baan_shared.auth import Principal, not_found_unless_covered
from baan_shared.auth.audit import audit_resource
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.pages import Paging
from survey.access import Reader, Writer, forbid_unless_tambon_covered
from survey.plans import service, sheet
from survey.plans.models import PlanStatus, TambonPlan
from survey.plans.schemas import PlanDecision, TambonPlanCreate, TambonPlanPublic, TambonPlansPublic

router = APIRouter(
    prefix="/v1/tambon-plans",
    tags=["tambon plans"],
    responses=problem_responses(
        {
            404: "No such tambon plan",
            409: "The plan's status forbids it, or another adopted plan covers the span",
            422: "Invalid input; `errors` names each field",
        }
    ),
)


def _covered(principal: Principal, plan: TambonPlan) -> TambonPlan:
    not_found_unless_covered(
        principal,
        f"tambon plan {plan.id}",
        province=plan.province_code,
        district=plan.district_code,
        subdistrict=plan.subdistrict_code,
    )
    return plan


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TambonPlanPublic)
@idempotent
async def draft_tambon_plan(
    body: TambonPlanCreate, session: SessionDep, principal: Writer, request: Request
) -> TambonPlanPublic:
    """Store a draft plan (a new version when the tambon has plans already)."""
    forbid_unless_tambon_covered(principal, body.subdistrict_code)
    plan = await service.draft(session, body, principal)
    audit_resource(request, "tambon_plans", plan.id)
    return (await service.public(session, [plan]))[0]


@router.get("", response_model=TambonPlansPublic)
async def list_tambon_plans(
    session: SessionDep,
    principal: Reader,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    plan_status: Annotated[PlanStatus | None, Query(alias="status")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> TambonPlansPublic:
    """Plans in the caller's areas, every version (superseded ones are the history)."""
    where = service.PlanFilter(
        subdistrict_code=subdistrict_code, province_code=province_code, status=plan_status
    )
    found = await service.page(session, principal, where, Paging(decode_cursor(cursor), limit))
    return TambonPlansPublic(
        items=await service.public(session, found.items),
        next_cursor=encode_cursor(found.last) if found.last else None,
    )


@router.get("/{plan_id}", response_model=TambonPlanPublic)
async def get_tambon_plan(
    plan_id: uuid.UUID, session: SessionDep, principal: Reader
) -> TambonPlanPublic:
    plan = _covered(principal, await service.get(session, plan_id))
    return (await service.public(session, [plan]))[0]


@router.post("/{plan_id}/agreement", response_model=TambonPlanPublic)
@idempotent
async def agree_tambon_plan(
    plan_id: uuid.UUID,
    body: PlanDecision,
    session: SessionDep,
    principal: Writer,
    request: Request,
) -> TambonPlanPublic:
    """The tambon community council agreed the draft (เห็นชอบ): who and on what day."""
    plan = _covered(principal, await service.get(session, plan_id, for_update=True))
    plan = await service.agree(session, plan, body)
    audit_resource(request, "tambon_plans", plan.id)
    return (await service.public(session, [plan]))[0]


@router.post("/{plan_id}/adoption", response_model=TambonPlanPublic)
@idempotent
async def adopt_tambon_plan(
    plan_id: uuid.UUID,
    body: PlanDecision,
    session: SessionDep,
    principal: Writer,
    request: Request,
) -> TambonPlanPublic:
    """Adopt an agreed plan (ประกาศใช้); the adopted plan it supersedes, if any, becomes
    superseded. Publishes ``tambon_plan.adopted`` (and ``tambon_plan.superseded``)."""
    plan = _covered(principal, await service.get(session, plan_id, for_update=True))
    plan = await service.adopt(session, plan, body)
    audit_resource(request, "tambon_plans", plan.id)
    return (await service.public(session, [plan]))[0]


@router.post("/sheet", status_code=status.HTTP_201_CREATED, response_model=TambonPlansPublic)
async def upload_tambon_plan_sheet(
    session: SessionDep,
    principal: Writer,
    request: Request,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX, Thai or English headers")],
) -> TambonPlansPublic:
    """Draft every plan in a sheet: one row per line (รหัสตำบล, รหัส อปท.,
    ปีงบประมาณเริ่มต้น, จำนวนปี, ผู้จัดทำแผน, โครงการ, ปีงบประมาณ, ความต้องการ,
    จำนวนครัวเรือน, งบประมาณ (บาท), จำนวนชุมชน). All or nothing: a 422 names each bad
    cell as ``file.row.N.column``."""
    plans, problems = sheet.read_plans(file.filename or "plans", file.file)
    drafted = await service.draft_sheet(session, plans, problems, principal)
    for plan in drafted:
        audit_resource(request, "tambon_plans", plan.id)
    return TambonPlansPublic(items=await service.public(session, drafted), next_cursor=None)
