"""Household rules: register, screen, approve, reject, waitlist.

Each change records its transition and its event in the caller's unit of
work; nothing here commits.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.events.catalog import (
    HouseholdApproved,
    HouseholdRejected,
    HouseholdSurveyed,
    HouseholdWaitlisted,
)
from baan_shared.fiscal import fiscal_year_at
from baan_shared.http.errors import Conflict, NotFound, Unprocessable
from baan_shared.ids import new_id
from baan_shared.outbox import record_event, record_events
from baan_shared.reference import Programme
from survey import SERVICE_NAME
from survey.communities import repository as communities
from survey.households import eligibility, priority, repository
from survey.households.duplicates import duplicate_key
from survey.households.models import (
    Household,
    HouseholdMember,
    HouseholdStatus,
    HouseholdTransition,
)
from survey.households.schemas import HouseholdCreate, HouseholdPublic, RankedHousehold, Ranking
from survey.households.screening import NEEDS_REASON, check_transition
from survey.programmes import service as programmes
from survey.rounds import repository as rounds

SOURCE = f"/services/{SERVICE_NAME}"


def _area(household: Household) -> dict[str, Any]:
    """What every household event carries: programme, area codes and community."""
    return {
        "programme": household.programme.value,
        "province_code": household.province_code,
        "district_code": household.district_code,
        "subdistrict_code": household.subdistrict_code,
        "community_id": household.community_id,
    }


def _invalid(field: str, reason: str) -> Unprocessable:
    return Unprocessable(reason, errors=[{"field": field, "reason": reason, "code": "invalid"}])


async def _check_round(session: AsyncSession, data: HouseholdCreate) -> HouseholdCreate:
    """The round and community must exist in the household's sub-district.

    A household registered by a community's round belongs to that community
    unless the body says which one.
    """
    if data.survey_round_id is not None:
        survey_round = await rounds.get(session, data.survey_round_id)
        if survey_round is None:
            reason = f"survey round {data.survey_round_id} does not exist"
            raise _invalid("body.survey_round_id", reason)
        if survey_round.subdistrict_code != data.subdistrict_code:
            reason = f"the round surveyed sub-district {survey_round.subdistrict_code}"
            raise _invalid("body.survey_round_id", reason)
        if data.community_id is None and survey_round.community_id is not None:
            data = data.model_copy(update={"community_id": survey_round.community_id})
    if data.community_id is not None:
        community = await communities.get(session, data.community_id)
        if community is None:
            raise _invalid("body.community_id", f"community {data.community_id} does not exist")
        if community.subdistrict_code != data.subdistrict_code:
            reason = f"the community is in sub-district {community.subdistrict_code}"
            raise _invalid("body.community_id", reason)
    return data


async def register(session: AsyncSession, data: HouseholdCreate, *, surveyed_by: str) -> Household:
    data = await _check_round(session, data)
    household = Household(**data.model_dump(exclude={"members"}))
    household.duplicate_key = duplicate_key(
        household.head_name, household.subdistrict_code, household.village
    )
    session.add(household)
    await session.flush()
    await _flag_duplicates(session, household)
    for position, member in enumerate(data.members, start=1):
        session.add(
            HouseholdMember(household_id=household.id, position=position, **member.model_dump())
        )
    session.add(
        HouseholdTransition(
            household_id=household.id, to_status=HouseholdStatus.SURVEYED, decided_by=surveyed_by
        )
    )
    await record_event(
        session,
        HouseholdSurveyed(
            household_id=household.id,
            household_size=household.household_size,
            surveyed_at=household.created_at,
            **_area(household),
        ),
        source=SOURCE,
    )
    return household


async def register_batch(
    session: AsyncSession, batch: list[HouseholdCreate], *, surveyed_by: str
) -> None:
    """Register many households (a sheet's batch) in a few statements, not a few per row.

    Same effects as ``register`` for each: transition, duplicate flags and a
    ``household.surveyed`` event; the caller has already checked the round.
    Core inserts: building ORM objects costs more than the database for 100,000 rows.
    """
    now = utcnow()
    empty = {c.name: None for c in Household.__table__.columns if c.name != "eligibility_checks"}
    households: list[dict[str, Any]] = []
    for data in batch:
        row = empty | data.model_dump(exclude={"members"})
        row |= {
            "id": new_id(),
            "status": HouseholdStatus.SURVEYED,
            "possible_duplicate": False,
            "duplicate_key": duplicate_key(data.head_name, data.subdistrict_code, data.village),
            "created_at": now,
            "updated_at": now,
        }
        households.append(row)
    await (await session.connection()).execute(insert(Household), households)
    transitions = [
        {
            "id": new_id(),
            "household_id": h["id"],
            "from_status": None,
            "to_status": HouseholdStatus.SURVEYED,
            "reason": None,
            "decided_by": surveyed_by,
            "decided_at": now,
        }
        for h in households
    ]
    await (await session.connection()).execute(insert(HouseholdTransition), transitions)
    await repository.flag_duplicate_keys(session, list({h["duplicate_key"] for h in households}))
    events = [
        HouseholdSurveyed(
            household_id=h["id"],
            household_size=h["household_size"],
            surveyed_at=now,
            programme=h["programme"].value,
            province_code=h["province_code"],
            district_code=h["district_code"],
            subdistrict_code=h["subdistrict_code"],
            community_id=h["community_id"],
        )
        for h in households
    ]
    await record_events(session, events, source=SOURCE)


async def _flag_duplicates(session: AsyncSession, household: Household) -> None:
    """Flag the new household and its look-alikes for review; nothing is blocked."""
    others = await repository.possible_duplicates(session, household)
    if not others:
        return
    for row in [household, *others]:
        row.possible_duplicate = True
        session.add(row)
    await session.flush()


async def clear_duplicate_flag(
    session: AsyncSession, household_id: uuid.UUID, *, reviewed_by: str, note: str
) -> Household:
    """A reviewer found the look-alikes to be different households."""
    household = await get(session, household_id, for_update=True)
    household.possible_duplicate = False
    household.notes = "\n".join(
        filter(None, [household.notes, f"not a duplicate ({reviewed_by}): {note}"])
    )
    household.updated_at = utcnow()
    session.add(household)
    await session.flush()
    return household


async def get(
    session: AsyncSession, household_id: uuid.UUID, *, for_update: bool = False
) -> Household:
    household = await repository.get(session, household_id, for_update=for_update)
    if household is None:
        raise NotFound(f"household {household_id} does not exist")
    return household


async def assess(
    session: AsyncSession, household: Household, programme: Programme | None = None
) -> list[eligibility.Check]:
    """The household against a programme's current rules (its own programme by default)."""
    rules = await programmes.get(session, programme or household.programme)
    assisted = await repository.approved_with_national_id(
        session, household.national_id, excluding=household.id
    )
    return eligibility.evaluate(household, rules, assisted)


def _record_assessment(household: Household, checks: list[eligibility.Check]) -> None:
    household.eligible = eligibility.is_eligible(checks)
    household.eligibility_checks = [c.as_dict() for c in checks]


async def decide(
    session: AsyncSession,
    household_id: uuid.UUID,
    target: HouseholdStatus,
    *,
    decided_by: str,
    reason: str | None = None,
    override_reason: str | None = None,
) -> Household:
    """Move a household to ``target`` if screening allows it, and say so on the bus.

    Screening and approval judge the household against its programme's rules;
    the committee approves an ineligible household only with an override reason.
    """
    household = await get(session, household_id, for_update=True)
    check_transition(household.status, target)
    if target in NEEDS_REASON and not reason:
        raise Conflict(f"a reason is required to make a household {target}")
    if target == HouseholdStatus.APPROVED:
        other = await repository.approved_with_national_id(
            session, household.national_id, excluding=household.id
        )
        if other is not None:
            # One household is helped once, whatever the programme or round.
            raise Conflict(
                "a household with this national ID is already approved",
                duplicate_of=str(other.id),
            )
    if target in (HouseholdStatus.SCREENED, HouseholdStatus.APPROVED):
        checks = await assess(session, household)
        if target == HouseholdStatus.APPROVED and not eligibility.is_eligible(checks):
            if not override_reason:
                failed = [c.as_dict() for c in checks if c.outcome == eligibility.Outcome.FAIL]
                raise Conflict(
                    "the household does not meet its programme's rules; "
                    "approve it only with an override_reason",
                    failed_checks=failed,
                )
            household.eligibility_override = override_reason
            reason = f"override: {override_reason}" + (f"; {reason}" if reason else "")
        _record_assessment(household, checks)
    now = utcnow()
    session.add(
        HouseholdTransition(
            household_id=household.id,
            from_status=household.status,
            to_status=target,
            reason=reason,
            decided_by=decided_by,
            decided_at=now,
        )
    )
    household.status = target
    household.status_reason = reason
    household.updated_at = now
    if target == HouseholdStatus.APPROVED:
        household.approved_at = now
        household.approved_by = decided_by
        household.fiscal_year = fiscal_year_at(now)
    session.add(household)
    await session.flush()
    await _publish_decision(session, household, target, reason or "", now)
    return household


async def _publish_decision(
    session: AsyncSession, household: Household, target: HouseholdStatus, reason: str, now: object
) -> None:
    area = _area(household)
    common = {"household_id": household.id, "fiscal_year": household.fiscal_year, **area}
    if target == HouseholdStatus.APPROVED:
        await record_event(
            session,
            HouseholdApproved(
                **common,
                household_size=household.household_size,
                need=household.need.value,
                estimated_cost_satang=household.estimated_cost_satang,
                approved_at=household.approved_at,
                approved_by=household.approved_by or "",
            ),
            source=SOURCE,
        )
    elif target == HouseholdStatus.REJECTED:
        await record_event(
            session, HouseholdRejected(**common, reason=reason, decided_at=now), source=SOURCE
        )
    elif target == HouseholdStatus.WAITLISTED:
        await record_event(
            session, HouseholdWaitlisted(**common, reason=reason, decided_at=now), source=SOURCE
        )


async def ranking(
    session: AsyncSession,
    weights: priority.Weights,
    *,
    status: HouseholdStatus,
    programme: Programme | None,
    province_code: str | None,
    subdistrict_code: str | None,
    limit: int,
) -> Ranking:
    rows = await repository.rankable(
        session,
        status=status,
        programme=programme,
        province_code=province_code,
        subdistrict_code=subdistrict_code,
    )
    scored = []
    for household, vulnerable in rows:
        f = priority.factors(household, vulnerable)
        scored.append((priority.score(f, weights), f, vulnerable, household))
    never = datetime.max.replace(tzinfo=UTC)
    scored.sort(key=lambda s: (-s[0], s[3].approved_at or never, s[3].id))
    return Ranking(
        weights={
            "income": weights.income,
            "condition": weights.condition,
            "vulnerable": weights.vulnerable,
        },
        items=[
            RankedHousehold(
                rank=rank,
                score=total,
                income_factor=f.income,
                condition_factor=f.condition,
                vulnerable_factor=f.vulnerable,
                vulnerable_members=vulnerable,
                household=HouseholdPublic.of(household),
            )
            for rank, (total, f, vulnerable, household) in enumerate(scored[:limit], start=1)
        ],
    )
