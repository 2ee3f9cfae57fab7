"""Issue 14, elsewhere is nowhere: for a client bound to province 50, province 57's
finance records do not exist.

Every finance route that takes an id (path, query or body) is called by the
province-50 office twice: naming province 57's record, then a random id. Once the
ids are masked the two answers are the same, whole problem JSON included
(``baan_shared.auth.areas``: ``does_not_exist`` for a path or query id,
``unknown_reference`` for a body id), and no table changed. National uniqueness
rules (fund codes, payment references) and the loan cap still hold across areas,
but the province-50 office learns only that a value is taken elsewhere and who can
resolve it. National clients keep the details.

Everything runs on SQLite and on PostgreSQL.
"""

import hashlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_auth import NATIONAL_SCOPES
from finance_factories import budget_body, household_approved, loan_body
from sqlalchemy import MetaData, select, update
from sqlmodel import col

from baan_shared.auth import Principal
from baan_shared.ids import new_id
from baan_testkit.apps import ON_BOTH_DATABASES, database_url, running_app, service_settings
from baan_testkit.areas import area_leaks
from baan_testkit.auth import ClientFor
from baan_testkit.delivery import deliver
from finance.loans.models import Loan
from finance.revolving_funds.models import FundScope, RevolvingFund

OWN, ELSEWHERE = "50", "57"
PLACES = {
    OWN: {"province_code": "50", "district_code": "5001", "subdistrict_code": "500101"},
    ELSEWHERE: {"province_code": "57", "district_code": "5701", "subdistrict_code": "570101"},
}
RURAL = "BAAN_PHO_PHIANG"  # loans repay into (and may be paid out of) the tambon's fund
SEED_SATANG = 5_000_000
LOAN_SATANG = 1_000_000
MASK = "<id>"


@pytest.fixture(params=ON_BOTH_DATABASES)
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The finance app on SQLite, then on a fresh PostgreSQL database."""
    settings = service_settings(
        "finance", tmp_path, database_url=database_url(request, tmp_path, "finance")
    )
    async with running_app("finance", settings) as application:
        yield application


@pytest.fixture
async def partner(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """The province-50 office, with every finance scope."""
    async with client_for("chiang-mai-office", NATIONAL_SCOPES, [OWN]) as http:
        yield http


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def rural_loan(place: str, fund_id: str | None, **overrides: Any) -> dict[str, Any]:
    """A rural loan to a household of the place, paid out of the fund named."""
    fields: dict[str, Any] = {
        "programme": RURAL,
        **PLACES[place],
        "principal_satang": LOAN_SATANG,
        "annual_interest_rate_bp": 0,
        "term_months": 10,
        "revolving_fund_id": fund_id,
        "financed_by_fund": True,
        **overrides,
    }
    return loan_body(**fields)


async def seed(app: FastAPI, national: httpx.AsyncClient, place: str) -> dict[str, str]:
    """One record of every kind in the place, made by the national office."""
    area = PLACES[place]
    allocated = await ok(
        await national.post(
            "/v1/budgets",
            json=budget_body(programme=RURAL, area_level="province", area_code=place),
        ),
        201,
    )
    household = new_id()
    await deliver(app, household_approved(household, programme=RURAL, **area))
    [grant] = (await ok(await national.get("/v1/grants", params={"household_id": household})))[
        "items"
    ]
    fund = await ok(
        await national.post(
            "/v1/revolving-funds",
            json={
                "scope": "subdistrict",
                "code": area["subdistrict_code"],
                "name": f"กองทุนตำบล {place}",
                "province_code": place,
            },
        ),
        201,
    )
    await ok(
        await national.post(
            f"/v1/revolving-funds/{fund['id']}/deposits",
            json={"amount_satang": SEED_SATANG, "reference": f"SEED-{place}"},
        )
    )
    loan = await ok(await national.post("/v1/loans", json=rural_loan(place, fund["id"])), 201)
    await ok(
        await national.post(f"/v1/loans/{loan['id']}/disburse", json={"disbursed_on": "2026-01-01"})
    )
    repayment = await ok(
        await national.post(
            f"/v1/loans/{loan['id']}/repayments",
            json={
                "payment_reference": f"PAY-{place}-1",
                "amount_satang": 100_000,
                "paid_on": "2026-02-01",
            },
        ),
        201,
    )
    return {
        "budget_id": allocated["budget"]["id"],
        "allocation_id": allocated["allocation"]["id"],
        "household_id": str(household),
        "grant_id": grant["id"],
        "fund_id": fund["id"],
        "loan_id": loan["id"],
        "borrower_id": loan["borrower_id"],
        "repayment_id": repayment["id"],
    }


@pytest.fixture
async def world(app: FastAPI, client: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    """Province 57's records and province 50's, by kind."""
    return {place: await seed(app, client, place) for place in (ELSEWHERE, OWN)}


async def snapshot(app: FastAPI) -> dict[str, str]:
    """A digest of every table but the audit trail and the rate limits, which every
    request writes, refused or not."""
    engine = app.state.runtime.engine
    metadata = MetaData()
    digests = {}
    async with engine.connect() as connection:
        await connection.run_sync(metadata.reflect)
        for name, table in sorted(metadata.tables.items()):
            if name in ("audit_log", "rate_limit_counters"):
                continue
            rows = (await connection.execute(select(table))).all()
            lines = sorted(json.dumps([str(v) for v in row]) for row in rows)
            digests[name] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return digests


def masked(response: httpx.Response, ids: list[str]) -> tuple[int, str, Any]:
    """Status, content type and body, each id (with or without dashes) masked."""
    text = response.text
    for identifier in ids:
        text = text.replace(identifier, MASK).replace(identifier.replace("-", ""), MASK)
    return response.status_code, response.headers.get("content-type", ""), json.loads(text)


BODY_FIELD = {"fund_id": "revolving_fund_id"}
"""The body field naming each kind of id, where it differs from the kind."""


@dataclass(frozen=True)
class Route:
    """A finance route with ids: ``path`` names its id slots ``{kind}``, ``query`` and
    ``body_ids`` the others; ``body`` builds the body from the caller's own ids."""

    method: str
    path: str
    body: Callable[[dict[str, str]], dict[str, Any] | None] = lambda own: None
    query: tuple[str, ...] = ()
    body_ids: tuple[str, ...] = ()
    slots: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        found = (*re.findall(r"\{(\w+)\}", self.path), *self.query, *self.body_ids)
        object.__setattr__(self, "slots", found)

    def slot_names(self) -> list[str]:
        """How the OpenAPI document names the slots (body fields by their field)."""
        return [
            BODY_FIELD.get(kind, kind) if kind in self.body_ids else kind for kind in self.slots
        ]

    def request(self, own: dict[str, str], swapped: dict[str, str]) -> tuple[str, dict[str, Any]]:
        def value(kind: str) -> str:
            return swapped.get(kind, own[kind])

        url = re.sub(r"\{(\w+)\}", lambda m: value(m.group(1)), self.path)
        kwargs: dict[str, Any] = {}
        if self.query:
            kwargs["params"] = {kind: value(kind) for kind in self.query}
        body = self.body(own)
        if body is not None:
            for kind in self.body_ids:
                body[BODY_FIELD.get(kind, kind)] = value(kind)
            kwargs["json"] = body
        return url, kwargs


ROUTES = (
    Route("GET", "/v1/budgets/{budget_id}"),
    Route(
        "POST",
        "/v1/budgets/{budget_id}/allocations/{allocation_id}/reversal",
        lambda own: {"reason": "ตั้งงบผิดจังหวัด"},
    ),
    Route("GET", "/v1/grants", query=("household_id",)),
    Route("GET", "/v1/grants/by-household/{household_id}"),
    Route("GET", "/v1/grants/{grant_id}"),
    Route("GET", "/v1/loans", query=("borrower_id",)),
    Route(
        "POST",
        "/v1/loans",
        lambda own: rural_loan(OWN, own["fund_id"]),
        body_ids=("fund_id",),
    ),
    Route("GET", "/v1/loans/{loan_id}"),
    Route(
        "POST",
        "/v1/loans/{loan_id}/reschedule",
        lambda own: {
            "reason": "น้ำท่วม",
            "effective_on": "2026-03-01",
            "first_due_on": "2026-04-01",
            "term_months": 12,
        },
    ),
    Route("POST", "/v1/loans/{loan_id}/disburse", lambda own: {"disbursed_on": "2026-01-01"}),
    Route(
        "POST",
        "/v1/loans/{loan_id}/repayments",
        lambda own: {
            "payment_reference": "PAY-CROSS-1",
            "amount_satang": 50_000,
            "paid_on": "2026-03-01",
        },
    ),
    Route(
        "POST",
        "/v1/loans/{loan_id}/repayments/{repayment_id}/reversal",
        lambda own: {"reason": "โอนผิดบัญชี"},
    ),
    Route("GET", "/v1/revolving-funds/{fund_id}"),
    Route(
        "POST",
        "/v1/revolving-funds/{fund_id}/deposits",
        lambda own: {"amount_satang": 10_000, "reference": "DEP-CROSS-1"},
    ),
    Route("GET", "/v1/reconciliation/households/{household_id}"),
)


def test_every_route_with_an_id_is_walked(app: FastAPI) -> None:
    """A new finance route taking an id (path, query or body) fails here until it is
    added to ``ROUTES`` (or to the deliberate exceptions below)."""
    document = app.openapi()
    schemas = document["components"]["schemas"]
    with_ids = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            params = [
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] in ("path", "query") and '"uuid"' in json.dumps(p["schema"])
            ]
            body = operation.get("requestBody", {}).get("content", {})
            media: dict[str, Any] = next(iter(body.values()), {})
            ref = media.get("schema", {}).get("$ref", "")
            fields = [
                name
                for name, schema in schemas.get(ref.rsplit("/", 1)[-1], {})
                .get("properties", {})
                .items()
                if '"uuid"' in json.dumps(schema)
            ]
            for slot in (*params, *fields):
                with_ids.add(f"{method.upper()} {path} {slot}")
    walked = {
        f"{route.method} {route.path} {name}" for route in ROUTES for name in route.slot_names()
    }
    not_walked = {
        # A household of another area is as unknown to finance as a random one (finance
        # keeps no households): either way the loan is approved, in the client's area;
        # the cap still counts the borrower's loans everywhere (test below).
        "POST /v1/loans borrower_id",
        # The audit log is for national auditors only (403 national-only).
        "GET /v1/audit-log resource_id",
    }
    assert with_ids - not_walked == walked


async def test_another_areas_id_answers_as_a_random_one_and_changes_nothing(
    app: FastAPI,
    world: dict[str, dict[str, str]],
    partner: httpx.AsyncClient,
) -> None:
    own, theirs = world[OWN], world[ELSEWHERE]
    before = await snapshot(app)
    mismatches = []
    walked = 0
    expected = sum(len(r.slots) + (len(r.slots) > 1) for r in ROUTES)
    for route in ROUTES:
        # Each slot on its own (the others the caller's own), then all together.
        choices: list[tuple[str, ...]] = [(slot,) for slot in route.slots]
        if len(route.slots) > 1:
            choices.append(route.slots)
        for slots in choices:
            elsewhere = {kind: theirs[kind] for kind in slots}
            nowhere = {kind: str(new_id()) for kind in slots}
            answers = []
            for ids in (elsewhere, nowhere):
                url, kwargs = route.request(own, ids)
                response = await partner.request(route.method, url, **kwargs)
                answers.append(masked(response, list(ids.values())))
            walked += 1
            (status, content_type, _), _ = answers
            if answers[0] != answers[1]:
                mismatches.append(f"{route.method} {route.path} {slots}: {answers}")
            elif route.query == () and status not in (404, 422):
                mismatches.append(f"{route.method} {route.path} {slots}: {status}")
            elif content_type != (
                "application/json" if status == 200 else "application/problem+json"
            ):
                mismatches.append(f"{route.method} {route.path} {slots}: {content_type}")
    assert walked == expected
    assert not mismatches, "\n".join(mismatches)
    assert await snapshot(app) == before


async def test_the_404_for_another_areas_id_is_the_one_for_a_missing_record(
    world: dict[str, dict[str, str]], partner: httpx.AsyncClient
) -> None:
    """The text is ``does_not_exist``'s, named as a missing record is named."""
    theirs = world[ELSEWHERE]
    expected = {
        f"/v1/loans/{theirs['loan_id']}": f"loan {theirs['loan_id']}",
        f"/v1/grants/{theirs['grant_id']}": f"grant {theirs['grant_id']}",
        f"/v1/grants/by-household/{theirs['household_id']}": (
            f"household {theirs['household_id']}'s grant"
        ),
        f"/v1/budgets/{theirs['budget_id']}": f"budget {theirs['budget_id']}",
        f"/v1/revolving-funds/{theirs['fund_id']}": f"revolving fund {theirs['fund_id']}",
        f"/v1/reconciliation/households/{theirs['household_id']}": (
            f"household {theirs['household_id']}"
        ),
    }
    for path, what in expected.items():
        problem = (await partner.get(path)).json()
        assert (problem["status"], problem["title"]) == (404, "Not found"), path
        assert problem["detail"] == f"{what} does not exist", path
        assert problem["type"].endswith("/not-found")


# --- finding 1: a body reference to another area's fund ------------------------------


async def test_another_areas_fund_in_a_loan_is_an_unknown_fund_and_moves_no_money(
    app: FastAPI,
    world: dict[str, dict[str, str]],
    client: httpx.AsyncClient,
    partner: httpx.AsyncClient,
) -> None:
    theirs = world[ELSEWHERE]["fund_id"]
    fund_before = await ok(await client.get(f"/v1/revolving-funds/{theirs}"))
    loans_before = (await ok(await client.get("/v1/loans", params={"limit": 500})))["items"]
    before = await snapshot(app)

    refused = await partner.post("/v1/loans", json=rural_loan(OWN, theirs))
    random_id = str(new_id())
    unknown = await partner.post("/v1/loans", json=rural_loan(OWN, random_id))

    assert refused.status_code == 422, refused.text
    assert masked(refused, [theirs]) == masked(unknown, [random_id])
    problem = refused.json()
    assert problem["errors"] == [
        {
            "field": "body.revolving_fund_id",
            "value": theirs,
            "reason": "no revolving fund with this id exists in the client's areas",
            "code": "unknown-reference",
        }
    ]
    # Nothing was written: no loan, and province 57's fund is as it was.
    assert await snapshot(app) == before
    assert (await ok(await client.get("/v1/loans", params={"limit": 500})))["items"] == loans_before
    fund_after = await ok(await client.get(f"/v1/revolving-funds/{theirs}"))
    assert fund_after == fund_before
    assert fund_after["balance_satang"] == SEED_SATANG - LOAN_SATANG + 100_000


async def test_the_partners_own_fund_finances_its_loan(
    world: dict[str, dict[str, str]], client: httpx.AsyncClient, partner: httpx.AsyncClient
) -> None:
    ours = world[OWN]["fund_id"]
    loan = await ok(await partner.post("/v1/loans", json=rural_loan(OWN, ours)), 201)
    await ok(
        await partner.post(f"/v1/loans/{loan['id']}/disburse", json={"disbursed_on": "2026-01-01"})
    )
    fund = await ok(await client.get(f"/v1/revolving-funds/{ours}"))
    assert fund["balance_satang"] == SEED_SATANG - 2 * LOAN_SATANG + 100_000


async def test_a_fund_serves_only_its_own_area_even_for_the_national_office(
    app: FastAPI, world: dict[str, dict[str, str]], client: httpx.AsyncClient
) -> None:
    """A community's fund lends to its own area's borrowers: the national office
    cannot lend province 57's fund to a province-50 household either (it is told why),
    nor a sub-district's fund to another sub-district's."""
    theirs = world[ELSEWHERE]["fund_id"]
    before = await snapshot(app)
    across = await client.post("/v1/loans", json=rural_loan(OWN, theirs))
    assert across.status_code == 422, across.text
    assert across.json()["errors"][0]["field"] == "body.revolving_fund_id"
    assert across.json()["errors"][0]["code"] == "fund-outside-the-loans-area"
    assert "province 57" in across.json()["detail"]
    next_door = await client.post(
        "/v1/loans",
        json=rural_loan(ELSEWHERE, theirs, district_code="5701", subdistrict_code="570102"),
    )
    assert next_door.status_code == 422, next_door.text
    assert "sub-district 570101" in next_door.json()["detail"]
    assert await snapshot(app) == before


async def test_a_loan_naming_another_areas_fund_from_before_the_fix_is_not_paid_out_of_it(
    app: FastAPI,
    world: dict[str, dict[str, str]],
    client: httpx.AsyncClient,
    partner: httpx.AsyncClient,
) -> None:
    """A loan approved before issue 14 may name another area's fund: disbursing it is
    refused and takes nothing out of that fund, and the refusal tells nothing of it."""
    theirs = world[ELSEWHERE]["fund_id"]
    loan = await ok(
        await partner.post("/v1/loans", json=rural_loan(OWN, world[OWN]["fund_id"])), 201
    )
    async with app.state.runtime.session_factory() as session:
        await session.exec(
            update(Loan)
            .where(col(Loan.id) == uuid.UUID(loan["id"]))
            .values(revolving_fund_id=uuid.UUID(theirs))
        )
        await session.commit()
    fund_before = await ok(await client.get(f"/v1/revolving-funds/{theirs}"))

    refused = await partner.post(
        f"/v1/loans/{loan['id']}/disburse", json={"disbursed_on": "2026-01-01"}
    )

    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"].replace(loan["id"], MASK)
    assert theirs not in refused.text and "57" not in detail
    assert detail == (
        f"loan {MASK} names a revolving fund that does not serve the loan's area; "
        "the national office (CODI) must correct the loan before it is paid out"
    )
    assert await ok(await client.get(f"/v1/revolving-funds/{theirs}")) == fund_before
    assert (await ok(await client.get(f"/v1/loans/{loan['id']}")))["status"] == "approved"


# --- finding 5: the cap counts every area, and tells the partner no amounts ----------


async def test_the_loan_cap_counts_other_areas_but_tells_no_amount(
    app: FastAPI, client: httpx.AsyncClient, partner: httpx.AsyncClient
) -> None:
    borrower = str(new_id())
    canal = {"programme": "CANAL", "borrower_id": borrower, "annual_interest_rate_bp": 0}
    await ok(
        await client.post(
            "/v1/loans",
            json=loan_body(**canal, **PLACES[ELSEWHERE], principal_satang=30_575_757),
        ),
        201,
    )
    before = await snapshot(app)

    refused = await partner.post(
        "/v1/loans", json=loan_body(**canal, **PLACES[OWN], principal_satang=10_000_000)
    )

    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["errors"][0]["field"] == "body.principal_satang"
    assert "30575757" not in refused.text and "province" not in problem["detail"]
    assert "outside the client's areas" in problem["detail"]
    assert await snapshot(app) == before
    # The national office is told the amount.
    national = await client.post(
        "/v1/loans", json=loan_body(**canal, **PLACES[OWN], principal_satang=10_000_000)
    )
    assert national.status_code == 422
    assert "already has 30575757 satang" in national.json()["detail"]


async def test_the_cap_tells_the_partner_what_the_household_has_in_its_own_areas(
    client: httpx.AsyncClient, partner: httpx.AsyncClient
) -> None:
    borrower = str(new_id())
    canal = {"programme": "CANAL", "borrower_id": borrower, "annual_interest_rate_bp": 0}
    await ok(
        await partner.post(
            "/v1/loans", json=loan_body(**canal, **PLACES[OWN], principal_satang=30_000_000)
        ),
        201,
    )
    refused = await partner.post(
        "/v1/loans", json=loan_body(**canal, **PLACES[OWN], principal_satang=10_000_000)
    )
    assert refused.status_code == 422
    assert "already has 30000000 satang in the client's areas" in refused.json()["detail"]


# --- finding 7: national uniqueness, told without another area's details -------------


async def test_a_fund_code_taken_elsewhere_tells_only_that_it_is_taken(
    app: FastAPI, client: httpx.AsyncClient, partner: httpx.AsyncClient
) -> None:
    theirs = await ok(
        await client.post(
            "/v1/revolving-funds",
            json={"scope": "community", "code": "C57-KLONG", "name": "x", "province_code": "57"},
        ),
        201,
    )
    ours = await ok(
        await partner.post(
            "/v1/revolving-funds",
            json={"scope": "community", "code": "C50-KLONG", "name": "x", "province_code": "50"},
        ),
        201,
    )
    before = await snapshot(app)

    elsewhere = await partner.post(
        "/v1/revolving-funds",
        json={"scope": "community", "code": "C57-KLONG", "name": "y", "province_code": "50"},
    )
    mine = await partner.post(
        "/v1/revolving-funds",
        json={"scope": "community", "code": "C50-KLONG", "name": "y", "province_code": "50"},
    )
    national = await client.post(
        "/v1/revolving-funds",
        json={"scope": "community", "code": "C57-KLONG", "name": "y", "province_code": "50"},
    )

    assert elsewhere.status_code == 409, elsewhere.text
    problem = elsewhere.json()
    assert problem["errors"][0]["code"] == "taken-elsewhere"
    assert problem["errors"][0]["field"] == "body.code"
    assert "CODI" in problem["detail"]
    assert theirs["id"] not in elsewhere.text and "57" not in problem["detail"].replace("C57", "")
    assert (mine.status_code, mine.json()["detail"]) == (
        409,
        "a community fund C50-KLONG already exists",
    )
    assert ours["id"]
    assert (national.status_code, national.json()["detail"]) == (
        409,
        "a community fund C57-KLONG already exists",
    )
    assert await snapshot(app) == before


async def test_another_areas_sub_district_code_cannot_be_taken_for_a_fund(
    app: FastAPI, partner: httpx.AsyncClient
) -> None:
    """A sub-district's fund is named by its official code, in its own province: the
    province-50 office cannot open "570101" (which would block province 57's fund)."""
    before = await snapshot(app)
    refused = await partner.post(
        "/v1/revolving-funds",
        json={"scope": "subdistrict", "code": "570101", "name": "x", "province_code": "50"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "body.code"
    assert await snapshot(app) == before


async def test_a_payment_reference_used_elsewhere_tells_only_that_it_is_taken(
    app: FastAPI,
    world: dict[str, dict[str, str]],
    client: httpx.AsyncClient,
    partner: httpx.AsyncClient,
) -> None:
    ours = world[OWN]
    payment = {"amount_satang": 50_000, "paid_on": "2026-03-01"}
    before = await snapshot(app)

    elsewhere = await partner.post(
        f"/v1/loans/{ours['loan_id']}/repayments",
        json={**payment, "payment_reference": "PAY-57-1"},
    )
    assert elsewhere.status_code == 409, elsewhere.text
    problem = elsewhere.json()
    assert problem["errors"][0]["code"] == "taken-elsewhere"
    assert problem["errors"][0]["field"] == "body.payment_reference"
    assert world[ELSEWHERE]["loan_id"] not in elsewhere.text
    assert "another loan" not in problem["detail"]
    assert await snapshot(app) == before

    # The national office is told it was another loan's.
    national = await client.post(
        f"/v1/loans/{ours['loan_id']}/repayments",
        json={**payment, "payment_reference": "PAY-57-1"},
    )
    assert national.status_code == 409
    assert national.json()["detail"] == "payment reference PAY-57-1 was used for another loan"

    # A reference of another loan in the partner's own areas: the partner is told too.
    second = await ok(
        await partner.post(
            "/v1/loans", json=rural_loan(OWN, ours["fund_id"], financed_by_fund=False)
        ),
        201,
    )
    await ok(
        await partner.post(
            f"/v1/loans/{second['id']}/disburse", json={"disbursed_on": "2026-01-01"}
        )
    )
    mine = await partner.post(
        f"/v1/loans/{second['id']}/repayments", json={**payment, "payment_reference": "PAY-50-1"}
    )
    assert mine.status_code == 409
    assert mine.json()["detail"] == "payment reference PAY-50-1 was used for another loan"


# --- where a fund lies: a sub-district's fund in its sub-district and district -------


async def test_a_district_office_sees_and_lends_from_its_sub_districts_funds_only(
    app: FastAPI,
    world: dict[str, dict[str, str]],
    client: httpx.AsyncClient,
    client_for: ClientFor,
) -> None:
    """A sub-district's fund lies in its sub-district (its official code) and district:
    the district-5001 office sees 500101's fund and lends from it. A community's fund
    lies in its province only, and province 57's funds nowhere the office can see;
    those answer as a random id would."""
    community = await ok(
        await client.post(
            "/v1/revolving-funds",
            json={"scope": "community", "code": "C50-ONE", "name": "x", "province_code": "50"},
        ),
        201,
    )
    ours, theirs = world[OWN]["fund_id"], world[ELSEWHERE]["fund_id"]
    district = Principal.of("district-office", areas=["5001"])
    async with client_for("district-office", NATIONAL_SCOPES, ["5001"]) as office:
        listed = (await ok(await office.get("/v1/revolving-funds")))["items"]
        assert [(f["id"], f["district_code"]) for f in listed] == [(ours, "5001")]
        skip = ("/health", "/metrics", "/v1/audit-log", "/v1/ledger/trial-balance")
        assert await area_leaks(office, app, district, skip=skip) == {}
        await ok(await office.get(f"/v1/revolving-funds/{ours}"))
        loan = await ok(await office.post("/v1/loans", json=rural_loan(OWN, ours)), 201)
        assert loan["revolving_fund_id"] == ours
        for hidden in (community["id"], theirs):
            random_id = str(new_id())
            for path in ("/v1/revolving-funds/{}", "/v1/revolving-funds/{}/deposits"):
                body = {"amount_satang": 1, "reference": "D-1"} if "deposits" in path else None
                method = "POST" if body else "GET"
                seen = await office.request(method, path.format(hidden), json=body)
                unknown = await office.request(method, path.format(random_id), json=body)
                assert seen.status_code == 404
                assert masked(seen, [hidden]) == masked(unknown, [random_id])
            named = await office.post("/v1/loans", json=rural_loan(OWN, hidden))
            unknown = await office.post("/v1/loans", json=rural_loan(OWN, random_id))
            assert named.status_code == 422
            assert masked(named, [hidden]) == masked(unknown, [random_id])
        # It opens its own sub-districts' funds, not another district's.
        opened = await office.post(
            "/v1/revolving-funds",
            json={"scope": "subdistrict", "code": "500102", "name": "x", "province_code": "50"},
        )
        assert opened.status_code == 201, opened.text
        refused = await office.post(
            "/v1/revolving-funds",
            json={"scope": "subdistrict", "code": "500201", "name": "x", "province_code": "50"},
        )
        assert refused.status_code == 403


async def test_a_sub_district_fund_opened_under_another_province_is_no_fund_to_a_partner(
    app: FastAPI, client: httpx.AsyncClient, partner: httpx.AsyncClient
) -> None:
    """Before issue 14 a fund could take a sub-district's code under another province.
    A province-50 loan in that sub-district, naming no fund, is then told to open one,
    exactly as if there were none (opening it says the code is taken elsewhere); the
    national office is told which fund and why it cannot lend."""
    async with app.state.runtime.session_factory() as session:
        squatter = RevolvingFund(
            scope=FundScope.SUBDISTRICT, code="500102", name="x", province_code="57"
        )
        session.add(squatter)
        await session.commit()
        squatter_id = str(squatter.id)
    body = rural_loan(OWN, None, subdistrict_code="500102", financed_by_fund=False)
    without = rural_loan(OWN, None, subdistrict_code="500103", financed_by_fund=False)

    refused = await partner.post("/v1/loans", json=body)
    none_there = await partner.post("/v1/loans", json=without)

    assert refused.status_code == 422, refused.text
    assert squatter_id not in refused.text and "57" not in refused.json()["detail"]
    assert masked(refused, ["500102"]) == masked(none_there, ["500103"])
    opening = await partner.post(
        "/v1/revolving-funds",
        json={"scope": "subdistrict", "code": "500102", "name": "x", "province_code": "50"},
    )
    assert opening.status_code == 409
    assert opening.json()["errors"][0]["code"] == "taken-elsewhere"
    national = await client.post("/v1/loans", json=body)
    assert national.status_code == 422
    assert f"revolving fund {squatter_id} serves province 57" in national.json()["detail"]
