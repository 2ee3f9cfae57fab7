"""Elsewhere is nowhere (issue 14): for a caller bound to areas, another area's record
does not exist. Every survey route with an id in its path, query or body answers
another area's id exactly as it answers an id that names nothing (once the id is
masked), a refused write changes nothing, and the national rule "one household is
helped once" still holds across areas without naming the other case to anyone whose
areas do not hold it. National clients keep the details.

Each test runs on SQLite and on PostgreSQL (started by the test tooling).
"""

import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from survey_auth import ClientFor
from survey_factories import CHIANG_RAI, csv_bytes, household_body, national_id, sheet_row

from baan_shared.auth import RESOLVED_BY, Principal
from baan_shared.auth.scopes import AUDIT_READ, SURVEY_APPROVE, SURVEY_READ, SURVEY_WRITE
from baan_testkit.areas import foreign_rows

CHIANG_MAI = {"province_code": "50", "district_code": "5001", "subdistrict_code": "500101"}
CHIANG_MAI_ROW = {"รหัสจังหวัด": "50", "รหัสอำเภอ": "5001", "รหัสตำบล": "500101"}
CHIANG_RAI_ROW = {"รหัสจังหวัด": "57", "รหัสอำเภอ": "5701", "รหัสตำบล": "570101"}
STAFF = (SURVEY_READ, SURVEY_WRITE, SURVEY_APPROVE)
PARTNER = "chiang-mai-office"
RUN_ON_BOTH_DATABASES = True  # conftest's app on SQLite, then on PostgreSQL
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4


@dataclass(frozen=True)
class Elsewhere:
    """A partner bound to ``areas`` (holding Chiang Mai's 500101) and a place outside them."""

    areas: list[str]
    area: dict[str, str]

    @property
    def principal(self) -> Principal:
        return Principal.of(PARTNER, areas=self.areas)

    @property
    def row(self) -> dict[str, str]:
        return {
            "รหัสจังหวัด": self.area["province_code"],
            "รหัสอำเภอ": self.area["district_code"],
            "รหัสตำบล": self.area["subdistrict_code"],
        }


IN_CHIANG_RAI = Elsewhere(["50"], CHIANG_RAI)
LEVELS = [
    pytest.param(IN_CHIANG_RAI, id="province"),
    pytest.param(
        Elsewhere(
            ["5001"], {"province_code": "50", "district_code": "5002", "subdistrict_code": "500203"}
        ),
        id="district",
    ),
    pytest.param(
        Elsewhere(
            ["500101"],
            {"province_code": "50", "district_code": "5001", "subdistrict_code": "500102"},
        ),
        id="sub-district",
    ),
]


@pytest.fixture
def national(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The national office: conftest's client (every survey scope, personal data)."""
    return client


@pytest.fixture
async def partner(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """Chiang Mai's office (province 50): survey, committee decisions, no personal data."""
    async with client_for(PARTNER, STAFF, ["50"]) as http:
        yield http


async def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


async def _place(
    writer: httpx.AsyncClient, area: dict[str, str], row: dict[str, str]
) -> dict[str, str]:
    """A community, a survey round, a surveyed household with a member and a photo, and
    an import job, all made by ``writer`` in ``area``."""
    code = area["subdistrict_code"]
    community = await _ok(
        await writer.post(
            "/v1/communities", json={"name": "ชุมชน", "kind": "community", "subdistrict_code": code}
        )
    )
    survey_round = await _ok(
        await writer.post(
            "/v1/survey-rounds",
            json={"subdistrict_code": code, "run_by": "อบต.", "started_on": "2026-11-01"},
        )
    )
    body = household_body(**area, members=[{"age": 70, "sex": "female"}])
    household = await _ok(await writer.post("/v1/households", json=body))
    photo = await _ok(
        await writer.post(
            f"/v1/households/{household['id']}/photos",
            files={"file": ("photo", JPEG, "image/jpeg")},
            data={"subject": "house", "uploaded_by": "อาสาสมัคร"},
        )
    )
    job = await _ok(
        await writer.post(
            "/v1/household-imports",
            files={"file": ("survey.csv", csv_bytes([sheet_row(**row)]))},
            data={"imported_by": "อบต."},
        )
    )
    plan = await _ok(await writer.post("/v1/tambon-plans", json=_plan_body(area)))
    for step in ("agreement", "adoption"):
        await _ok(await writer.post(f"/v1/tambon-plans/{plan['id']}/{step}", json=PLAN_STEP), 200)
    return {
        "household_id": household["id"],
        "member_id": household["members"][0]["id"],
        "photo_id": photo["id"],
        "community_id": community["id"],
        "survey_round_id": survey_round["id"],
        "round_id": survey_round["id"],
        "import_id": job["id"],
        "plan_id": plan["id"],
    }


PLAN_STEP = {"by": "สภาองค์กรชุมชนตำบล", "on": "2026-11-20"}


def _administration(area: dict[str, str]) -> str:
    """The official code of the area's own อปท. (made up: 9 and the sub-district)."""
    return "9" + area["subdistrict_code"]


def _plan_body(area: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """A 3-year tambon plan for ``area`` drafted by its network with its own อปท."""
    return {
        "subdistrict_code": area["subdistrict_code"],
        "local_administration_code": _administration(area),
        "first_fiscal_year": 2570,
        "years": 3,
        "drafted_by": "เครือข่ายตำบล",
        "lines": [
            {
                "programme": "BAAN_PHO_PHIANG",
                "fiscal_year": 2570,
                "need": "repair",
                "households": 10,
                "budget_satang": 19_000_000,
                "communities": 1,
            }
        ],
        **overrides,
    }


async def _load_administrations(national: httpx.AsyncClient, *areas: dict[str, str]) -> None:
    """The national office loads each area's อปท. (a plan must name a known one)."""
    items = [
        {
            "code": _administration(area),
            "name_th": f"อบต. {area['subdistrict_code']}",
            "kind": "subdistrict_administration",
            "province_code": area["province_code"],
            "district_code": area["district_code"],
        }
        for area in areas
    ]
    await _ok(await national.put("/v1/local-administrations", json={"items": items}), 200)


# --- every route with an id, and how to call it ------------------------------------------

Ids = dict[str, str]


@dataclass(frozen=True)
class Route:
    """How to call one operation: ``build(ids)`` gives the url and request arguments;
    ``slots`` are where the request carries an id, by the kind of id each holds."""

    method: str
    path: str
    slots: dict[str, str]
    build: Callable[[Ids], tuple[str, dict[str, Any]]]


def _household_url(suffix: str = "") -> Callable[[Ids], str]:
    return lambda ids: f"/v1/households/{ids['household_id']}{suffix}"


def _plan_url(suffix: str) -> Callable[[Ids], str]:
    return lambda ids: f"/v1/tambon-plans/{ids['plan_id']}{suffix}"


def _json(url: Callable[[Ids], str], body: dict[str, Any]) -> Callable[[Ids], Any]:
    return lambda ids: (url(ids), {"json": body})


DECISION = {"decided_by": "คณะกรรมการชุมชน", "reason": "เหตุผล"}
ROUTES = [
    Route("GET", "/v1/households/{household_id}", {"path.household_id": "household_id"},
          lambda ids: (_household_url()(ids), {})),
    Route("GET", "/v1/households/{household_id}/history", {"path.household_id": "household_id"},
          lambda ids: (_household_url("/history")(ids), {})),
    Route("GET", "/v1/households/{household_id}/eligibility",
          {"path.household_id": "household_id"},
          lambda ids: (_household_url("/eligibility")(ids), {})),
    Route("GET", "/v1/households/{household_id}/possible-duplicates",
          {"path.household_id": "household_id"},
          lambda ids: (_household_url("/possible-duplicates")(ids), {})),
    Route("GET", "/v1/households/{household_id}/photos", {"path.household_id": "household_id"},
          lambda ids: (_household_url("/photos")(ids), {})),
    Route("GET", "/v1/households/{household_id}/photos/{photo_id}/content",
          {"path.household_id": "household_id", "path.photo_id": "photo_id"},
          lambda ids: (_household_url(f"/photos/{ids['photo_id']}/content")(ids), {})),
    Route("PATCH", "/v1/households/{household_id}",
          {"path.household_id": "household_id", "body.survey_round_id": "survey_round_id",
           "body.community_id": "community_id"},
          lambda ids: (_household_url()(ids), {"json": {
              "edited_by": "ผู้ประสานงาน", "survey_round_id": ids["survey_round_id"],
              "community_id": ids["community_id"], "village": "หมู่ 4"}})),
    Route("POST", "/v1/households/{household_id}/members", {"path.household_id": "household_id"},
          _json(_household_url("/members"), {"age": 12, "sex": "male", "edited_by": "x"})),
    Route("PATCH", "/v1/households/{household_id}/members/{member_id}",
          {"path.household_id": "household_id", "path.member_id": "member_id"},
          lambda ids: (_household_url(f"/members/{ids['member_id']}")(ids),
                       {"json": {"age": 71, "edited_by": "x"}})),
    Route("DELETE", "/v1/households/{household_id}/members/{member_id}",
          {"path.household_id": "household_id", "path.member_id": "member_id"},
          lambda ids: (_household_url(f"/members/{ids['member_id']}")(ids),
                       {"params": {"edited_by": "x", "reason": "ย้ายออก"}})),
    Route("POST", "/v1/households/{household_id}/not-a-duplicate",
          {"path.household_id": "household_id"},
          _json(_household_url("/not-a-duplicate"), {"reviewed_by": "x", "note": "คนละคน"})),
    Route("POST", "/v1/households/{household_id}/photos", {"path.household_id": "household_id"},
          lambda ids: (_household_url("/photos")(ids), {
              "files": {"file": ("photo", JPEG, "image/jpeg")},
              "data": {"subject": "land", "uploaded_by": "x"}})),
    *(
        Route("POST", f"/v1/households/{{household_id}}/{step}",
              {"path.household_id": "household_id"},
              _json(_household_url(f"/{step}"), DECISION))
        for step in ("screen", "approve", "reject", "waitlist")
    ),
    Route("POST", "/v1/household-decisions", {"body.decisions.N.household_id": "household_id"},
          lambda ids: ("/v1/household-decisions", {"json": {
              "decided_by": "คณะกรรมการชุมชน",
              "decisions": [{"household_id": ids["household_id"], "decision": "screen"}]}})),
    Route("POST", "/v1/households",
          {"body.survey_round_id": "survey_round_id", "body.community_id": "community_id"},
          lambda ids: ("/v1/households", {"json": household_body(
              **CHIANG_MAI, survey_round_id=ids["survey_round_id"],
              community_id=ids["community_id"])})),
    Route("GET", "/v1/households",
          {"query.community_id": "community_id", "query.survey_round_id": "survey_round_id"},
          lambda ids: ("/v1/households", {"params": {
              "community_id": ids["community_id"], "survey_round_id": ids["survey_round_id"]}})),
    Route("GET", "/v1/households/export",
          {"query.community_id": "community_id", "query.survey_round_id": "survey_round_id"},
          lambda ids: ("/v1/households/export", {"params": {
              "community_id": ids["community_id"], "survey_round_id": ids["survey_round_id"]}})),
    Route("GET", "/v1/communities/{community_id}", {"path.community_id": "community_id"},
          lambda ids: (f"/v1/communities/{ids['community_id']}", {})),
    Route("GET", "/v1/survey-rounds/{round_id}", {"path.round_id": "round_id"},
          lambda ids: (f"/v1/survey-rounds/{ids['round_id']}", {})),
    Route("GET", "/v1/survey-rounds", {"query.community_id": "community_id"},
          lambda ids: ("/v1/survey-rounds", {"params": {"community_id": ids["community_id"]}})),
    Route("POST", "/v1/survey-rounds", {"body.community_id": "community_id"},
          lambda ids: ("/v1/survey-rounds", {"json": {
              "subdistrict_code": "500101", "community_id": ids["community_id"],
              "run_by": "อบต.", "started_on": "2026-11-01"}})),
    Route("GET", "/v1/household-imports/{import_id}", {"path.import_id": "import_id"},
          lambda ids: (f"/v1/household-imports/{ids['import_id']}", {})),
    Route("GET", "/v1/household-imports/{import_id}/errors", {"path.import_id": "import_id"},
          lambda ids: (f"/v1/household-imports/{ids['import_id']}/errors", {})),
    Route("POST", "/v1/survey-rounds/{round_id}/finish", {"path.round_id": "round_id"},
          lambda ids: (f"/v1/survey-rounds/{ids['round_id']}/finish",
                       {"json": {"finished_on": "2026-11-30"}})),
    Route("GET", "/v1/tambon-plans/{plan_id}", {"path.plan_id": "plan_id"},
          lambda ids: (f"/v1/tambon-plans/{ids['plan_id']}", {})),
    *(
        Route("POST", f"/v1/tambon-plans/{{plan_id}}/{step}", {"path.plan_id": "plan_id"},
              _json(_plan_url(f"/{step}"), PLAN_STEP))
        for step in ("agreement", "adoption")
    ),
    # A new version of the caller's own tambon's plan, naming the plan it supersedes.
    Route("POST", "/v1/tambon-plans", {"body.supersedes_plan_id": "plan_id"},
          lambda ids: ("/v1/tambon-plans", {"json": _plan_body(
              CHIANG_MAI, years=5, supersedes_plan_id=ids["plan_id"])})),
    Route("POST", "/v1/household-imports", {"body.survey_round_id": "survey_round_id"},
          lambda ids: ("/v1/household-imports", {
              "files": {"file": ("survey.csv", csv_bytes([sheet_row(**CHIANG_MAI_ROW)]))},
              "data": {"imported_by": "อบต.", "survey_round_id": ids["survey_round_id"]}})),
]  # fmt: skip


def _uuid_fields(schema: dict[str, Any], components: dict[str, Any], at: str) -> list[str]:
    if "$ref" in schema:
        return _uuid_fields(components[schema["$ref"].rsplit("/", 1)[-1]], components, at)
    found = [at] if schema.get("format") == "uuid" else []
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        found += _uuid_fields(option, components, at)
    for name, child in schema.get("properties", {}).items():
        found += _uuid_fields(child, components, f"{at}.{name}")
    if isinstance(schema.get("items"), dict):
        found += _uuid_fields(schema["items"], components, f"{at}.N")
    return found


def _id_slots(app: FastAPI) -> set[tuple[str, str, str]]:
    """(method, path, slot) of every id a survey operation takes, from its OpenAPI."""
    document = app.openapi()
    components = document["components"]["schemas"]
    slots = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                for slot in _uuid_fields(parameter["schema"], components, parameter["in"]):
                    slots.add((method.upper(), path, f"{slot}.{parameter['name']}"))
            for media in operation.get("requestBody", {}).get("content", {}).values():
                for slot in _uuid_fields(media["schema"], components, "body"):
                    slots.add((method.upper(), path, slot))
    return slots


def _swapped(route: Route, own: Ids, replacement: Ids, slots: list[str]) -> Ids:
    """The own area's ids, with the ids of these slots' kinds replaced."""
    kinds = {route.slots[s] for s in slots}
    if "survey_round_id" in kinds or "round_id" in kinds:
        kinds |= {"survey_round_id", "round_id"}
    return own | {k: replacement[k] for k in kinds}


def _masked(response: httpx.Response, ids: list[str]) -> tuple[int, str, Any]:
    text = response.text
    for value in ids:
        text = text.replace(value, "<ID>")
    content_type = response.headers.get("content-type", "")
    body = json.loads(text) if "json" in content_type else text
    return response.status_code, content_type, body


async def _national_view(national: httpx.AsyncClient, places: list[Ids]) -> list[Any]:
    """Everything a refused write could have changed, as the national office reads it."""
    views: list[Any] = [
        (await national.get("/v1/households/export")).text,
        (await national.get("/v1/households", params={"limit": 500})).json(),
        (await national.get("/v1/communities", params={"limit": 500})).json(),
        (await national.get("/v1/survey-rounds", params={"limit": 500})).json(),
        (await national.get("/v1/household-imports", params={"limit": 100})).json(),
        (await national.get("/v1/tambon-plans", params={"limit": 500})).json(),
    ]
    for place in places:
        household = f"/v1/households/{place['household_id']}"
        for path in (household, f"{household}/history", f"{household}/photos"):
            views.append((await national.get(path)).json())
    return views


@pytest.mark.parametrize("elsewhere", LEVELS)
async def test_every_route_answers_another_areas_id_as_an_id_that_names_nothing(
    app: FastAPI, national: httpx.AsyncClient, client_for: ClientFor, elsewhere: Elsewhere
) -> None:
    await _load_administrations(national, CHIANG_MAI, elsewhere.area)
    async with client_for("their-office", STAFF, [elsewhere.area["subdistrict_code"]]) as other:
        theirs = await _place(other, elsewhere.area, elsewhere.row)
    async with client_for(PARTNER, STAFF, elsewhere.areas) as partner:
        await _walk(app, national, partner, theirs)


async def _walk(
    app: FastAPI, national: httpx.AsyncClient, partner: httpx.AsyncClient, theirs: Ids
) -> None:
    own = await _place(partner, CHIANG_MAI, CHIANG_MAI_ROW)
    walked = {(r.method, r.path, slot) for r in ROUTES for slot in r.slots}
    assert walked == _id_slots(app), "a route with an id is not walked here"
    before = await _national_view(national, [own, theirs])

    differences: dict[str, Any] = {}
    answered: dict[str, int] = {}
    for route in ROUTES:
        choices = [[slot] for slot in route.slots]
        choices += [list(route.slots)] if len(route.slots) > 1 else []
        for slots in choices:
            random = {kind: str(uuid.uuid4()) for kind in theirs}
            answers = []
            for replacement in (theirs, random):
                url, arguments = route.build(_swapped(route, own, replacement, slots))
                response = await partner.request(route.method, url, **arguments)
                answers.append(_masked(response, list(replacement.values())))
            name = f"{route.method} {route.path} [{'+'.join(slots)}]"
            answered[name] = answers[0][0]
            if answers[0] != answers[1]:
                differences[name] = answers
    assert differences == {}
    # Lists filtered by another area's id are empty; everything else is refused.
    refused = {name: status for name, status in answered.items() if status != 200}
    assert {name for name in answered if name not in refused} == {
        f"GET {path} [{slots}]"
        for path in ("/v1/households", "/v1/households/export")
        for slots in ("query.community_id", "query.survey_round_id",
                      "query.community_id+query.survey_round_id")
    } | {"GET /v1/survey-rounds [query.community_id]"}  # fmt: skip
    assert set(refused.values()) <= {404, 422}
    assert await _national_view(national, [own, theirs]) == before


async def test_a_body_reference_to_another_area_is_the_unknown_reference_422(
    national: httpx.AsyncClient, client_for: ClientFor, partner: httpx.AsyncClient
) -> None:
    async with client_for("chiang-rai-office", STAFF, ["57"]) as chiang_rai:
        await _load_administrations(national, CHIANG_MAI, CHIANG_RAI)
        theirs = await _place(chiang_rai, CHIANG_RAI, CHIANG_RAI_ROW)
    body = household_body(**CHIANG_MAI, survey_round_id=theirs["survey_round_id"])

    response = await partner.post("/v1/households", json=body)
    told_nationally = await national.post("/v1/households", json=body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "body.survey_round_id",
            "value": theirs["survey_round_id"],
            "reason": "no survey round with this id exists in the client's areas",
            "code": "unknown-reference",
        }
    ]
    assert "570101" not in response.text
    # The national office sees the round, and is told where it surveyed.
    assert told_nationally.status_code == 422
    assert "570101" in told_nationally.json()["errors"][0]["reason"]


# --- one household helped once, across areas ---------------------------------------------


async def _approved_in(
    national: httpx.AsyncClient, same_id: str, area: dict[str, str] = CHIANG_RAI
) -> str:
    body = household_body(**area, programme="BAAN_MANKONG", national_id=same_id)
    theirs = (await _ok(await national.post("/v1/households", json=body)))["id"]
    for step in ("screen", "approve"):
        await _ok(
            await national.post(f"/v1/households/{theirs}/{step}", json={"decided_by": "c"}), 200
        )
    return str(theirs)


def _names_nothing_of(text: str, theirs: str, elsewhere: Elsewhere = IN_CHIANG_RAI) -> None:
    """Neither the other case's id, nor its programme, nor a row or code of its area."""
    assert theirs not in text
    assert "BAAN_MANKONG" not in text
    if text.startswith(("{", "[")):
        assert foreign_rows(json.loads(text), elsewhere.principal) == []
        own = set(elsewhere.areas)
        codes = {c for c in elsewhere.area.values() if not any(a.startswith(c) for a in own)}
        for reason in re.findall(r'"(?:reason|detail)":"([^"]*)"', text):
            assert not any(code in reason for code in codes), reason


@pytest.mark.parametrize("elsewhere", LEVELS)
async def test_an_id_approved_in_another_area_blocks_approval_without_naming_that_case(
    national: httpx.AsyncClient, client_for: ClientFor, elsewhere: Elsewhere
) -> None:
    async with client_for(PARTNER, STAFF, elsewhere.areas) as partner:
        await _blocked_without_naming(national, partner, elsewhere)


async def _blocked_without_naming(
    national: httpx.AsyncClient, partner: httpx.AsyncClient, elsewhere: Elsewhere
) -> None:
    same = national_id()
    theirs = await _approved_in(national, same, elsewhere.area)
    body = household_body(**CHIANG_MAI, national_id=same)
    ours = (await _ok(await partner.post("/v1/households", json=body)))["id"]

    screened = await partner.post(f"/v1/households/{ours}/screen", json={"decided_by": "c"})
    before = (await national.get(f"/v1/households/{ours}")).json()
    history_before = (await national.get(f"/v1/households/{ours}/history")).json()
    approved = await partner.post(f"/v1/households/{ours}/approve", json={"decided_by": "c"})
    overridden = await partner.post(
        f"/v1/households/{ours}/approve", json={"decided_by": "c", "override_reason": "จำเป็น"}
    )
    minutes = await partner.post(
        "/v1/household-decisions",
        json={"decided_by": "c", "decisions": [{"household_id": ours, "decision": "approve"}]},
    )

    # Screening records the failed rule, in words that name nothing of the other case.
    assert screened.status_code == 200, screened.text
    _names_nothing_of(screened.text, theirs, elsewhere)
    assert screened.json()["eligible"] is False
    [check] = [c for c in screened.json()["eligibility_checks"] if c["outcome"] == "fail"]
    assert check["rule"] == "not_already_assisted"
    assert RESOLVED_BY in check["reason"]
    # Approval is still refused, with or without an override: helped elsewhere, and who resolves.
    for refused in (approved, overridden):
        assert refused.status_code == 409, refused.text
        _names_nothing_of(refused.text, theirs, elsewhere)
        assert "duplicate_of" not in refused.json()
        assert RESOLVED_BY in refused.json()["detail"]
        assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
            ("national_id", "taken-elsewhere")
        ]
    assert minutes.status_code == 409, minutes.text
    _names_nothing_of(minutes.text, theirs, elsewhere)
    [failure] = minutes.json()["failures"]
    assert (failure["index"], failure["household_id"], failure["code"]) == (
        0,
        ours,
        "taken-elsewhere",
    )
    assert RESOLVED_BY in failure["reason"]
    # Nothing changed.
    assert (await national.get(f"/v1/households/{ours}")).json() == before
    assert (await national.get(f"/v1/households/{ours}/history")).json() == history_before


async def test_what_is_stored_is_shown_to_each_caller_as_its_areas_allow(
    national: httpx.AsyncClient, client_for: ClientFor, partner: httpx.AsyncClient
) -> None:
    same = national_id()
    theirs = await _approved_in(national, same)
    body = household_body(**CHIANG_MAI, national_id=same)
    ours = (await _ok(await partner.post("/v1/households", json=body)))["id"]
    await _ok(await partner.post(f"/v1/households/{ours}/screen", json={"decided_by": "c"}), 200)
    detailed = f"already approved as household {theirs} (BAAN_MANKONG)"

    # Chiang Mai reads its household in every form without the other case.
    reads: list[tuple[str, dict[str, str]]] = [
        (f"/v1/households/{ours}", {}),
        ("/v1/households", {}),
        ("/v1/households", {"possible_duplicate": "false"}),
        ("/v1/households/export", {}),
        (f"/v1/households/{ours}/history", {}),
        ("/v1/households/ranking", {"status": "screened"}),
    ]
    for path, params in reads:
        response = await partner.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        if path.endswith("/ranking"):
            _names_nothing_of(json.dumps(response.json()["items"], separators=(",", ":")), theirs)
        else:
            _names_nothing_of(response.text, theirs)
    eligibility = (await partner.get(f"/v1/households/{ours}/eligibility")).json()
    reasons = [
        c["reason"] for p in eligibility for c in p["checks"] if c["rule"] == "not_already_assisted"
    ]
    assert len(reasons) == len(eligibility) and all(RESOLVED_BY in r for r in reasons)
    assert not any(theirs in r for r in reasons)

    # The national office, and a regional client whose areas hold both, read the details.
    async with client_for("north-region", STAFF, ["50", "57"]) as region:
        for reader in (national, region):
            stored = (await reader.get(f"/v1/households/{ours}")).json()["eligibility_checks"]
            assert detailed in [c["reason"] for c in stored]
            listed = (await reader.get("/v1/households", params={"status": "screened"})).json()
            [item] = [h for h in listed["items"] if h["id"] == ours]
            assert detailed in [c["reason"] for c in item["eligibility_checks"]]
            live = (await reader.get(f"/v1/households/{ours}/eligibility")).json()
            assert {
                c["reason"]
                for p in live
                for c in p["checks"]
                if c["rule"] == "not_already_assisted"
            } == {detailed}
            refused = await reader.post(f"/v1/households/{ours}/approve", json={"decided_by": "c"})
            assert refused.status_code == 409
            assert refused.json()["duplicate_of"] == theirs
            minutes = await reader.post(
                "/v1/household-decisions",
                json={
                    "decided_by": "c",
                    "decisions": [{"household_id": ours, "decision": "approve"}],
                },
            )
            assert minutes.status_code == 409
            assert minutes.json()["failures"][0]["duplicate_of"] == theirs


async def test_an_area_bound_auditor_is_refused_the_audit_log(client_for: ClientFor) -> None:
    async with client_for("chiang-mai-auditor", [AUDIT_READ], ["50"]) as auditor:
        response = await auditor.get("/v1/audit-log")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "national-only"
