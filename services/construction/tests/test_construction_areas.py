"""Area permissions (issue 7): a client bound to areas sees and changes only their
records. Every list, search and export filters in SQL; another area's record, or
anything hanging off it (milestones, updates, photos, labour, orders, deliveries,
allocations, costs), answers the same 404 as a missing one, for reads and writes.
Issue 14 pins the answers themselves (and ids in request bodies): test_construction_elsewhere.py."""

import io
import zipfile
from collections import defaultdict
from typing import Any

import httpx
import pytest
from construction_auth import ClientFor
from construction_factories import (
    UNKNOWN_ID,
    assign,
    create,
    create_project,
    plan_house,
    post,
    project_body,
    purchase_order_body,
)
from fastapi import FastAPI

from baan_shared.auth import Principal
from baan_shared.auth.scopes import CONSTRUCTION_READ
from baan_testkit.areas import area_leaks

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
BANGKOK = {"province_code": "10", "district_code": "1001", "subdistrict_code": "100101"}


async def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _filled(value: Any, seeded: dict[str, str]) -> Any:
    """``value`` with each ``{name}`` in its strings replaced by the seeded id."""
    if isinstance(value, str):
        return value.format(**seeded)
    if isinstance(value, list):
        return [_filled(v, seeded) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, seeded) for k, v in value.items()}
    return value


async def seed_two_provinces(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    """Bangkok (10) and Chiang Rai (57, the factories' default), each with a house work in
    a project with a purchase order; Chiang Rai's house is under construction with a
    progress update, a photo, labour, a delivery and an allocation. Both projects ended
    before today, so both houses have overdue milestones. Returns the ids by name."""
    bangkok_house = await plan_house(app, **BANGKOK)
    chiang_rai_house = await plan_house(app)
    bangkok_project = await create_project(client, **BANGKOK)
    chiang_rai_project = await create_project(
        client, planned_start_on="2025-01-01", planned_end_on="2025-06-30"
    )
    await assign(client, bangkok_project["id"], bangkok_house)
    await assign(client, chiang_rai_project["id"], chiang_rai_house)
    bangkok_order = await create(
        client, f"/v1/projects/{bangkok_project['id']}/purchase-orders", purchase_order_body()
    )
    order = await create(
        client,
        f"/v1/projects/{chiang_rai_project['id']}/purchase-orders",
        purchase_order_body(),
    )
    delivery = await create(
        client,
        f"/v1/purchase-orders/{order['id']}/deliveries",
        {"quantity": 10, "received_by": "เหรัญญิก"},
    )
    allocation = await create(
        client,
        f"/v1/purchase-orders/{order['id']}/allocations",
        {"house_work_id": chiang_rai_house, "quantity": 4, "allocated_by": "ช่าง"},
    )
    await post(client, chiang_rai_house, "ready", reported_by="ผู้ประสานงาน")
    await post(client, chiang_rai_house, "start", reported_by="ผู้ประสานงาน")
    await post(
        client, chiang_rai_house, "progress", reported_by="ช่าง", milestone="materials_delivered"
    )
    [update] = await _ok(await client.get(f"/v1/house-works/{chiang_rai_house}/updates"))
    photo = await _ok(
        await client.post(
            f"/v1/house-works/{chiang_rai_house}/updates/{update['id']}/photos",
            files={"file": ("roof.png", PNG, "image/png")},
            data={"uploaded_by": "ช่าง"},
        ),
        201,
    )
    await create(
        client,
        f"/v1/house-works/{chiang_rai_house}/labour",
        {"kind": "community", "person_days": 6, "reported_by": "ช่าง"},
    )
    return {
        "bangkok_house": bangkok_house,
        "bangkok_project": bangkok_project["id"],
        "bangkok_order": bangkok_order["id"],
        "chiang_rai_house": chiang_rai_house,
        "chiang_rai_project": chiang_rai_project["id"],
        "chiang_rai_order": order["id"],
        "chiang_rai_delivery": delivery["id"],
        "chiang_rai_allocation": allocation["id"],
        "chiang_rai_update": update["id"],
        "chiang_rai_photo": photo["id"],
    }


# Everything a national reader sees of Chiang Rai's records: a refused write must
# leave all of it as it was.
CHIANG_RAI_VIEWS = (
    "/v1/house-works/{chiang_rai_house}",
    "/v1/house-works/{chiang_rai_house}/history",
    "/v1/house-works/{chiang_rai_house}/updates",
    "/v1/house-works/{chiang_rai_house}/updates/{chiang_rai_update}/photos",
    "/v1/house-works/{chiang_rai_house}/milestones",
    "/v1/house-works/{chiang_rai_house}/labour",
    "/v1/house-works/{chiang_rai_house}/costs",
    "/v1/projects/{chiang_rai_project}",
    "/v1/projects/{chiang_rai_project}/summary",
    "/v1/projects/{chiang_rai_project}/purchase-orders",
    "/v1/purchase-orders/{chiang_rai_order}",
    "/v1/purchase-orders/{chiang_rai_order}/deliveries",
    "/v1/purchase-orders/{chiang_rai_order}/allocations",
)


async def chiang_rai_as_seen_nationally(
    client: httpx.AsyncClient, seeded: dict[str, str]
) -> dict[str, Any]:
    return {path: await _ok(await client.get(path.format(**seeded))) for path in CHIANG_RAI_VIEWS}


class TestAreas:
    """Two provinces seeded: Bangkok (10) and Chiang Rai (57); the Bangkok office
    sees and touches only Bangkok's house works, projects, orders and milestones."""

    async def test_no_list_or_export_shows_another_areas_rows(
        self, app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        seeded = await seed_two_provinces(app, client)

        leaks = await area_leaks(bangkok_client, app, Principal.of("bkk", areas=["10"]))
        overdue_for_all = (await client.get("/v1/milestones/overdue")).json()["items"]

        assert leaks == {}
        # The lists had Chiang Rai rows to leak, and the Bangkok office sees its own.
        assert {i["house_work_id"] for i in overdue_for_all} == {
            seeded["bangkok_house"],
            seeded["chiang_rai_house"],
        }
        assert await self._listed(bangkok_client) == {
            "/v1/house-works": [seeded["bangkok_house"]],
            "/v1/projects": [seeded["bangkok_project"]],
            "/v1/milestones/overdue": [seeded["bangkok_house"]],
        }

    @staticmethod
    async def _listed(
        http: httpx.AsyncClient, params: dict[str, str] | None = None
    ) -> dict[str, list[str]]:
        """The house work (or project) ids each list shows, in order, without repeats;
        each list gets those of ``params`` it filters on."""
        listed = {}
        for path, key, filters in (
            ("/v1/house-works", "id", None),
            ("/v1/projects", "id", {"province_code", "subdistrict_code"}),
            ("/v1/milestones/overdue", "house_work_id", None),
        ):
            own = {k: v for k, v in (params or {}).items() if filters is None or k in filters}
            if params and not own:
                continue
            items = (await _ok(await http.get(path, params=own)))["items"]
            listed[path] = list(dict.fromkeys(i[key] for i in items))
        return listed

    @pytest.mark.parametrize(
        "params",
        [
            {"province_code": "57"},
            {"subdistrict_code": "570101"},
            {"project_id": "{chiang_rai_project}"},
        ],
        ids=["province", "subdistrict", "project"],
    )
    async def test_filtering_on_another_area_finds_nothing(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        bangkok_client: httpx.AsyncClient,
        params: dict[str, str],
    ) -> None:
        seeded = await seed_two_provinces(app, client)
        asked = {name: value.format(**seeded) for name, value in params.items()}

        national = await self._listed(client, asked)
        bangkok = await self._listed(bangkok_client, asked)
        exported = await bangkok_client.get("/v1/house-works/export", params=asked)

        assert national["/v1/milestones/overdue"] == [seeded["chiang_rai_house"]]
        assert bangkok == {path: [] for path in national}
        assert exported.status_code == 200
        assert seeded["chiang_rai_house"] not in exported.text

    @pytest.mark.parametrize("format_", ["csv", "xlsx"])
    async def test_the_export_holds_only_the_clients_area(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        bangkok_client: httpx.AsyncClient,
        format_: str,
    ) -> None:
        seeded = await seed_two_provinces(app, client)
        response = await bangkok_client.get("/v1/house-works/export", params={"format": format_})
        assert response.status_code == 200
        text = response.text if format_ == "csv" else _xlsx_text(response.content)
        assert seeded["bangkok_house"] in text
        assert seeded["chiang_rai_house"] not in text

    @pytest.mark.parametrize("path", (*CHIANG_RAI_VIEWS, "/v1/photos/{chiang_rai_photo}/content"))
    async def test_another_areas_record_is_404_like_a_missing_one(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        bangkok_client: httpx.AsyncClient,
        path: str,
    ) -> None:
        seeded = await seed_two_provinces(app, client)
        national = await client.get(path.format(**seeded))
        response = await bangkok_client.get(path.format(**seeded))
        missing = await bangkok_client.get(path.format_map(defaultdict(lambda: UNKNOWN_ID)))

        assert national.status_code == 200  # it exists
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert _kind(response) == _kind(missing)

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("POST", "/v1/house-works/{chiang_rai_house}/ready", {"reported_by": "x"}),
            ("POST", "/v1/house-works/{chiang_rai_house}/start", {"reported_by": "x"}),
            (
                "POST",
                "/v1/house-works/{chiang_rai_house}/progress",
                {"reported_by": "x", "milestone": "repaired"},
            ),
            ("POST", "/v1/house-works/{chiang_rai_house}/complete", {"inspected_by": "x"}),
            (
                "POST",
                "/v1/house-works/{chiang_rai_house}/cancel",
                {"reported_by": "x", "reason": "y"},
            ),
            (
                "PUT",
                "/v1/house-works/{chiang_rai_house}/planned-end",
                {"reported_by": "x", "planned_end_on": "2027-01-31"},
            ),
            (
                "PUT",
                "/v1/house-works/{chiang_rai_house}/milestones/repaired",
                {"reported_by": "x", "planned_on": "2027-01-31"},
            ),
            (
                "POST",
                "/v1/house-works/{chiang_rai_house}/labour",
                {"kind": "household", "person_days": 2, "reported_by": "x"},
            ),
            ("PATCH", "/v1/projects/{chiang_rai_project}", {"name": "x"}),
            (
                "POST",
                "/v1/projects/{chiang_rai_project}/house-works",
                {"house_work_ids": ["{bangkok_house}"]},
            ),
            ("DELETE", "/v1/projects/{chiang_rai_project}/house-works/{chiang_rai_house}", None),
            ("POST", "/v1/projects/{chiang_rai_project}/house-works/ready", {"reported_by": "x"}),
            ("POST", "/v1/projects/{chiang_rai_project}/house-works/start", {"reported_by": "x"}),
            ("POST", "/v1/projects/{chiang_rai_project}/purchase-orders", purchase_order_body()),
            (
                "POST",
                "/v1/purchase-orders/{chiang_rai_order}/deliveries",
                {"quantity": 1, "received_by": "x"},
            ),
            (
                "POST",
                "/v1/purchase-orders/{chiang_rai_order}/allocations",
                {"house_work_id": "{chiang_rai_house}", "quantity": 1, "allocated_by": "x"},
            ),
            (
                "POST",
                "/v1/deliveries/{chiang_rai_delivery}/reversal",
                {"reason": "x", "reversed_by": "y"},
            ),
            (
                "POST",
                "/v1/allocations/{chiang_rai_allocation}/reversal",
                {"reason": "x", "reversed_by": "y"},
            ),
        ],
    )
    async def test_another_areas_record_cannot_be_changed_and_is_404(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        bangkok_client: httpx.AsyncClient,
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        seeded = await seed_two_provinces(app, client)
        before = await chiang_rai_as_seen_nationally(client, seeded)

        response = await bangkok_client.request(
            method, path.format(**seeded), json=_filled(body, seeded)
        )

        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert await chiang_rai_as_seen_nationally(client, seeded) == before

    async def test_another_areas_update_takes_no_photo(
        self, app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        seeded = await seed_two_provinces(app, client)
        before = await chiang_rai_as_seen_nationally(client, seeded)
        response = await bangkok_client.post(
            "/v1/house-works/{chiang_rai_house}/updates/{chiang_rai_update}/photos".format(
                **seeded
            ),
            files={"file": ("roof.png", PNG, "image/png")},
            data={"uploaded_by": "x"},
        )
        assert response.status_code == 404, response.text
        assert await chiang_rai_as_seen_nationally(client, seeded) == before

    async def test_its_own_areas_records_it_may_change(
        self, app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        seeded = await seed_two_provinces(app, client)
        ready = await bangkok_client.post(
            f"/v1/house-works/{seeded['bangkok_house']}/ready", json={"reported_by": "x"}
        )
        order = await bangkok_client.post(
            f"/v1/projects/{seeded['bangkok_project']}/purchase-orders",
            json=purchase_order_body(),
        )
        assert (ready.status_code, order.status_code) == (200, 201)

    async def test_a_project_in_another_area_is_403(
        self, bangkok_client: httpx.AsyncClient
    ) -> None:
        response = await bangkok_client.post("/v1/projects", json=project_body())
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == "body.province_code"

    async def test_its_own_province_code_cannot_carry_another_provinces_district(
        self, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        """Otherwise Bangkok could place a project where Chiang Rai's district office
        (5701) would find it."""
        response = await bangkok_client.post("/v1/projects", json=project_body(province_code="10"))
        assert response.status_code == 422
        assert "body.district_code" in [e["field"] for e in response.json()["errors"]]
        assert (await client.get("/v1/projects")).json()["items"] == []

    async def test_a_district_office_sees_only_its_district(
        self, app: FastAPI, client: httpx.AsyncClient, client_for: ClientFor
    ) -> None:
        """Codes are hierarchical: district 5701 covers 570101, not 5702's houses."""
        await seed_two_provinces(app, client)
        other_district = await plan_house(app, district_code="5702", subdistrict_code="570201")
        async with client_for("mueang-chiang-rai", [CONSTRUCTION_READ], ["5701"]) as district:
            leaks = await area_leaks(district, app, Principal.of("d", areas=["5701"]))
            listed = (await district.get("/v1/house-works")).json()["items"]
            other = await district.get(f"/v1/house-works/{other_district}")
        assert leaks == {}
        assert [h["subdistrict_code"] for h in listed] == ["570101"]
        assert other.status_code == 404


def _kind(response: httpx.Response) -> tuple[int, str, str]:
    """What a problem says about itself, without the ids it names."""
    problem = response.json()
    return response.status_code, problem["type"], problem["title"]


def _xlsx_text(content: bytes) -> str:
    """Every XML part of an XLSX file (cells and shared strings) as one text."""
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return "".join(
            workbook.read(name).decode() for name in workbook.namelist() if name.endswith(".xml")
        )
