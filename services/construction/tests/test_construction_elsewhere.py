"""Issue 14, elsewhere is nowhere: for a client bound to areas, another area's house
work, project, progress update, photo, purchase order, delivery or allocation does
not exist (docs/adr/0003-partner-access.md, ``baan_shared.auth.areas``).

Bangkok's office (10) names Chiang Rai's (57) ids, then random ids, in the same
place: once the id is masked the two answers are the same, status, content type
and the whole problem JSON. An id in the path or query answers the 404 a missing
id gets; an id in the request body the 422 an unknown reference gets, naming the
field; a refused write changes nothing, not even the caller's own records named
beside the foreign one (the national office reads everything before and after).
On SQLite here, on PostgreSQL in test_postgres.py.
"""

import json
from typing import Any

import httpx
import pytest
from construction_auth import ClientFor
from construction_factories import assign, create_project, plan_house, purchase_order_body
from fastapi import FastAPI
from test_construction_areas import CHIANG_RAI_VIEWS, PNG, seed_two_provinces

from baan_shared.auth.scopes import CONSTRUCTION_READ, CONSTRUCTION_WRITE
from baan_shared.ids import new_id
from baan_testkit.outbox import outbox_rows

MASK = "<id>"


def _masked(response: httpx.Response, ids: list[str]) -> tuple[int, str, Any]:
    """The whole answer, each of ``ids`` replaced by one mask."""
    text = response.text
    for value in ids:
        text = text.replace(value, MASK)
    kind = response.headers["content-type"]
    return response.status_code, kind, json.loads(text) if "json" in kind else text


def _filled(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_filled(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, ids) for k, v in value.items()}
    return value


# Every route with an id, and where the foreign id goes: ``{foreign_*}`` slots are
# filled with Chiang Rai's ids, then with random ones; ``{bangkok_*}`` are the
# caller's own.
PATH_READS = [
    "/v1/house-works/{foreign_house}",
    "/v1/house-works/{foreign_house}/updates",
    "/v1/house-works/{foreign_house}/history",
    "/v1/house-works/{foreign_house}/milestones",
    "/v1/house-works/{foreign_house}/labour",
    "/v1/house-works/{foreign_house}/costs",
    "/v1/house-works/{foreign_house}/updates/{foreign_update}/photos",
    "/v1/house-works/{bangkok_house}/updates/{foreign_update}/photos",
    "/v1/projects/{foreign_project}",
    "/v1/projects/{foreign_project}/summary",
    "/v1/projects/{foreign_project}/purchase-orders",
    "/v1/purchase-orders/{foreign_order}",
    "/v1/purchase-orders/{foreign_order}/deliveries",
    "/v1/purchase-orders/{foreign_order}/allocations",
    "/v1/photos/{foreign_photo}/content",
]

QUERY_READS = [
    ("/v1/house-works", {"project_id": "{foreign_project}"}),
    ("/v1/house-works", {"household_id": "{foreign_household}"}),
    ("/v1/house-works", {"community_id": "{foreign_community}"}),
    ("/v1/house-works/export", {"project_id": "{foreign_project}"}),
    ("/v1/house-works/export", {"household_id": "{foreign_household}"}),
    ("/v1/milestones/overdue", {"project_id": "{foreign_project}"}),
    ("/v1/milestones/overdue", {"community_id": "{foreign_community}"}),
]

REPORT = {"reported_by": "x"}
# (method, path, body, status): the status both answers must have.
WRITES: list[tuple[str, str, dict[str, Any] | None, int]] = [
    ("POST", "/v1/house-works/{foreign_house}/ready", REPORT, 404),
    ("POST", "/v1/house-works/{foreign_house}/start", REPORT, 404),
    (
        "POST",
        "/v1/house-works/{foreign_house}/progress",
        {"reported_by": "x", "milestone": "roof"},
        404,
    ),
    ("POST", "/v1/house-works/{foreign_house}/complete", {"inspected_by": "x"}, 404),
    ("POST", "/v1/house-works/{foreign_house}/cancel", {"reported_by": "x", "reason": "y"}, 404),
    (
        "PUT",
        "/v1/house-works/{foreign_house}/planned-end",
        {"reported_by": "x", "planned_end_on": "2027-01-31"},
        404,
    ),
    (
        "PUT",
        "/v1/house-works/{foreign_house}/milestones/roof",
        {"reported_by": "x", "planned_on": "2027-01-31"},
        404,
    ),
    (
        "POST",
        "/v1/house-works/{foreign_house}/labour",
        {"kind": "household", "person_days": 2, "reported_by": "x"},
        404,
    ),
    ("PATCH", "/v1/projects/{foreign_project}", {"name": "x"}, 404),
    (
        "POST",
        "/v1/projects/{foreign_project}/house-works",
        {"house_work_ids": ["{bangkok_house}"]},
        404,
    ),
    ("DELETE", "/v1/projects/{foreign_project}/house-works/{bangkok_house}", None, 404),
    ("DELETE", "/v1/projects/{bangkok_project}/house-works/{foreign_house}", None, 404),
    ("DELETE", "/v1/projects/{foreign_project}/house-works/{foreign_house}", None, 404),
    ("POST", "/v1/projects/{foreign_project}/house-works/ready", REPORT, 404),
    ("POST", "/v1/projects/{foreign_project}/house-works/start", REPORT, 404),
    ("POST", "/v1/projects/{foreign_project}/purchase-orders", purchase_order_body(), 404),
    (
        "POST",
        "/v1/purchase-orders/{foreign_order}/deliveries",
        {"quantity": 1, "received_by": "x"},
        404,
    ),
    (
        "POST",
        "/v1/purchase-orders/{foreign_order}/allocations",
        {"house_work_id": "{bangkok_house}", "quantity": 1, "allocated_by": "x"},
        404,
    ),
    (
        "POST",
        "/v1/deliveries/{foreign_delivery}/reversal",
        {"reason": "x", "reversed_by": "y"},
        404,
    ),
    (
        "POST",
        "/v1/allocations/{foreign_allocation}/reversal",
        {"reason": "x", "reversed_by": "y"},
        404,
    ),
    # Ids in the body: an unknown reference naming the field, whether missing or elsewhere;
    # the caller's own house beside the foreign one does not move either.
    (
        "POST",
        "/v1/projects/{bangkok_project}/house-works",
        {"house_work_ids": ["{bangkok_other_house}", "{foreign_house}"]},
        422,
    ),
    (
        "POST",
        "/v1/projects/{bangkok_project}/house-works/ready",
        {"reported_by": "x", "house_work_ids": ["{bangkok_house}", "{foreign_house}"]},
        422,
    ),
    (
        "POST",
        "/v1/projects/{bangkok_project}/house-works/start",
        {"reported_by": "x", "house_work_ids": ["{foreign_house}", "{bangkok_house}"]},
        422,
    ),
    (
        "POST",
        "/v1/purchase-orders/{bangkok_order}/allocations",
        {"house_work_id": "{foreign_house}", "quantity": 1, "allocated_by": "x"},
        422,
    ),
]

BODY_FIELDS = {
    "/v1/projects/{bangkok_project}/house-works": "body.house_work_ids.1",
    "/v1/projects/{bangkok_project}/house-works/ready": "body.house_work_ids.1",
    "/v1/projects/{bangkok_project}/house-works/start": "body.house_work_ids.0",
    "/v1/purchase-orders/{bangkok_order}/allocations": "body.house_work_id",
}


async def _seed(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    """Both provinces' records (test_construction_areas) under the names used here, a
    Chiang Rai community's house, and a second Bangkok house, free to join Bangkok's
    project."""
    seeded = await seed_two_provinces(app, client)
    house = (await client.get(f"/v1/house-works/{seeded['chiang_rai_house']}")).json()
    community = str(new_id())
    await plan_house(app, community_id=community)  # a Chiang Rai community's house
    return {
        "foreign_house": seeded["chiang_rai_house"],
        "foreign_household": house["household_id"],
        "foreign_community": community,
        "foreign_update": seeded["chiang_rai_update"],
        "foreign_photo": seeded["chiang_rai_photo"],
        "foreign_project": seeded["chiang_rai_project"],
        "foreign_order": seeded["chiang_rai_order"],
        "foreign_delivery": seeded["chiang_rai_delivery"],
        "foreign_allocation": seeded["chiang_rai_allocation"],
        "bangkok_house": seeded["bangkok_house"],
        "bangkok_other_house": await plan_house(
            app, province_code="10", district_code="1001", subdistrict_code="100101"
        ),
        "bangkok_project": seeded["bangkok_project"],
        "bangkok_order": seeded["bangkok_order"],
    }


def _two_ways(ids: dict[str, str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """The ids with the foreign ones, the ids with random ones instead, and every id to mask."""
    randoms = {name: str(new_id()) for name in ids if name.startswith("foreign_")}
    foreign = [ids[name] for name in randoms]
    return ids, {**ids, **randoms}, foreign + list(randoms.values())


BANGKOK_VIEWS = (
    "/v1/house-works/{bangkok_house}",
    "/v1/house-works/{bangkok_house}/history",
    "/v1/house-works/{bangkok_other_house}",
    "/v1/projects/{bangkok_project}/summary",
    "/v1/purchase-orders/{bangkok_order}/allocations",
)


async def _everything(
    app: FastAPI, client: httpx.AsyncClient, ids: dict[str, str]
) -> dict[str, Any]:
    """What the national office reads of both provinces, and every event recorded."""
    names = {
        "chiang_rai_house": ids["foreign_house"],
        "chiang_rai_update": ids["foreign_update"],
        "chiang_rai_project": ids["foreign_project"],
        "chiang_rai_order": ids["foreign_order"],
    }
    seen: dict[str, Any] = {}
    for path in CHIANG_RAI_VIEWS:
        seen[path] = (await client.get(path.format(**names))).json()
    for path in BANGKOK_VIEWS:
        seen[path] = (await client.get(path.format(**ids))).json()
    seen["events"] = [(r.type, r.payload) for r in await outbox_rows(app)]
    return seen


class TestElsewhereIsNowhere:
    """Bangkok's office (10, read and write) names Chiang Rai's (57) ids, then random ones."""

    async def test_every_read_answers_another_areas_id_as_a_random_one(
        self, app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        ids = await _seed(app, client)
        unequal, statuses = {}, {}
        for path in PATH_READS:
            foreign, randoms, masked = _two_ways(ids)
            national = await client.get(path.format(**foreign))
            elsewhere = await bangkok_client.get(path.format(**foreign))
            nowhere = await bangkok_client.get(path.format(**randoms))
            statuses[path] = (national.status_code, elsewhere.status_code)
            if _masked(elsewhere, masked) != _masked(nowhere, masked):
                unequal[path] = (elsewhere.text, nowhere.text)
        for path, params in QUERY_READS:
            foreign, randoms, masked = _two_ways(ids)
            elsewhere = await bangkok_client.get(path, params=_filled(params, foreign))
            nowhere = await bangkok_client.get(path, params=_filled(params, randoms))
            statuses[f"{path} {params}"] = (200, elsewhere.status_code)
            if _masked(elsewhere, masked) != _masked(nowhere, masked):
                unequal[f"{path} {params}"] = (elsewhere.text, nowhere.text)

        assert unequal == {}
        # Chiang Rai's records exist (the national office reads them), and the office
        # is told they do not: the path ids 404, the query filters find nothing.
        assert statuses == {
            **{path: (200, 404) for path in PATH_READS if "{bangkok_house}" not in path},
            "/v1/house-works/{bangkok_house}/updates/{foreign_update}/photos": (404, 404),
            **{f"{path} {params}": (200, 200) for path, params in QUERY_READS},
        }

    async def test_the_404_is_does_not_exist_naming_the_record(
        self, app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        ids = await _seed(app, client)
        answers = {
            kind: (await bangkok_client.get(path.format(**ids))).json()
            for kind, path in {
                "house work": "/v1/house-works/{foreign_house}",
                "project": "/v1/projects/{foreign_project}",
                "purchase order": "/v1/purchase-orders/{foreign_order}",
                "photo": "/v1/photos/{foreign_photo}/content",
            }.items()
        }
        named = {"house work": "house", "project": "project", "purchase order": "order"}
        assert {kind: answer["detail"] for kind, answer in answers.items()} == {
            kind: f"{kind} {ids['foreign_' + named.get(kind, kind)]} does not exist"
            for kind in answers
        }
        assert {(a["status"], a["type"], a["title"]) for a in answers.values()} == {
            (404, "https://baan.example.org/problems/not-found", "Not found")
        }

    @pytest.mark.parametrize(
        ("method", "path", "body", "status"),
        WRITES,
        ids=[f"{m} {p}{' body' if s == 422 else ''}" for m, p, _, s in WRITES],
    )
    async def test_a_write_naming_another_areas_id_answers_as_a_random_one_and_changes_nothing(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        bangkok_client: httpx.AsyncClient,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        status: int,
    ) -> None:
        ids = await _seed(app, client)
        foreign, randoms, masked = _two_ways(ids)
        before = await _everything(app, client, ids)

        elsewhere = await bangkok_client.request(
            method, path.format(**foreign), json=_filled(body, foreign)
        )
        nowhere = await bangkok_client.request(
            method, path.format(**randoms), json=_filled(body, randoms)
        )

        assert _masked(elsewhere, masked) == _masked(nowhere, masked)
        assert elsewhere.status_code == status, elsewhere.text
        if status == 422:
            assert elsewhere.json()["errors"] == [
                {
                    "field": BODY_FIELDS[path],
                    "value": ids["foreign_house"],
                    "reason": "no house work with this id exists in the client's areas",
                    "code": "unknown-reference",
                }
            ]
        assert await _everything(app, client, ids) == before

    async def test_a_photo_for_another_areas_update_answers_as_a_random_one(
        self, app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        ids = await _seed(app, client)
        before = await _everything(app, client, ids)
        answers = {}
        for path in (
            "/v1/house-works/{foreign_house}/updates/{foreign_update}/photos",
            "/v1/house-works/{bangkok_house}/updates/{foreign_update}/photos",
        ):
            foreign, randoms, masked = _two_ways(ids)
            answers[path] = [
                _masked(
                    await bangkok_client.post(
                        path.format(**chosen),
                        files={"file": ("roof.png", PNG, "image/png")},
                        data={"uploaded_by": "x"},
                    ),
                    masked,
                )
                for chosen in (foreign, randoms)
            ]
        assert {path: elsewhere == nowhere for path, (elsewhere, nowhere) in answers.items()} == {
            path: True for path in answers
        }
        assert {elsewhere[0] for elsewhere, _ in answers.values()} == {404}
        assert await _everything(app, client, ids) == before

    async def test_a_national_client_keeps_the_details(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        """The national office is told why another province's house cannot join Bangkok's
        project, not that it is unknown; and which project holds a house."""
        ids = await _seed(app, client)
        misfit = await client.post(
            f"/v1/projects/{ids['bangkok_project']}/house-works",
            json={"house_work_ids": [ids["bangkok_other_house"], ids["foreign_house"]]},
        )
        other_project = await create_project(client, name="อีก")
        taken = await client.post(
            f"/v1/projects/{other_project['id']}/house-works",
            json={"house_work_ids": [ids["foreign_house"]]},
        )
        assert misfit.status_code == 422, misfit.text
        assert [(e["field"], e["code"]) for e in misfit.json()["errors"]] == [
            ("body.house_work_ids.1", "project_misfit")
        ]
        assert "province_code 57" in misfit.json()["errors"][0]["reason"]
        assert taken.status_code == 409, taken.text
        assert taken.json()["project_id"] == ids["foreign_project"]


class TestTakenElsewhere:
    """A house work belongs to one project. One in a project its office cannot see (a
    province-wide project, for a district office) is taken: the office is not told by
    which project."""

    async def test_a_house_in_a_project_the_client_cannot_see_is_taken_elsewhere(
        self, app: FastAPI, client: httpx.AsyncClient, client_for: ClientFor
    ) -> None:
        province_wide = await create_project(client, district_code=None, subdistrict_code=None)
        district_project = await create_project(client, subdistrict_code=None, name="อำเภอ")
        house = await plan_house(app)
        await assign(client, province_wide["id"], house)
        before = (await client.get(f"/v1/house-works/{house}")).json()

        async with client_for(
            "mueang-chiang-rai", [CONSTRUCTION_READ, CONSTRUCTION_WRITE], ["5701"]
        ) as district:
            hidden = await district.get(f"/v1/projects/{province_wide['id']}")
            response = await district.post(
                f"/v1/projects/{district_project['id']}/house-works",
                json={"house_work_ids": [house]},
            )

        assert hidden.status_code == 404
        assert response.status_code == 409, response.text
        assert province_wide["id"] not in response.text
        assert response.json()["errors"] == [
            {
                "field": "body.house_work_ids.0",
                "value": house,
                "reason": "already taken outside the client's areas; "
                "ask the national office (CODI)",
                "code": "taken-elsewhere",
            }
        ]
        assert (await client.get(f"/v1/house-works/{house}")).json() == before
        # The national office is told which project holds it.
        national = await client.post(
            f"/v1/projects/{district_project['id']}/house-works",
            json={"house_work_ids": [house]},
        )
        assert national.json()["project_id"] == province_wide["id"]
