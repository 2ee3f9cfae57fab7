"""Household rules: register, screen, approve, reject, waitlist.

Each change records its transition and its event in the caller's unit of
work; nothing here commits.
"""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import (
    Principal,
    does_not_exist,
    mask_national_id,
    not_found_unless_covered,
    reference_unless_covered,
    taken_elsewhere,
    unknown_reference,
)
from baan_shared.clock import THAILAND, thai_date, utcnow
from baan_shared.db import insert_rows, update_rows
from baan_shared.errors import Conflict, Unprocessable, invalid
from baan_shared.events.catalog import (
    EventData,
    HouseholdApproved,
    HouseholdRejected,
    HouseholdSurveyed,
    HouseholdWaitlisted,
)
from baan_shared.fiscal import fiscal_year_at
from baan_shared.ids import new_id
from baan_shared.outbox import record_event, record_events
from baan_shared.reference import Programme
from survey import SOURCE
from survey.communities import repository as communities
from survey.households import eligibility, priority, repository
from survey.households.duplicates import duplicate_key
from survey.households.listing import Cursor, HouseholdFilters, Sort
from survey.households.models import (
    Household,
    HouseholdEdit,
    HouseholdMember,
    HouseholdStatus,
    HouseholdTransition,
)
from survey.households.schemas import (
    DECISION_TARGETS,
    CommitteeMinutes,
    HouseholdCreate,
    HouseholdPublic,
    RankedHousehold,
    Ranking,
)
from survey.households.screening import NEEDS_REASON, check_transition
from survey.programmes import service as programmes
from survey.programmes.models import ProgrammeRules
from survey.rounds import repository as rounds


def _area(household: Household) -> dict[str, Any]:
    """What every household event carries: programme, area codes and community."""
    return {
        "programme": household.programme.value,
        "province_code": household.province_code,
        "district_code": household.district_code,
        "subdistrict_code": household.subdistrict_code,
        "community_id": household.community_id,
    }


async def check_round(
    session: AsyncSession, data: HouseholdCreate, principal: Principal
) -> HouseholdCreate:
    """The round and community must exist in the household's sub-district.

    A household registered by a community's round belongs to that community
    unless the body says which one. A round or community outside the caller's
    areas is refused exactly as an unknown id (``unknown_reference``).
    """
    if data.survey_round_id is not None:
        field = "body.survey_round_id"
        survey_round = await rounds.get(session, data.survey_round_id)
        if survey_round is None:
            raise unknown_reference(field, "survey round", data.survey_round_id)
        reference_unless_covered(
            principal,
            field,
            "survey round",
            data.survey_round_id,
            province=survey_round.province_code,
            district=survey_round.district_code,
            subdistrict=survey_round.subdistrict_code,
        )
        if survey_round.subdistrict_code != data.subdistrict_code:
            reason = f"the round surveyed sub-district {survey_round.subdistrict_code}"
            raise invalid("body.survey_round_id", reason, "invalid")
        if data.community_id is None and survey_round.community_id is not None:
            data = data.model_copy(update={"community_id": survey_round.community_id})
    if data.community_id is not None:
        field = "body.community_id"
        community = await communities.get(session, data.community_id)
        if community is None:
            raise unknown_reference(field, "community", data.community_id)
        reference_unless_covered(
            principal,
            field,
            "community",
            data.community_id,
            province=community.province_code,
            district=community.district_code,
            subdistrict=community.subdistrict_code,
        )
        if community.subdistrict_code != data.subdistrict_code:
            reason = f"the community is in sub-district {community.subdistrict_code}"
            raise invalid("body.community_id", reason, "invalid")
    return data


async def register(
    session: AsyncSession, data: HouseholdCreate, *, surveyed_by: str, principal: Principal
) -> tuple[Household, list[HouseholdMember]]:
    """The household and its members, registered (not read back: the answer is built
    from what was written). Plain inserts, as ``register_batch`` writes them: the ORM's
    unit of work cost more than the statements on this path (issue 17)."""
    data = await check_round(session, data, principal)
    now = utcnow()
    row: dict[str, Any] = data.model_dump(exclude={"members"})
    row |= {
        "id": new_id(),
        "status": HouseholdStatus.SURVEYED,
        "duplicate_key": duplicate_key(data.head_name, data.subdistrict_code, data.village),
        "created_at": now,
        "updated_at": now,
    }
    members = [
        {"id": new_id(), "household_id": row["id"], "position": position, **member.model_dump()}
        for position, member in enumerate(data.members, start=1)
    ]
    transition = _surveyed(row["id"], surveyed_by, now)
    row["possible_duplicate"] = await repository.insert_new(session, row, transition, members)
    household = Household(**row)
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
    return household, [HouseholdMember(**member) for member in members]


def _surveyed(household_id: uuid.UUID, surveyed_by: str, now: datetime) -> dict[str, Any]:
    """A new household's first transition (to surveyed), as a row."""
    return {
        "id": new_id(),
        "household_id": household_id,
        "from_status": None,
        "to_status": HouseholdStatus.SURVEYED,
        "reason": None,
        "decided_by": surveyed_by,
        "decided_at": now,
        "recorded_at": now,
    }


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
    transitions = [_surveyed(h["id"], surveyed_by, now) for h in households]
    await (await session.connection()).execute(insert(HouseholdTransition), transitions)
    members = [
        {"id": new_id(), "household_id": h["id"], "position": position, **member.model_dump()}
        for h, data in zip(households, batch, strict=True)
        for position, member in enumerate(data.members, start=1)
    ]
    if members:
        await (await session.connection()).execute(insert(HouseholdMember), members)
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


async def flag_duplicates(session: AsyncSession, household: Household) -> None:
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
        raise does_not_exist(f"household {household_id}")
    return household


async def get_covered(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> Household:
    """The household, if it lies in the caller's areas; another area's answers the
    same 404 as a missing one, so a partner cannot learn that it exists."""
    household = await get(session, household_id)
    _not_found_unless_covered(principal, household)
    return household


async def get_covered_with_members(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> tuple[Household, list[HouseholdMember]]:
    """``get_covered`` and the household's members, read together."""
    found = await repository.get_with_members(session, household_id)
    if found is None:
        raise does_not_exist(f"household {household_id}")
    _not_found_unless_covered(principal, found[0])
    return found


def _not_found_unless_covered(principal: Principal, household: Household) -> None:
    not_found_unless_covered(
        principal,
        f"household {household.id}",
        province=household.province_code,
        district=household.district_code,
        subdistrict=household.subdistrict_code,
    )


# --- reads the router serves (the repository behind the service) ----------------------


async def members(session: AsyncSession, household_id: uuid.UUID) -> list[HouseholdMember]:
    """The household's members in the order they were surveyed."""
    return await repository.members(session, household_id)


async def page(
    session: AsyncSession,
    filters: HouseholdFilters,
    *,
    sort: Sort,
    after: Cursor | None,
    limit: int,
    principal: Principal,
) -> list[tuple[Household, Any]]:
    """A page of the caller's households in ``sort`` order, each with its sort key for
    the next cursor; ``priority`` ranks with each programme's saved weights."""
    return await repository.page(
        session,
        filters,
        sort=sort,
        after=after,
        limit=limit,
        principal=principal,
        weights=await programmes.saved_weights(session),
    )


async def every_page(
    session: AsyncSession, filters: HouseholdFilters, *, sort: Sort, principal: Principal, size: int
) -> AsyncIterator[list[Household]]:
    """The whole list in pages of ``size`` (an export), one query a page."""
    after: Cursor | None = None
    while True:
        rows = await page(session, filters, sort=sort, after=after, limit=size, principal=principal)
        yield [household for household, _ in rows]
        if len(rows) < size:
            return
        after = Cursor(sort.text, rows[-1][1], rows[-1][0].id)


async def look_alikes(
    session: AsyncSession, household: Household, principal: Principal
) -> list[Household]:
    """Households in the caller's areas with the same head name and address under
    another national ID."""
    return await repository.possible_duplicates(session, household, principal)


async def history(
    session: AsyncSession, household_id: uuid.UUID
) -> list[HouseholdTransition | HouseholdEdit]:
    """Every decision and every correction, in the order entered (ids are time-ordered)."""
    decisions = await repository.transitions(session, household_id)
    edits = await repository.edits(session, household_id)
    entries: list[HouseholdTransition | HouseholdEdit] = [*decisions, *edits]
    return sorted(entries, key=lambda entry: entry.id)


async def assess(
    session: AsyncSession, household: Household, programme: Programme | None = None
) -> list[eligibility.Check]:
    """The household against a programme's current rules (its own programme by default)."""
    rules = await programmes.get(session, programme or household.programme)
    assisted = await repository.approved_with_national_id(
        session, household.national_id, excluding=household.id
    )
    return eligibility.evaluate(household, rules, assisted)


def record_assessment(household: Household, checks: list[eligibility.Check]) -> None:
    household.eligible = eligibility.is_eligible(checks)
    household.eligibility_checks = [c.as_dict() for c in checks]


def decision_moment(decided_on: date | None, now: datetime) -> datetime:
    """When a decision counts as made: now, or the committee meeting's date.

    A past meeting is placed at noon Thai time, so its UTC and Thai dates agree
    and its fiscal year is the meeting's, whatever the time of recording.
    """
    if decided_on is None or decided_on >= thai_date(now):
        return now
    return datetime.combine(decided_on, time(12), tzinfo=THAILAND).astimezone(UTC)


def _apply_decision(
    household: Household,
    target: HouseholdStatus,
    *,
    decided_by: str,
    reason: str | None,
    override_reason: str | None,
    decided_at: datetime,
    recorded_at: datetime,
    rules: ProgrammeRules,
    approved_elsewhere: Household | None,
    viewer: Principal | None,
) -> tuple[dict[str, Any], EventData | None]:
    """Move one household to ``target`` in memory, or raise Conflict and change nothing;
    the transition to record (its columns) and the event to publish.

    Screening and approval judge the household against its programme's rules;
    the committee approves an ineligible household only with an override reason.
    ``approved_elsewhere`` is another approved household with the same national ID;
    ``viewer`` (None: the service itself) decides how much of it a refusal names.
    """
    check_transition(household.status, target)
    if target in NEEDS_REASON and not reason:
        raise Conflict(f"a reason is required to make a household {target}")
    if target == HouseholdStatus.APPROVED and approved_elsewhere is not None:
        # One household is helped once, whatever the programme, round or area.
        raise already_approved(household, approved_elsewhere, viewer)
    checks: list[eligibility.Check] | None = None
    if target in (HouseholdStatus.SCREENED, HouseholdStatus.APPROVED):
        checks = eligibility.evaluate(household, rules, approved_elsewhere)
        if target == HouseholdStatus.APPROVED and not eligibility.is_eligible(checks):
            if not override_reason:
                failed = [
                    eligibility.shown(c.as_dict(), viewer)
                    for c in checks
                    if c.outcome == eligibility.Outcome.FAIL
                ]
                raise Conflict(
                    "the household does not meet its programme's rules; "
                    "approve it only with an override_reason",
                    failed_checks=failed,
                )
            household.eligibility_override = override_reason
            reason = f"override: {override_reason}" + (f"; {reason}" if reason else "")
    if checks is not None:
        record_assessment(household, checks)
    # The transition as its columns: a meeting's thousand are written by one Core INSERT.
    transition: dict[str, Any] = {
        "id": new_id(),
        "household_id": household.id,
        "from_status": household.status,
        "to_status": target,
        "reason": reason,
        "decided_by": decided_by,
        "decided_at": decided_at,
        "recorded_at": recorded_at,
    }
    household.status = target
    household.status_reason = reason
    household.updated_at = recorded_at
    if target == HouseholdStatus.APPROVED:
        household.approved_at = decided_at
        household.approved_by = decided_by
        household.fiscal_year = fiscal_year_at(decided_at)
    return transition, _decision_event(household, target, reason or "", decided_at)


def already_approved(household: Household, other: Household, viewer: Principal | None) -> Conflict:
    """409: the national ID is approved in another case. A caller whose areas hold the
    other case (or the service itself) learns which one; any other caller only that it
    is taken elsewhere and who resolves it, never its id, programme or area."""
    if viewer is None or viewer.covers(
        other.province_code, other.district_code, other.subdistrict_code
    ):
        return Conflict(
            "a household with this national ID is already approved",
            duplicate_of=str(other.id),
        )
    masked = mask_national_id(household.national_id)
    conflict = taken_elsewhere("national_id", "national ID", masked)
    # The shared rule's words, and which national rule the value is taken under.
    conflict.detail += (
        " (a household with this national ID is already approved: one household is helped once)"
    )
    return conflict


async def decide(
    session: AsyncSession,
    household_id: uuid.UUID,
    target: HouseholdStatus,
    *,
    decided_by: str,
    reason: str | None = None,
    override_reason: str | None = None,
    decided_on: date | None = None,
    viewer: Principal | None = None,
) -> Household:
    """Move a household to ``target`` if screening allows it, and say so on the bus.

    ``viewer`` is the caller (None: the service itself, e.g. a consumer)."""
    household = await get(session, household_id, for_update=True)
    rules = await programmes.get(session, household.programme)
    approved_elsewhere = await repository.approved_with_national_id(
        session, household.national_id, excluding=household.id
    )
    now = utcnow()
    transition, event = _apply_decision(
        household,
        target,
        decided_by=decided_by,
        reason=reason,
        override_reason=override_reason,
        decided_at=decision_moment(decided_on, now),
        recorded_at=now,
        rules=rules,
        approved_elsewhere=approved_elsewhere,
        viewer=viewer,
    )
    session.add(household)
    session.add(HouseholdTransition(**transition))
    await session.flush()
    if event is not None:
        await record_event(session, event, source=SOURCE)
    return household


async def decide_many(
    session: AsyncSession, minutes: CommitteeMinutes, principal: Principal
) -> tuple[list[Household], datetime]:
    """A committee meeting's decisions: all of them, or none and every reason why.

    Items apply in order, so one meeting may screen a household and then approve
    it. Reads are a few set-based queries and writes one batch per table, so a
    meeting's 1,000 decisions cost about as much as a handful of single ones.
    """
    ids = list(dict.fromkeys(item.household_id for item in minutes.decisions))
    # Another area's household is reported exactly as an unknown one: its existence stays hidden.
    by_id = {
        h.id: h
        for h in await repository.get_many(session, ids, for_update=True)
        if principal.covers(h.province_code, h.district_code, h.subdistrict_code)
    }
    approved = await repository.approved_by_national_id(
        session, list({h.national_id for h in by_id.values()})
    )
    rules_of: dict[Programme, ProgrammeRules] = {}
    now = utcnow()
    decided_at = decision_moment(minutes.decided_on, now)
    transitions: list[dict[str, Any]] = []
    events: list[EventData] = []
    failures: list[dict[str, Any]] = []
    for index, item in enumerate(minutes.decisions):
        household = by_id.get(item.household_id)
        if household is None:
            failures.append(
                {
                    "index": index,
                    "household_id": str(item.household_id),
                    "reason": does_not_exist(f"household {item.household_id}").detail,
                    "code": "not_found",
                }
            )
            continue
        if household.programme not in rules_of:
            rules_of[household.programme] = await programmes.get(session, household.programme)
        elsewhere = approved.get(household.national_id)
        try:
            transition, event = _apply_decision(
                household,
                DECISION_TARGETS[item.decision],
                decided_by=minutes.decided_by,
                reason=item.reason,
                override_reason=item.override_reason,
                decided_at=decided_at,
                recorded_at=now,
                rules=rules_of[household.programme],
                approved_elsewhere=elsewhere if elsewhere is not household else None,
                viewer=principal,
            )
        except Conflict as conflict:
            codes = [e.get("code") for e in conflict.errors or []]
            failures.append(
                {
                    "index": index,
                    "household_id": str(item.household_id),
                    "reason": conflict.detail,
                    "code": "taken-elsewhere" if "taken-elsewhere" in codes else "conflict",
                    **conflict.extra,
                }
            )
            continue
        if household.status == HouseholdStatus.APPROVED:
            approved[household.national_id] = household
        elif approved.get(household.national_id) is household:
            del approved[household.national_id]
        transitions.append(transition)
        if event is not None:
            events.append(event)
    if failures:
        # Nothing was written: the request's unit of work rolls the in-memory changes back.
        detail = f"{len(failures)} of {len(minutes.decisions)} decisions cannot be applied"
        if all(f["code"] == "not_found" for f in failures):
            raise Unprocessable(
                detail,
                failures=failures,
                errors=[
                    error
                    for f in failures
                    for error in unknown_reference(
                        f"body.decisions.{f['index']}.household_id", "household", f["household_id"]
                    ).errors
                    or []
                ],
            )
        raise Conflict(detail, failures=failures)
    # A meeting decides thousands at once: the decisions' columns in one statement, the
    # households out of the session (its flush would write them again, one UPDATE each),
    # the transitions by one batch of rows.
    for household in by_id.values():
        session.expunge(household)
    await update_rows(
        session,
        Household.__table__,
        "id",
        DECIDED_COLUMNS,
        [(h.id, *(getattr(h, c) for c in DECIDED_COLUMNS)) for h in by_id.values()],
    )
    await insert_rows(session, HouseholdTransition.__table__, transitions)
    await record_events(session, events, source=SOURCE)
    return [by_id[i] for i in ids], decided_at


DECIDED_COLUMNS = (
    "status",
    "status_reason",
    "updated_at",
    "approved_at",
    "approved_by",
    "fiscal_year",
    "eligibility_override",
    "eligible",
    "eligibility_checks",
)
"""What a decision may change on a household (``_apply_decision``, ``record_assessment``)."""


def _decision_event(
    household: Household, target: HouseholdStatus, reason: str, decided_at: datetime
) -> EventData | None:
    """The event a decision publishes; its fiscal year is the decision's, not today's."""
    common = {
        "household_id": household.id,
        "fiscal_year": fiscal_year_at(decided_at),
        **_area(household),
    }
    if target == HouseholdStatus.APPROVED:
        return HouseholdApproved(
            **common,
            household_size=household.household_size,
            need=household.need.value,
            estimated_cost_satang=household.estimated_cost_satang,
            approved_at=decided_at,
            approved_by=household.approved_by or "",
        )
    if target == HouseholdStatus.REJECTED:
        return HouseholdRejected(**common, reason=reason, decided_at=decided_at)
    if target == HouseholdStatus.WAITLISTED:
        return HouseholdWaitlisted(**common, reason=reason, decided_at=decided_at)
    return None


async def ranking(
    session: AsyncSession,
    weights: dict[Programme, priority.Weights],
    *,
    status: HouseholdStatus,
    programme: Programme | None,
    province_code: str | None,
    subdistrict_code: str | None,
    limit: int,
    principal: Principal,
) -> Ranking:
    """Households by need, each weighed by its programme's weights."""
    rows = await repository.rankable(
        session,
        status=status,
        programme=programme,
        province_code=province_code,
        subdistrict_code=subdistrict_code,
        principal=principal,
    )
    scored = []
    for household, vulnerable in rows:
        f = priority.factors(household, vulnerable)
        scored.append((priority.score(f, weights[household.programme]), f, vulnerable, household))
    never = datetime.max.replace(tzinfo=UTC)
    scored.sort(key=lambda s: (-s[0], s[3].approved_at or never, s[3].id))
    # One set of weights to show when the ranking used one: a programme's, or the same everywhere.
    distinct = set(weights.values())
    shown = weights[programme] if programme is not None else None
    if shown is None and len(distinct) == 1:
        shown = distinct.pop()
    return Ranking(
        weights=_weights_dict(shown) if shown is not None else None,
        weights_by_programme={str(code): _weights_dict(w) for code, w in weights.items()},
        items=[
            RankedHousehold(
                rank=rank,
                score=total,
                income_factor=f.income,
                condition_factor=f.condition,
                vulnerable_factor=f.vulnerable,
                vulnerable_members=vulnerable,
                household=HouseholdPublic.of(household, viewer=principal),
            )
            for rank, (total, f, vulnerable, household) in enumerate(scored[:limit], start=1)
        ],
    )


def _weights_dict(weights: priority.Weights) -> dict[str, float]:
    return {
        "income": weights.income,
        "condition": weights.condition,
        "vulnerable": weights.vulnerable,
    }
