"""The rules of a tambon plan.

- It belongs to one tambon, spans 3 or 5 fiscal years, and names the local
  administration (อปท.) that co-plans it; the administration must serve the
  tambon's province (and district, when it has one).
- Every line falls inside the span; one line per programme × year × need.
- draft → agreed (the tambon community council, สภาองค์กรชุมชนตำบล) → adopted, each
  step with who and on what day. Only one adopted plan covers a tambon's fiscal
  year: a new version names the plan it supersedes, and adopting it marks that one
  superseded (kept, with its lines, as history). Adopting a plan that overlaps an
  adopted one it does not supersede is a 409.
- Adoption and supersession are published (``survey.tambon_plans``) in the same
  transaction as the change.
"""

import uuid
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, reference_unless_covered, unknown_reference
from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.events.catalog import TambonPlanAdopted, TambonPlanSuperseded
from baan_shared.events.catalog import TambonPlanLine as LineData
from baan_shared.outbox import record_event
from baan_shared.pages import Page, Paging
from survey import SERVICE_NAME
from survey.administrations import repository as administrations
from survey.areas.service import region_of
from survey.plans import repository
from survey.plans.models import PlanStatus, TambonPlan, TambonPlanLine
from survey.plans.repository import PlanFilter
from survey.plans.schemas import PlanDecision, PlanLine, TambonPlanCreate, TambonPlanPublic

SOURCE = f"/services/{SERVICE_NAME}"


def _problem(field: str, value: object, reason: str, code: str) -> dict[str, Any]:
    return field_error(field, reason, code, value=value)


def line_problems(data: TambonPlanCreate, at: str = "body") -> list[dict[str, Any]]:
    """Lines outside the span or repeated: plain rules, no database."""
    last = data.first_fiscal_year + data.years - 1
    found = []
    seen: dict[tuple[str, int, str], int] = {}
    for index, line in enumerate(data.lines):
        if not data.first_fiscal_year <= line.fiscal_year <= last:
            found.append(
                _problem(
                    f"{at}.lines.{index}.fiscal_year",
                    line.fiscal_year,
                    f"outside the plan's span, fiscal years {data.first_fiscal_year}-{last}",
                    "out-of-span",
                )
            )
        key = (line.programme.value, line.fiscal_year, line.need.value)
        if key in seen:
            found.append(
                _problem(
                    f"{at}.lines.{index}",
                    "/".join(map(str, key)),
                    f"same programme, year and need as {at}.lines.{seen[key]}",
                    "duplicate",
                )
            )
        seen.setdefault(key, index)
    return found


async def administration_problems(
    session: AsyncSession, data: TambonPlanCreate, at: str = "body"
) -> list[dict[str, Any]]:
    field = f"{at}.local_administration_code"
    code = data.local_administration_code
    found = await administrations.get(session, code)
    if found is None:
        return [_problem(field, code, "no local administration has this code", "unknown")]
    if found.province_code != data.subdistrict_code[:2] or (
        found.district_code is not None and found.district_code != data.subdistrict_code[:4]
    ):
        where = found.district_code or found.province_code
        reason = f"the administration serves {where}, not sub-district {data.subdistrict_code}"
        return [_problem(field, code, reason, "not-serving")]
    return []


async def draft(session: AsyncSession, data: TambonPlanCreate, principal: Principal) -> TambonPlan:
    """Check everything, then store the draft and its lines; a bad plan stores nothing."""
    found = line_problems(data) + await administration_problems(session, data)
    if found:
        raise Unprocessable("The plan is not valid; nothing was stored", errors=found)
    if data.supersedes_plan_id is not None:
        await _check_supersedes(session, data, principal)
    code = data.subdistrict_code
    plan = TambonPlan(
        **data.model_dump(exclude={"lines"}),
        province_code=code[:2],
        district_code=code[:4],
        version=await repository.latest_version(session, code) + 1,
        status=PlanStatus.DRAFT,
    )
    session.add(plan)
    await session.flush()
    for line in data.lines:
        session.add(TambonPlanLine(plan_id=plan.id, **line.model_dump(mode="json")))
    await session.flush()
    return plan


async def _check_supersedes(
    session: AsyncSession, data: TambonPlanCreate, principal: Principal
) -> None:
    field = "body.supersedes_plan_id"
    old = await repository.get(session, data.supersedes_plan_id)
    if old is None:
        raise unknown_reference(field, "tambon plan", data.supersedes_plan_id)
    reference_unless_covered(
        principal,
        field,
        "tambon plan",
        old.id,
        province=old.province_code,
        district=old.district_code,
        subdistrict=old.subdistrict_code,
    )
    if old.subdistrict_code != data.subdistrict_code:
        reason = f"that plan is for sub-district {old.subdistrict_code}, not this one"
        raise Unprocessable(reason, errors=[_problem(field, old.id, reason, "other-tambon")])
    if old.status != PlanStatus.ADOPTED:
        reason = f"only an adopted plan can be superseded; that one is {old.status.value}"
        raise Unprocessable(reason, errors=[_problem(field, old.id, reason, "not-adopted")])


async def get(session: AsyncSession, plan_id: uuid.UUID, *, for_update: bool = False) -> TambonPlan:
    plan = await repository.get(session, plan_id, for_update=for_update)
    if plan is None:
        raise does_not_exist(f"tambon plan {plan_id}")
    return plan


def _illegal(plan: TambonPlan, action: str, needs: PlanStatus) -> Conflict:
    reason = f"the plan is {plan.status.value}; only a {needs.value} plan can be {action}"
    return Conflict(reason, errors=[_problem("path.plan_id", plan.id, reason, "status")])


async def agree(session: AsyncSession, plan: TambonPlan, decision: PlanDecision) -> TambonPlan:
    if plan.status != PlanStatus.DRAFT:
        raise _illegal(plan, "agreed", PlanStatus.DRAFT)
    plan.status, plan.agreed_by, plan.agreed_on = PlanStatus.AGREED, decision.by, decision.on
    session.add(plan)
    await session.flush()
    return plan


async def adopt(session: AsyncSession, plan: TambonPlan, decision: PlanDecision) -> TambonPlan:
    if plan.status != PlanStatus.AGREED:
        raise _illegal(plan, "adopted", PlanStatus.AGREED)
    if plan.agreed_on is not None and decision.on < plan.agreed_on:
        reason = f"cannot be adopted before it was agreed ({plan.agreed_on})"
        raise Unprocessable(reason, errors=[_problem("body.on", decision.on, reason, "too-early")])
    overlapping = await repository.adopted_overlapping(
        session, plan.subdistrict_code, plan.first_fiscal_year, plan.last_fiscal_year
    )
    for other in overlapping:
        if other.id != plan.supersedes_plan_id:
            reason = (
                f"sub-district {plan.subdistrict_code} already has an adopted plan for fiscal "
                f"years {other.first_fiscal_year}-{other.last_fiscal_year} (plan {other.id}); "
                "draft a new version that supersedes it"
            )
            raise Conflict(
                reason,
                errors=[_problem("supersedes_plan_id", plan.supersedes_plan_id, reason, "overlap")],
            )
    if plan.supersedes_plan_id is not None:
        old = await get(session, plan.supersedes_plan_id, for_update=True)
        if old.status != PlanStatus.ADOPTED:
            reason = f"the plan it supersedes is {old.status.value}, no longer adopted"
            raise Conflict(
                reason,
                errors=[_problem("supersedes_plan_id", old.id, reason, "status")],
            )
        old.status = PlanStatus.SUPERSEDED
        old.superseded_by_plan_id, old.superseded_on = plan.id, decision.on
        session.add(old)
        await record_event(
            session,
            TambonPlanSuperseded(
                **_where(old), superseded_by_plan_id=plan.id, superseded_on=decision.on
            ),
            source=SOURCE,
        )
    plan.status, plan.adopted_by, plan.adopted_on = PlanStatus.ADOPTED, decision.by, decision.on
    session.add(plan)
    await session.flush()
    lines = (await repository.lines_of(session, [plan.id]))[plan.id]
    await record_event(session, adopted_event(plan, lines, decision.on), source=SOURCE)
    return plan


def _where(plan: TambonPlan) -> dict[str, Any]:
    return {
        "plan_id": plan.id,
        "province_code": plan.province_code,
        "district_code": plan.district_code,
        "subdistrict_code": plan.subdistrict_code,
        "region_code": region_of(plan.province_code),
    }


def adopted_event(plan: TambonPlan, lines: list[TambonPlanLine], on: date) -> TambonPlanAdopted:
    return TambonPlanAdopted(
        **_where(plan),
        local_administration_code=plan.local_administration_code,
        first_fiscal_year=plan.first_fiscal_year,
        years=plan.years,
        plan_version=plan.version,
        adopted_by=plan.adopted_by or "",
        adopted_on=on,
        supersedes_plan_id=plan.supersedes_plan_id,
        lines=[
            LineData(
                programme=line.programme,
                fiscal_year=line.fiscal_year,
                need=line.need.value,
                households=line.households,
                budget_satang=line.budget_satang,
                communities=line.communities,
            )
            for line in lines
        ],
    )


async def public(session: AsyncSession, plans: list[TambonPlan]) -> list[TambonPlanPublic]:
    lines = await repository.lines_of(session, [p.id for p in plans])
    result = []
    for plan in plans:
        mine = lines.get(plan.id, [])
        result.append(
            TambonPlanPublic(
                **plan.model_dump(),
                last_fiscal_year=plan.last_fiscal_year,
                households=sum(line.households for line in mine),
                budget_satang=sum(line.budget_satang for line in mine),
                lines=[PlanLine.model_validate(line, from_attributes=True) for line in mine],
            )
        )
    return result


def _on_sheet(problem: dict[str, Any], rows: list[int]) -> dict[str, Any]:
    """``body.lines.N.x`` → ``file.row.R.x`` (R the line's sheet row); plan fields → its first."""
    parts = problem["field"].split(".")
    if len(parts) > 2 and parts[1] == "lines":
        row, column = rows[int(parts[2])], ".".join(parts[3:]) or "line"
    else:
        row, column = rows[0], ".".join(parts[1:])
    return {**problem, "field": f"file.row.{row}.{column}"}


async def draft_sheet(
    session: AsyncSession,
    plans: list[tuple[list[int], TambonPlanCreate]],
    problems: list[dict[str, Any]],
    principal: Principal,
) -> list[TambonPlan]:
    """Every plan of a sheet as a draft, or none: all problems are reported at once."""
    found = list(problems)
    for rows, data in plans:
        code = data.subdistrict_code
        if not principal.covers(code[:2], code[:4], code):
            found.append(
                _problem(
                    f"file.row.{rows[0]}.subdistrict_code",
                    code,
                    "outside the client's areas",
                    "area",
                )
            )
            continue
        for problem in line_problems(data) + await administration_problems(session, data):
            found.append(_on_sheet(problem, rows))
    if found:
        raise Unprocessable("The sheet has problems; no plan was stored", errors=found)
    return [await draft(session, data, principal) for _, data in plans]


# --- reads the router serves (the repository behind the service) ----------------------


async def page(
    session: AsyncSession, principal: Principal, where: PlanFilter, paging: Paging
) -> Page[TambonPlan]:
    """The caller's plans in id order (time-ordered: oldest first), after ``after``."""
    return await repository.page(session, principal, where, paging)
