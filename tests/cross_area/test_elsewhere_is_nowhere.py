"""Issue 14: for a client bound to one area, another area's objects do not exist.

Every route of every service that carries an id (in its path, its query or its
body) is called by a client bound to province 50 twice: once naming province 57's
object, once naming a random id of the same shape. Once the id is masked, the two
answers must be identical (status, content type and body): another area's id in a
path or query answers exactly as a missing one (404 ``does_not_exist``), a body
reference exactly as an unknown one (422 ``unknown_reference`` naming the field).
And nothing may change: every table of the service's database (but the audit trail)
and its stored files are the same before and after (docs/adr/0003-partner-access.md,
baan_shared.auth.areas). On SQLite and on PostgreSQL.

A route that leaks today is marked ``xfail(strict=True)`` in ``LEAKS`` with what
leaks: once it is fixed the mark fails the run, telling whoever fixed it to remove it.
"""

from __future__ import annotations

from typing import Any

import pytest
from cross_area.routes import NOT_WALKED, SLOTS_NOT_WALKED, Case, all_cases, operations
from cross_area.stage import CALLERS, PLACES, SERVICES, Caller, Stage
from cross_area.walk import Answer, call, changed, foreign_ids, random_ids, snapshot

LEAKS: dict[str, str] = {}
"""What leaks today (issue 14), each a strict xfail: by case name for every caller, or
``"<caller>: <case name>"`` for one."""


def _params() -> list[Any]:
    found = []
    for caller in CALLERS:
        for case in all_cases():
            marks = []
            leak = LEAKS.get(f"{caller.name}: {case.name}") or LEAKS.get(case.name)
            if leak:
                marks.append(pytest.mark.xfail(strict=True, reason=f"issue 14: {leak}"))
            found.append(pytest.param(caller, case, id=f"{caller.name}: {case.name}", marks=marks))
    return found


@pytest.mark.parametrize(("caller", "case"), _params())
async def test_another_areas_id_answers_as_a_random_one(
    stage: Stage, caller: Caller, case: Case
) -> None:
    world = await stage.world(case.operation.service)
    before = await snapshot(world)
    async with world.caller(caller) as client:
        elsewhere = await call(client, case, world, foreign_ids(case, world, caller), caller.own)
        nowhere = await call(client, case, world, random_ids(case), caller.own)
    after = await snapshot(world)

    problems = []
    if {elsewhere.status, nowhere.status} & {401, 403, 429}:
        problems.append(f"refused before the id was read: {elsewhere.show()}")
    if elsewhere != nowhere:
        where = PLACES[caller.elsewhere]["subdistrict_code"]
        problems.append(f"id from {where}: {elsewhere.show()}\n   random id: {nowhere.show()}")
    if nowhere.status == 422 and not names_a_swapped_slot(case, nowhere):
        problems.append(f"the request is not otherwise valid: {nowhere.show()}")
    if case.operation.method != "GET" and not refused_as_missing(case, nowhere):
        problems.append(f"a random id is not refused as missing: {nowhere.show()}")
    if difference := changed(before, after):
        problems.append(f"the data changed: {difference}")
    assert not problems, "\n".join(problems)


def refused_as_missing(case: Case, answer: Answer) -> bool:
    """A write naming a random id is refused for it: 404 for an id in the path, else a
    422 naming the body field. Anything else means the request was not otherwise valid
    (or the id is not checked), and the walk would prove nothing."""
    if any(slot.where == "path" for slot in case.swapped):
        return answer.status == 404
    return answer.status == 422 and names_a_swapped_slot(case, answer)


def names_a_swapped_slot(case: Case, answer: Answer) -> bool:
    """The problem's errors name one of the swapped slots (``body.house_work_ids.0``)."""
    errors = answer.body.get("errors", []) if isinstance(answer.body, dict) else []
    named = {str(error.get("field")) for error in errors}
    wanted = {f"{slot.where}.{slot.name.replace('.N', '.0')}" for slot in case.swapped}
    return bool(named & wanted)


def test_every_route_is_walked_or_listed() -> None:
    """A route with an id that is neither walked nor listed in ``NOT_WALKED`` (with the
    reason) fails here; so does a listing that names no route any more."""
    walked = {(c.operation.service, c.operation.method, c.operation.path) for c in all_cases()}
    served = {(o.service, o.method, o.path): o for s in SERVICES for o in operations(s)}
    unwalked = [
        str(operation)
        for key, operation in served.items()
        if operation.slots and key not in walked and key not in NOT_WALKED
    ]
    assert not unwalked, f"routes carrying ids that nothing walks: {unwalked}"
    stale = [key for key in NOT_WALKED if key not in served]
    assert not stale, f"NOT_WALKED names routes no service answers: {stale}"
    slots = {(*key, str(slot)) for key, o in served.items() for slot in o.slots}
    stale_slots = [key for key in SLOTS_NOT_WALKED if key not in slots]
    assert not stale_slots, f"SLOTS_NOT_WALKED names slots no route has: {stale_slots}"
    stale_leaks = sorted(set(LEAKS) - {c.name for c in all_cases()})
    assert not stale_leaks, f"LEAKS names cases that no longer exist: {stale_leaks}"


UNSEEN_OWN: dict[tuple[str, str], str] = {}
"""(caller, case) where the caller may not read its own area's object, and why."""


@pytest.mark.parametrize("caller", CALLERS, ids=[caller.name for caller in CALLERS])
@pytest.mark.parametrize("service", SERVICES)
async def test_both_areas_objects_are_there(stage: Stage, service: str, caller: Caller) -> None:
    """The walk proves something only if the other area's ids name real objects and the
    caller may read its own: the national office reads each of the other area's objects,
    the caller each of its own (every GET whose path holds ids), with a 200."""
    world = await stage.world(service)
    reads = [
        case
        for case in all_cases()
        if case.operation.service == service
        and case.operation.method == "GET"
        and case.swapped == case.operation.slots
        and all(slot.where == "path" for slot in case.swapped)
    ]
    failing = {}
    async with world.national() as national, world.caller(caller) as client:
        for case in reads:
            elsewhere = await call(
                national, case, world, foreign_ids(case, world, caller), caller.own
            )
            own = await call(client, case, world, {}, caller.own)
            if elsewhere.status != 200:
                failing[f"{case.name} (national, elsewhere)"] = elsewhere.show()[:200]
            unseen = (caller.name, case.name) in UNSEEN_OWN
            if (own.status != 200) != unseen:
                what = "listed in UNSEEN_OWN but read" if unseen else own.show()[:200]
                failing[f"{case.name} (caller, its own)"] = what
    assert not failing, failing
