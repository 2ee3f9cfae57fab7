"""Issue 14: a write that names no id must not reach another area's objects either.

Such writes act on the caller's areas as a whole (``POST /v1/loans/arrears-review``
marks the loans in arrears) or create a record in an area the body names (refused
outside the caller's areas by ``forbid_unless_covered``). Each driven write is sent
by each caller; the answer names none of the other area's ids, and the national
office reads every object of the other area (every GET whose path holds ids) the same
before and after.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from cross_area.routes import Request, all_cases, operations
from cross_area.seed import local_administration, local_administration_body
from cross_area.stage import CALLERS, PLACES, SERVICES, Caller, Stage, World
from cross_area.walk import call, changed, foreign_ids, snapshot

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _plan_sheet(place: str) -> bytes:
    """A plan sheet (Thai headers) of one 3-year plan for ``place``'s tambon, drafted
    with its own อปท. (the one seeded there), for years no seeded plan covers."""
    header = (
        "รหัสตำบล,รหัส อปท.,ปีงบประมาณเริ่มต้น,จำนวนปี,ผู้จัดทำแผน,โครงการ,ปีงบประมาณ,"
        "ความต้องการ,จำนวนครัวเรือน,งบประมาณ (บาท),จำนวนชุมชน"
    )
    tambon = PLACES[place]["subdistrict_code"]
    row = [tambon, local_administration(place), 2580, 3, "เครือข่ายตำบล"]
    row += ["บ้านพอเพียงชนบท", 2580, "ซ่อมแซม", 4, "76000", 1]
    return f"{header}\n{','.join(str(cell) for cell in row)}\n".encode()


DRIVEN: dict[tuple[str, str, str], Callable[[Caller], Request]] = {
    ("finance", "POST", "/v1/loans/arrears-review"): lambda caller: {
        "params": {"as_of": "2027-12-31"}  # every seeded loan is past due by then
    },
    ("survey", "POST", "/v1/tambon-plans/sheet"): lambda caller: {
        "files": {"file": ("plans.csv", _plan_sheet(caller.own), "text/csv")}
    },
}
"""Writes without ids, and the request each caller sends."""

OWN_IN_ANSWER = {("finance", "POST", "/v1/loans/arrears-review"): ("loan_id",)}
"""What the answer must name of the caller's own area (the write did reach it)."""

_PLACES_ITS_RECORD = (
    "creates a record in the area its body names, refused outside the caller's areas "
    "(forbid_unless_covered); names no other area's object"
)
_NATIONAL = "national administration (admin scope), not open to a client bound to areas"

LISTED: dict[tuple[str, str, str], str] = {
    ("survey", "POST", "/v1/communities"): _PLACES_ITS_RECORD,
    ("survey", "PUT", "/v1/programmes/{code}"): _NATIONAL,
    ("survey", "PUT", "/v1/programmes/{code}/ranking-weights"): _NATIONAL,
    ("construction", "POST", "/v1/projects"): _PLACES_ITS_RECORD,
    ("construction", "PUT", "/v1/milestone-templates/{programme}/{work_type}"): _NATIONAL,
    ("finance", "POST", "/v1/budgets"): _PLACES_ITS_RECORD,
    ("finance", "POST", "/v1/revolving-funds"): _PLACES_ITS_RECORD,
    ("finance", "POST", "/v1/bank-statements/file"): (
        "its ids are in a CSV file, not in the request's schema: test_files_with_ids.py walks them"
    ),
    ("reporting", "PUT", "/v1/targets"): _PLACES_ITS_RECORD,
    ("welfare", "POST", "/v1/funds"): _PLACES_ITS_RECORD,
}
"""Writes without ids that are not driven here, and why."""

NATIONAL_ONLY: dict[tuple[str, str, str], Callable[[Caller], Request]] = {
    # The other area's อปท., renamed: a caller bound to areas may not touch the list.
    ("survey", "PUT", "/v1/local-administrations"): lambda caller: {
        "json": {"items": [{**local_administration_body(caller.elsewhere), "name_th": "ใหม่"}]}
    },
    # A record of the other area's tambon: history is the national office's to load.
    ("reporting", "PUT", "/v1/historical-achievements"): lambda caller: {
        "json": {
            "items": [
                {
                    "programme": "BAAN_PHO_PHIANG",
                    "fiscal_year": 2550,
                    "place_kind": "subdistrict",
                    "place_key": PLACES[caller.elsewhere]["subdistrict_code"],
                    "households": 7,
                    "source": "รายงานประจำปี",
                }
            ]
        }
    },
    # A national long-term target: the country's, not any area's.
    ("reporting", "PUT", "/v1/long-term-targets/{code}"): lambda caller: {
        "url": "/v1/long-term-targets/rural-5-year",
        "json": {
            "name_th": "บ้านพอเพียงชนบท เป้าหมาย 5 ปี",
            "name_en": "Baan Pho Phiang, 5-year target",
            "programmes": ["BAAN_PHO_PHIANG"],
            "first_fiscal_year": 2560,
            "last_fiscal_year": 2564,
            "households": 352_000,
            "source": "seed 000",
        },
    },
}
"""Writes without ids open to national clients alone, and what a caller bound to areas
sends (``url`` when the path holds a code): each is refused (403) and changes nothing,
while the national office's same request is accepted (so the refusal is the areas',
not the body's)."""


async def _elsewhere_as_national(world: World, caller: Caller) -> dict[str, Any]:
    """The national office's reads of every object of the caller's elsewhere."""
    reads = [
        case
        for case in all_cases()
        if case.operation.service == world.service
        and case.operation.method == "GET"
        and case.swapped == case.operation.slots
        and all(slot.where == "path" for slot in case.swapped)
    ]
    async with world.national() as national:
        return {
            case.name: await call(
                national, case, world, foreign_ids(case, world, caller), caller.own
            )
            for case in reads
        }


@pytest.mark.parametrize("caller", CALLERS, ids=[caller.name for caller in CALLERS])
@pytest.mark.parametrize("key", list(DRIVEN), ids=[f"{s} {m} {p}" for s, m, p in DRIVEN])
async def test_a_write_without_ids_leaves_other_areas_alone(
    stage: Stage, key: tuple[str, str, str], caller: Caller
) -> None:
    service, method, path = key
    world = await stage.world(service)
    before = await _elsewhere_as_national(world, caller)
    async with world.caller(caller) as client:
        answer = await client.request(method, path, **DRIVEN[key](caller))
    after = await _elsewhere_as_national(world, caller)
    assert answer.status_code < 400, answer.text
    for own in OWN_IN_ANSWER.get(key, ()):
        assert world.ids[caller.own][own] in answer.text, f"the caller's own {own} is not in it"
    ids = [v for v in world.ids[caller.elsewhere].values() if UUID.match(v)]
    assert not [i for i in ids if i in answer.text], answer.text
    changed = {
        name: (before[name].show(), after[name].show())
        for name in before
        if before[name] != after[name]
    }
    assert not changed, changed


@pytest.mark.parametrize("caller", CALLERS, ids=[caller.name for caller in CALLERS])
@pytest.mark.parametrize(
    "key", list(NATIONAL_ONLY), ids=[f"{s} {m} {p}" for s, m, p in NATIONAL_ONLY]
)
async def test_a_national_write_is_refused_to_a_caller_bound_to_areas_and_changes_nothing(
    stage: Stage, key: tuple[str, str, str], caller: Caller
) -> None:
    service, method, path = key
    world = await stage.world(service)
    before = await snapshot(world)
    request = NATIONAL_ONLY[key](caller)
    url = request.pop("url", path)  # a path with a code in it names the one to set
    async with world.caller(caller) as client:
        answer = await client.request(method, url, **request)
    after = await snapshot(world)
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert not changed(before, after)
    async with world.national() as national:
        accepted = await national.request(method, url, **request)
    assert accepted.status_code == 200, accepted.text


def test_every_write_without_ids_is_driven_or_listed() -> None:
    writes = {
        (o.service, o.method, o.path)
        for service in SERVICES
        for o in operations(service)
        if o.method != "GET" and not o.slots
    }
    known = set(DRIVEN) | set(LISTED) | set(NATIONAL_ONLY)
    assert not writes - known, sorted(writes - known)
    assert not known - writes, "DRIVEN, LISTED or NATIONAL_ONLY names no such write"
