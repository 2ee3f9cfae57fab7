"""Builders for the events reporting consumes, and a way to apply them like the consumer.

``journey`` tells one household's story up to a stage, as the three services
would publish it (survey, construction, finance), one hour between events.
Tests override only what they are about.
"""

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from baan_shared.events import CloudEvent, EventData
from baan_shared.events.catalog import (
    BudgetAllocated,
    GrantApproved,
    GrantDisbursed,
    GrantRejected,
    HouseCancelled,
    HouseCompleted,
    HouseConstructionStarted,
    HouseholdApproved,
    HouseholdRejected,
    HouseholdSurveyed,
    HouseholdWaitlisted,
    HouseMilestoneReached,
    HousePlanned,
    HouseReadyToBuild,
    TambonPlanAdopted,
    TambonPlanLine,
)
from baan_shared.ids import new_id
from baan_testkit.delivery import deliver
from baan_testkit.events import cloud_event
from reporting.projections import summaries

T0 = datetime(2024, 11, 4, 9, 0, tzinfo=UTC)  # FY 2568 (Oct 2024 - Sep 2025)

AREAS = {
    "57": ("5701", "570101"),  # Chiang Rai, Mueang, Wiang
    "10": ("1038", "103801"),  # Bangkok, Lat Phrao
}

BAAN_PHO_PHIANG, CANAL = "BAAN_PHO_PHIANG", "CANAL"
CANAL_GRANT = 14_700_000  # 147,000 THB per canal household

StartApp = Callable[[], Awaitable[FastAPI]]
"""Starts one more reporting app on a fresh database (the ``start_app`` fixture)."""


@dataclass
class Household:
    """One household's identity and area, shared by every event about it."""

    programme: str = "BAAN_PHO_PHIANG"
    province_code: str = "57"
    fiscal_year: int = 2568
    household_id: uuid.UUID = field(default_factory=new_id)
    house_id: uuid.UUID = field(default_factory=new_id)
    grant_id: uuid.UUID = field(default_factory=new_id)
    community_id: uuid.UUID | None = None

    def area(self) -> dict[str, object]:
        district, subdistrict = AREAS.get(self.province_code, (None, None))
        return {
            "programme": self.programme,
            "province_code": self.province_code,
            "district_code": district,
            "subdistrict_code": subdistrict,
            "household_id": self.household_id,
            "community_id": self.community_id,
        }


def journey(
    stage: str,
    *,
    household: Household | None = None,
    start: datetime = T0,
    grant_satang: int = 2_000_000,
) -> list[CloudEvent]:
    """The events that take a household to ``stage``, in the order they happened.

    Stages: surveyed, approved, ready_to_build, under_construction, completed,
    waitlisted (approved, then its grant refused), rejected, cancelled.
    Grant tranches: 30% when ready, 40% at the start of building, 30% at completion.
    """
    h = household or Household()
    clock = itertools.count()
    events: list[CloudEvent] = []

    def emit(data: EventData) -> None:
        events.append(cloud_event(data, time=start + timedelta(hours=next(clock))))

    area = h.area()
    house = {**area, "house_id": h.house_id, "fiscal_year": h.fiscal_year}
    grant = {**area, "grant_id": h.grant_id, "fiscal_year": h.fiscal_year}
    tranches = [grant_satang * 3 // 10, grant_satang * 4 // 10]
    tranches.append(grant_satang - sum(tranches))
    paid = 0

    def disburse(tranche: int) -> None:
        nonlocal paid
        paid += tranches[tranche - 1]
        emit(
            GrantDisbursed(
                **grant,
                tranche=tranche,
                amount_satang=tranches[tranche - 1],
                payment_reference=f"PAY-{h.grant_id.hex[:8]}-{tranche}",
                disbursed_total_satang=paid,
            )
        )

    emit(HouseholdSurveyed(**area, household_size=4, surveyed_at=start))
    if stage == "surveyed":
        return events
    if stage == "rejected":
        emit(HouseholdRejected(**area, reason="income above the limit", decided_at=start))
        return events
    emit(
        HouseholdApproved(
            **area,
            fiscal_year=h.fiscal_year,
            household_size=4,
            need="rebuild",
            estimated_cost_satang=grant_satang,
            approved_at=start,
            approved_by="คณะกรรมการชุมชน",
        )
    )
    if stage == "waitlisted":
        emit(GrantRejected(**grant, reason="budget exhausted"))
        emit(
            HouseholdWaitlisted(
                **area, fiscal_year=h.fiscal_year, reason="grant rejected", decided_at=start
            )
        )
        return events
    emit(GrantApproved(**grant, amount_satang=grant_satang))
    emit(HousePlanned(**house, work_type="rebuild", estimated_cost_satang=grant_satang))
    if stage == "approved":
        return events
    if stage == "cancelled":
        emit(HouseCancelled(**house, reason="household moved away"))
        return events
    emit(HouseReadyToBuild(**house, ready_on=start.date()))
    disburse(1)
    if stage == "ready_to_build":
        return events
    emit(HouseConstructionStarted(**house, started_on=start.date()))
    disburse(2)
    emit(HouseMilestoneReached(**house, milestone="roof", percent=60, reached_on=start.date()))
    if stage == "under_construction":
        return events
    emit(
        HouseCompleted(
            **house, completed_on=start.date(), actual_cost_satang=grant_satang, labour_days=30
        )
    )
    disburse(3)
    assert stage == "completed", f"unknown stage {stage}"
    return events


def realistic_mix() -> list[CloudEvent]:
    """3 completed, 2 under construction, 1 ready to build, and the ways off the path,
    in two provinces (57 Chiang Rai, 10 Bangkok) and two programmes; one day apart."""
    plan = [
        (BAAN_PHO_PHIANG, "57", "completed"),
        (BAAN_PHO_PHIANG, "57", "under_construction"),
        (BAAN_PHO_PHIANG, "57", "ready_to_build"),
        (BAAN_PHO_PHIANG, "57", "surveyed"),
        (BAAN_PHO_PHIANG, "57", "waitlisted"),
        (BAAN_PHO_PHIANG, "57", "cancelled"),
        (BAAN_PHO_PHIANG, "10", "completed"),
        (CANAL, "10", "completed"),
        (CANAL, "10", "under_construction"),
        (CANAL, "10", "approved"),
        (CANAL, "10", "rejected"),
    ]
    events: list[CloudEvent] = []
    for day, (programme, province, stage) in enumerate(plan):
        events += journey(
            stage,
            household=Household(programme=programme, province_code=province),
            start=T0 + timedelta(days=day),
            grant_satang=CANAL_GRANT if programme == CANAL else 2_000_000,
        )
    return events


def latest_time(events: list[CloudEvent]) -> datetime:
    return max(event.time for event in events)


async def apply_events(app: FastAPI, events: list[CloudEvent]) -> None:
    """Apply each event as the consumer does: inbox row + projector, one commit per event."""
    await deliver(app, *events)


def target(**given: object) -> dict[str, object]:
    """One target as PUT /v1/targets takes it: Baan Pho Phiang, FY 2562 H1, Chiang Rai."""
    return {
        "programme": BAAN_PHO_PHIANG,
        "fiscal_year": 2562,
        "period": "h1",
        "area_level": "province",
        "area_code": "57",
        "unit": "households",
        "quantity": 11_500,
        **given,
    }


NOV_2018 = datetime(2018, 11, 5, 2, 0, tzinfo=UTC)  # FY 2562, first half
MAY_2019 = datetime(2019, 5, 6, 2, 0, tzinfo=UTC)  # FY 2562, second half


def households(
    count: int,
    stage: str,
    *,
    start: datetime,
    province: str = "57",
    programme: str = BAAN_PHO_PHIANG,
) -> list[CloudEvent]:
    """``count`` households of FY 2562 taken to ``stage``, one day apart from ``start``."""
    events: list[CloudEvent] = []
    for n in range(count):
        h = Household(programme=programme, province_code=province, fiscal_year=2562)
        events += journey(stage, household=h, start=start + timedelta(days=n))
    return events


def allocation(
    level: str, code: str, amount: int, *, total: int | None = None, **given: Any
) -> BudgetAllocated:
    """One allocation to a budget (FY 2562, Baan Pho Phiang unless given); its running
    total is the amount unless ``total`` says otherwise."""
    return BudgetAllocated(
        budget_id=given.pop("budget_id", new_id()),
        allocation_id=new_id(),
        programme=given.pop("programme", BAAN_PHO_PHIANG),
        fiscal_year=given.pop("fiscal_year", 2562),
        area_level=level,
        area_code=code,
        amount_satang=amount,
        allocated_total_satang=amount if total is None else total,
        **given,
    )


REGION_OF_PROVINCE = {"57": "N", "10": "BVE"}


def plan_line(
    fiscal_year: int,
    households: int,
    *,
    programme: str = BAAN_PHO_PHIANG,
    need: str = "repair",
    satang_per_household: int = 1_900_000,
    communities: int = 1,
) -> TambonPlanLine:
    """One line of a tambon plan: ``households`` to help in ``fiscal_year``."""
    return TambonPlanLine(
        programme=programme,
        fiscal_year=fiscal_year,
        need=need,
        households=households,
        budget_satang=households * satang_per_household,
        communities=communities,
    )


def tambon_plan(
    *lines: TambonPlanLine,
    subdistrict: str = "570101",
    adopted_on: date,
    plan_id: uuid.UUID | None = None,
    **given: Any,
) -> TambonPlanAdopted:
    """A three-year plan of ``subdistrict`` (Chiang Rai's Wiang unless given), adopted by
    its community council (สภาองค์กรชุมชนตำบล) from its first line's fiscal year."""
    return TambonPlanAdopted(
        plan_id=plan_id or new_id(),
        province_code=subdistrict[:2],
        district_code=subdistrict[:4],
        subdistrict_code=subdistrict,
        region_code=REGION_OF_PROVINCE[subdistrict[:2]],
        local_administration_code="5570101",
        first_fiscal_year=lines[0].fiscal_year,
        years=3,
        plan_version=1,
        adopted_by="สภาองค์กรชุมชนตำบล",
        adopted_on=adopted_on,
        lines=list(lines),
        **given,
    )


# The national long-term targets as PUT /v1/long-term-targets/{code} takes them
# (DOMAIN.md; seeds 000 and 003).
MASTER_PLAN = {
    "name_th": "แผนแม่บทการพัฒนาที่อยู่อาศัยระยะ 20 ปี (2560-2579)",
    "name_en": "20-year housing master plan (2017-2036)",
    "programmes": [],
    "first_fiscal_year": 2560,
    "last_fiscal_year": 2579,
    "households": 1_050_000,
    "source": "มติคณะรัฐมนตรี 2560 (seed 003)",
}
RURAL_5_YEAR = {
    "name_th": "บ้านพอเพียงชนบท เป้าหมาย 5 ปี",
    "name_en": "Baan Pho Phiang, 5-year target",
    "programmes": [BAAN_PHO_PHIANG],
    "first_fiscal_year": 2560,
    "last_fiscal_year": 2564,
    "households": 352_000,
    "source": "seed 000",
}
LONG_TERM_TARGETS = {"master-plan-20-year": MASTER_PLAN, "rural-5-year": RURAL_5_YEAR}


async def summary_rows(app: FastAPI, *, recomputed: bool) -> dict[str, set[tuple[Any, ...]]]:
    """Every summary table's cells that count anything, each summed over its slots;
    ``recomputed``: as the GROUP BY over the households makes them (in a transaction
    rolled back after)."""
    found: dict[str, set[tuple[Any, ...]]] = {}
    async with app.state.runtime.session_factory() as session:
        connection = await session.connection()
        if recomputed:
            await summaries.recompute(connection)
        for summary, keys, values in summaries.SUMMED:
            table = summary.name
            # A cell is the sum of its slots (each partition adds to a slot of its own).
            sums = ", ".join(f"SUM({value})" for value in values)
            rows = await connection.execute(
                text(f"SELECT {', '.join(keys)}, {sums} FROM {table} GROUP BY {', '.join(keys)}")
            )
            found[table] = {
                tuple(str(v) for v in row)
                for row in rows.all()
                if any(row[len(keys) :])  # a cell whose households all left it counts 0
            }
        await session.rollback()
    return found
