"""Projecting adopted tambon plans, and the plan-target-achieved report.

The report joins three figures per programme × area: what the adopted tambon
plans hold for the fiscal year (``planned_line``), the target and what was
achieved, both exactly as ``/v1/reports/targets`` counts them (the same service
call), so the three can never disagree with the other reports.
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import TambonPlanAdopted, TambonPlanSuperseded
from reporting.achievements import service as achievements
from reporting.achievements.schemas import TargetRow
from reporting.geography import AreaLevel, area_names
from reporting.plans import repository
from reporting.plans.models import PlannedLine
from reporting.plans.schemas import PlanReport, PlanRow


async def on_tambon_plan_adopted(
    session: AsyncSession, data: TambonPlanAdopted, event: CloudEvent
) -> None:
    if await repository.superseded(session, data.plan_id):
        return
    lines = [
        PlannedLine(
            plan_id=data.plan_id,
            programme=line.programme,
            fiscal_year=line.fiscal_year,
            need=line.need,
            region_code=data.region_code,
            province_code=data.province_code,
            district_code=data.district_code,
            subdistrict_code=data.subdistrict_code,
            households=line.households,
            budget_satang=line.budget_satang,
            communities=line.communities,
        )
        for line in data.lines
    ]
    await repository.replace_lines(session, data.plan_id, lines)


async def on_tambon_plan_superseded(
    session: AsyncSession, data: TambonPlanSuperseded, event: CloudEvent
) -> None:
    await repository.mark_superseded(session, uuid.UUID(str(data.plan_id)))


def _percent(part: int, whole: int | None) -> float | None:
    return achievements.percent(part, whole) if whole else None


async def plan_report(session: AsyncSession, query: achievements.TargetQuery) -> PlanReport:
    targets = await achievements.target_report(session, query)
    planned = await repository.planned_by_area(
        session,
        fiscal_year=query.fiscal_year,
        level=query.level,
        programme=query.programme,
        region=query.region,
        province_code=query.province_code,
        district_code=query.district_code,
        principal=query.principal,
    )
    scope_level, scope_code = query.scope
    planned_totals = await repository.planned_by_area(
        session,
        fiscal_year=query.fiscal_year,
        level=scope_level,
        programme=query.programme,
        region=query.region,
        province_code=query.province_code,
        district_code=query.district_code,
        principal=query.principal,
    )
    return PlanReport(
        as_of=targets.as_of,
        fiscal_year=query.fiscal_year,
        level=query.level,
        rows=_rows(query.level, planned, targets.rows),
        totals=_rows(scope_level, planned_totals, targets.totals, code=scope_code),
    )


def _rows(
    level: AreaLevel,
    planned: list[repository.Planned],
    achieved: list[TargetRow],
    code: str | None = None,
) -> list[PlanRow]:
    by_key = {(p.programme, code or p.area_code): p for p in planned}
    found = {(a.programme, code or a.area_code): a for a in achieved}
    rows = []
    for programme, area_code in sorted(set(by_key) | set(found), key=lambda k: (k[0], k[1] or "")):
        plan = by_key.get((programme, area_code))
        done = found.get((programme, area_code))
        households = plan.households if plan else 0
        target = done.target if done else None
        completed = done.completed if done else 0
        name_th, name_en = area_names(level, area_code) if area_code else (None, None)
        rows.append(
            PlanRow(
                programme=programme,
                area_level=level,
                area_code=area_code,
                area_name_th=name_th,
                area_name_en=name_en,
                planned_households=households,
                planned_budget_satang=plan.budget_satang if plan else 0,
                planned_communities=plan.communities if plan else 0,
                tambons_planned=plan.tambons if plan else 0,
                target=target,
                approved=done.approved if done else 0,
                completed=completed,
                planned_percent_of_target=_percent(households, target),
                completed_percent_of_plan=_percent(completed, households),
            )
        )
    return rows
