"""/v1/households: register, list, read, and screening decisions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, forbid_unless_covered, reveals_personal_data
from baan_shared.auth.audit import audit_resource
from baan_shared.errors import Unprocessable, field_error
from baan_shared.http.deps import ReadSessionDep, SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.reference import Programme
from survey.access import Approver, Reader, Writer
from survey.households import editing, eligibility, priority, service
from survey.households.listing import (
    HouseholdFilters,
    Sort,
    decode_cursor,
    encode_cursor,
    household_filters,
    sort_query,
)
from survey.households.models import Household, HouseholdEdit, HouseholdStatus
from survey.households.schemas import (
    ApprovalDecision,
    CommitteeMinutes,
    Decision,
    DecisionOutcome,
    DecisionsApplied,
    DuplicateReview,
    EligibilityCheck,
    HistoryEntry,
    HouseholdCreate,
    HouseholdDetail,
    HouseholdPublic,
    HouseholdsPublic,
    HouseholdUpdate,
    MemberAdd,
    MemberPublic,
    MemberUpdate,
    ProgrammeEligibility,
    Ranking,
    ReasonedDecision,
)
from survey.programmes import service as programmes
from survey.tables import MEDIA_TYPES, TableFormat, download, write_table

PROBLEMS = problem_responses(
    {
        404: "No such household",
        409: "The household's status does not allow this",
        422: "Invalid input; `errors` names each field",
    }
)

router = APIRouter(prefix="/v1/households", tags=["households"], responses=PROBLEMS)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=HouseholdDetail)
@idempotent
async def register_household(
    body: HouseholdCreate, session: SessionDep, principal: Writer, request: Request
) -> HouseholdDetail:
    """Register a surveyed household (สำรวจข้อมูล)."""
    forbid_unless_covered(
        principal,
        province=body.province_code,
        district=body.district_code,
        subdistrict=body.subdistrict_code,
    )
    household, members = await service.register(
        session, body, surveyed_by="survey-api", principal=principal
    )
    audit_resource(request, "households", household.id)
    reveal = await _reveals(session, request, principal, [household])
    return HouseholdDetail.with_members(household, members, viewer=principal, reveal=reveal)


async def _reveals(
    session: AsyncSession, request: Request, principal: Principal, households: list[Household]
) -> bool:
    """Whether the answer may carry these households' national IDs and phones;
    each one revealed is written to the audit log (who saw whose ID)."""
    return await reveals_personal_data(
        session,
        request,
        principal,
        resource_type="households",
        resource_ids=[h.id for h in households],
    )


Filters = Annotated[HouseholdFilters, Depends(household_filters)]
SortBy = Annotated[Sort, Depends(sort_query)]


@router.get("", response_model=HouseholdsPublic)
async def list_households(
    session: SessionDep,
    principal: Reader,
    request: Request,
    filters: Filters,
    sort: SortBy,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HouseholdsPublic:
    """Households by area (any level), programme, status, round, community or Thai text.

    Sorted by ``sort`` (ties by id), paged by an opaque ``cursor`` valid for that sort.
    """
    rows = await service.page(
        session,
        filters,
        sort=sort,
        after=decode_cursor(cursor, sort),
        limit=limit + 1,
        principal=principal,
    )
    items, more = rows[:limit], len(rows) > limit
    reveal = await _reveals(session, request, principal, [h for h, _ in items])
    return HouseholdsPublic(
        items=[HouseholdPublic.of(h, viewer=principal, reveal=reveal) for h, _ in items],
        next_cursor=encode_cursor(sort, items[-1][1], items[-1][0].id) if more else None,
    )


EXPORT_COLUMNS = (
    "id",
    "programme",
    "head_name",
    "national_id_masked",
    "province_code",
    "district_code",
    "subdistrict_code",
    "village",
    "community_id",
    "survey_round_id",
    "household_size",
    "monthly_income_satang",
    "need",
    "estimated_cost_satang",
    "house_condition",
    "land_tenure",
    "land_parcel_ref",
    "status",
    "status_reason",
    "eligible",
    "possible_duplicate",
    "fiscal_year",
    "approved_at",
    "created_at",
)
EXPORT_PAGE = 1000


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}},
)
async def export_households(
    session: SessionDep,
    principal: Reader,
    filters: Filters,
    sort: SortBy,
    format: TableFormat = TableFormat.CSV,
) -> Response:
    """The list, with the same filters and sort, as a CSV or XLSX file (national IDs masked)."""
    rows: list[list[object]] = []
    pages = service.every_page(session, filters, sort=sort, principal=principal, size=EXPORT_PAGE)
    async for page in pages:
        for household in page:
            public = HouseholdPublic.of(household, viewer=principal).model_dump(mode="json")
            rows.append([public[c] for c in EXPORT_COLUMNS])
    body = write_table(format, EXPORT_COLUMNS, rows)
    return Response(body, media_type=MEDIA_TYPES[format], headers=download(format, "households"))


WeightOverride = Annotated[
    float | None,
    Query(ge=0, le=100, description="Overrides the programme's saved weight"),
]


@router.get("/ranking", response_model=Ranking)
async def rank_households(
    session: SessionDep,
    principal: Reader,
    programme: Programme | None = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    status_: Annotated[
        HouseholdStatus, Query(alias="status", description="approved or waitlisted")
    ] = HouseholdStatus.APPROVED,
    weight_income: WeightOverride = None,
    weight_condition: WeightOverride = None,
    weight_vulnerable: WeightOverride = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> Ranking:
    """Who to help first when the budget is short: most need first, earliest approval on ties.

    Each household is weighed by its programme's saved weights
    (``PUT /v1/programmes/{code}/ranking-weights``); a ``weight_*`` parameter overrides one.
    """
    overrides = priority.WeightOverrides(weight_income, weight_condition, weight_vulnerable)
    weights = overrides.applied_to(await programmes.saved_weights(session))
    if any(w.total <= 0 for w in weights.values()):
        reason = "at least one weight must be above 0"
        raise Unprocessable(
            reason,
            errors=[
                field_error(f"query.{name}", reason, "invalid")
                for name in ("weight_income", "weight_condition", "weight_vulnerable")
            ],
        )
    return await service.ranking(
        session,
        weights,
        status=status_,
        programme=programme,
        province_code=province_code,
        subdistrict_code=subdistrict_code,
        limit=limit,
        principal=principal,
    )


@router.get("/{household_id}", response_model=HouseholdDetail)
async def get_household(
    household_id: uuid.UUID, session: ReadSessionDep, principal: Reader, request: Request
) -> HouseholdDetail:
    # One SELECT (the household and its members): no transaction around it.
    household, members = await service.get_covered_with_members(session, principal, household_id)
    reveal = await _reveals(session, request, principal, [household])
    return HouseholdDetail.with_members(household, members, viewer=principal, reveal=reveal)


@router.get("/{household_id}/possible-duplicates", response_model=list[HouseholdPublic])
async def possible_duplicates(
    household_id: uuid.UUID, session: SessionDep, principal: Reader, request: Request
) -> list[HouseholdPublic]:
    """Households with the same head name and address under another national ID."""
    household = await service.get_covered(session, principal, household_id)
    others = await service.look_alikes(session, household, principal)
    reveal = await _reveals(session, request, principal, others)
    return [HouseholdPublic.of(h, viewer=principal, reveal=reveal) for h in others]


@router.post("/{household_id}/not-a-duplicate", response_model=HouseholdPublic)
@idempotent
async def clear_duplicate_flag(
    household_id: uuid.UUID, body: DuplicateReview, session: SessionDep, principal: Writer
) -> HouseholdPublic:
    """A reviewer found the look-alikes to be different households: clear the flag."""
    await service.get_covered(session, principal, household_id)
    household = await service.clear_duplicate_flag(
        session, household_id, reviewed_by=body.reviewed_by, note=body.note
    )
    return HouseholdPublic.of(household, viewer=principal)


@router.get("/{household_id}/eligibility", response_model=list[ProgrammeEligibility])
async def household_eligibility(
    household_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    programme: Programme | None = None,
) -> list[ProgrammeEligibility]:
    """The household against each programme's current rules, rule by rule, with reasons."""
    household = await service.get_covered(session, principal, household_id)
    results = []
    for code in [programme] if programme else list(Programme):
        checks = await service.assess(session, household, code)
        results.append(
            ProgrammeEligibility(
                programme=code,
                eligible=eligibility.is_eligible(checks),
                checks=[
                    EligibilityCheck(**eligibility.shown(c.as_dict(), principal)) for c in checks
                ],
            )
        )
    return results


@router.get("/{household_id}/history", response_model=list[HistoryEntry])
async def household_history(
    household_id: uuid.UUID, session: SessionDep, principal: Reader
) -> list[HistoryEntry]:
    """Every decision and every correction, in the order entered (ids are time-ordered)."""
    await service.get_covered(session, principal, household_id)
    return [
        HistoryEntry.of_edit(entry)
        if isinstance(entry, HouseholdEdit)
        else HistoryEntry.of_transition(entry)
        for entry in await service.history(session, household_id)
    ]


@router.patch("/{household_id}", response_model=HouseholdDetail)
async def correct_household(
    household_id: uuid.UUID,
    body: HouseholdUpdate,
    session: SessionDep,
    principal: Writer,
    request: Request,
) -> HouseholdDetail:
    """Correct the survey: only the fields given change, each recorded in the history.

    Before a decision any field; after it only ``phone`` and ``notes`` (409 names the
    others). Eligibility and look-alike flags are judged again when what they read changes.
    """
    await service.get_covered(session, principal, household_id)
    if body.province_code or body.district_code or body.subdistrict_code:
        # Moving a household is placing it: only into the caller's own areas.
        current = await service.get(session, household_id)
        forbid_unless_covered(
            principal,
            province=body.province_code or current.province_code,
            district=body.district_code or current.district_code,
            subdistrict=body.subdistrict_code or current.subdistrict_code,
        )
    household = await editing.edit(session, household_id, body, principal)
    reveal = await _reveals(session, request, principal, [household])
    members = await service.members(session, household.id)
    return HouseholdDetail.with_members(household, members, viewer=principal, reveal=reveal)


@router.post(
    "/{household_id}/members", status_code=status.HTTP_201_CREATED, response_model=MemberPublic
)
@idempotent
async def add_member(
    household_id: uuid.UUID, body: MemberAdd, session: SessionDep, principal: Writer
) -> MemberPublic:
    """A member the survey missed; no more members than ``household_size`` (409)."""
    await service.get_covered(session, principal, household_id)
    member = await editing.add_member(session, household_id, body)
    return MemberPublic.model_validate(member, from_attributes=True)


@router.patch("/{household_id}/members/{member_id}", response_model=MemberPublic)
async def correct_member(
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    body: MemberUpdate,
    session: SessionDep,
    principal: Writer,
) -> MemberPublic:
    await service.get_covered(session, principal, household_id)
    member = await editing.update_member(session, household_id, member_id, body)
    return MemberPublic.model_validate(member, from_attributes=True)


@router.delete("/{household_id}/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    session: SessionDep,
    principal: Writer,
    edited_by: Annotated[str, Query(min_length=1, max_length=200)],
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    await service.get_covered(session, principal, household_id)
    await editing.remove_member(
        session, household_id, member_id, edited_by=edited_by, reason=reason
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{household_id}/screen", response_model=HouseholdPublic)
@idempotent
async def screen_household(
    household_id: uuid.UUID, body: Decision, session: SessionDep, principal: Approver
) -> HouseholdPublic:
    """Data checked and corrected (กลั่นกรองข้อมูล)."""
    await service.get_covered(session, principal, household_id)
    household = await service.decide(
        session,
        household_id,
        HouseholdStatus.SCREENED,
        decided_by=body.decided_by,
        reason=body.reason,
        decided_on=body.decided_on,
        viewer=principal,
    )
    return HouseholdPublic.of(household, viewer=principal)


@router.post("/{household_id}/approve", response_model=HouseholdPublic)
@idempotent
async def approve_household(
    household_id: uuid.UUID, body: ApprovalDecision, session: SessionDep, principal: Approver
) -> HouseholdPublic:
    """Selected by the community committee (คัดเลือก): publishes ``household.approved``.

    A household that fails its programme's rules is approved only with an
    ``override_reason``, which is recorded; otherwise 409 lists the failed checks.
    """
    await service.get_covered(session, principal, household_id)
    household = await service.decide(
        session,
        household_id,
        HouseholdStatus.APPROVED,
        decided_by=body.decided_by,
        reason=body.reason,
        decided_on=body.decided_on,
        override_reason=body.override_reason,
        viewer=principal,
    )
    return HouseholdPublic.of(household, viewer=principal)


@router.post("/{household_id}/reject", response_model=HouseholdPublic)
@idempotent
async def reject_household(
    household_id: uuid.UUID, body: ReasonedDecision, session: SessionDep, principal: Approver
) -> HouseholdPublic:
    await service.get_covered(session, principal, household_id)
    household = await service.decide(
        session,
        household_id,
        HouseholdStatus.REJECTED,
        decided_by=body.decided_by,
        reason=body.reason,
        decided_on=body.decided_on,
        viewer=principal,
    )
    return HouseholdPublic.of(household, viewer=principal)


@router.post("/{household_id}/waitlist", response_model=HouseholdPublic)
@idempotent
async def waitlist_household(
    household_id: uuid.UUID, body: ReasonedDecision, session: SessionDep, principal: Approver
) -> HouseholdPublic:
    await service.get_covered(session, principal, household_id)
    household = await service.decide(
        session,
        household_id,
        HouseholdStatus.WAITLISTED,
        decided_by=body.decided_by,
        reason=body.reason,
        decided_on=body.decided_on,
        viewer=principal,
    )
    return HouseholdPublic.of(household, viewer=principal)


decisions_router = APIRouter(
    prefix="/v1/household-decisions", tags=["households"], responses=PROBLEMS
)


@decisions_router.post(
    "",
    response_model=DecisionsApplied,
    responses=problem_responses(
        {
            409: "Some decisions are not allowed; `failures` lists each (index, household_id, "
            "reason) and nothing was applied",
            422: "Invalid minutes, or unknown households (`failures`); nothing was applied",
        }
    ),
)
@idempotent
async def record_committee_meeting(
    body: CommitteeMinutes, session: SessionDep, principal: Approver
) -> DecisionsApplied:
    """A committee meeting's minutes: screen, approve, reject or waitlist many households.

    All or nothing. Decisions apply in the order listed (a household may be screened
    and then approved in one meeting); each is dated ``decided_on``, which also sets
    the fiscal year of every event published.
    """
    households, decided_at = await service.decide_many(session, body, principal)
    return DecisionsApplied(
        decided_by=body.decided_by,
        decided_at=decided_at,
        applied=len(body.decisions),
        items=[
            DecisionOutcome(household_id=h.id, status=h.status, fiscal_year=h.fiscal_year)
            for h in households
        ],
    )
