"""What the national office seeds in one place, one object of every kind, per service.

Each seeder returns the ids by kind (``household_id``, ``member_id``...), named as
the routes name them; ``cross_area.routes.KIND`` maps other parameter names onto them.
"""

from __future__ import annotations

import csv
import io
import itertools
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
from cross_area.stage import PLACES, World
from stdnum.th import pin

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    HouseholdApproved,
    WelfareBenefitPaid,
    WelfareFundRegistered,
    WelfareMemberJoined,
)
from baan_shared.ids import new_id
from baan_testkit.delivery import deliver
from baan_testkit.events import cloud_event

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)

_serial = itertools.count(1)


def national_id() -> str:
    base = f"{3_5017_00000_00 + next(_serial):012d}"
    return base + pin.calc_check_digit(base)


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json() if response.content else None


def household_body(place: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme": "BAAN_PHO_PHIANG",
        "head_name": "นางสมศรี ใจดี",
        "national_id": national_id(),
        "phone": "0812345678",
        **PLACES[place],
        "village": "หมู่ 3",
        "household_size": 4,
        "monthly_income_satang": 450_000,
        "need": "repair",
        "estimated_cost_satang": 2_000_000,
        "members": [{"age": 70, "sex": "female"}, {"age": 40, "sex": "male"}],
        "house_condition": "dilapidated",
    }
    body.update(overrides)
    return body


THAI_HEADERS = [
    "โครงการ",
    "ชื่อหัวหน้าครัวเรือน",
    "เลขประจำตัวประชาชน",
    "รหัสจังหวัด",
    "รหัสอำเภอ",
    "รหัสตำบล",
    "หมู่บ้าน",
    "จำนวนสมาชิก",
    "รายได้ต่อเดือน (บาท)",
    "ความต้องการ",
    "ค่าใช้จ่ายประมาณการ (บาท)",
    "สภาพบ้าน",
]


def sheet(place: str) -> bytes:
    """A survey sheet of the place: one valid row and one with a bad national id."""
    area = PLACES[place]
    rest = ["หมู่ 3", 4, "4,500.50", "ซ่อมแซม", 20000, "ชำรุดทรุดโทรม"]
    rows = [
        ["บ้านพอเพียงชนบท", "นายทดสอบ แถว", national_id(), *area.values(), *rest],
        ["บ้านพอเพียงชนบท", "นายทดสอบ ผิด", "1101700000000", *area.values(), *rest],
    ]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(THAI_HEADERS)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


async def survey(world: World, place: str) -> dict[str, str]:
    area = PLACES[place]
    async with world.national() as http:
        community = await ok(
            await http.post(
                "/v1/communities",
                json={"name": f"ชุมชน {place}", "kind": "community", **_sub(area)},
            ),
            201,
        )
        survey_round = await ok(
            await http.post(
                "/v1/survey-rounds",
                json={
                    **_sub(area),
                    "community_id": community["id"],
                    "run_by": "surveyors",
                    "started_on": "2026-11-01",
                },
            ),
            201,
        )
        links = {"community_id": community["id"], "survey_round_id": survey_round["id"]}
        plan_id = await adopted_tambon_plan(http, place)
        household = await ok(
            await http.post("/v1/households", json=household_body(place, **links)), 201
        )
        # A second household, approved.
        approved_body = household_body(place, **links)
        approved = await ok(await http.post("/v1/households", json=approved_body), 201)
        for step in ("screen", "approve"):
            await ok(
                await http.post(
                    f"/v1/households/{approved['id']}/{step}", json={"decided_by": "committee"}
                )
            )
        photo = await ok(
            await http.post(
                f"/v1/households/{household['id']}/photos",
                files={"file": ("photo", JPEG, "image/jpeg")},
                data={"subject": "house", "uploaded_by": "surveyor"},
            ),
            201,
        )
    # An import job is its uploader's: the place's own office uploads it.
    async with world.partner(place) as office:
        imported = await ok(
            await office.post(
                "/v1/household-imports",
                files={"file": ("survey.csv", sheet(place))},
                data={"imported_by": "อบต.", "survey_round_id": survey_round["id"]},
            ),
            201,
        )
    return {
        **links,
        "household_id": household["id"],
        "approved_household_id": approved["id"],
        "approved_national_id": approved_body["national_id"],
        "member_id": household["members"][0]["id"],
        "photo_id": photo["id"],
        "import_id": imported["id"],
        "plan_id": plan_id,
    }


def local_administration(place: str) -> str:
    """The official code of the place's own อปท. (made up: 9 and the sub-district)."""
    return "9" + PLACES[place]["subdistrict_code"]


def tambon_plan_body(place: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        **_sub(PLACES[place]),
        "local_administration_code": local_administration(place),
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
    }
    body.update(overrides)
    return body


def local_administration_body(place: str) -> dict[str, str]:
    """The place's own อปท. as the national office loads it."""
    area = PLACES[place]
    return {
        "code": local_administration(place),
        "name_th": f"อบต. {place}",
        "kind": "subdistrict_administration",
        "province_code": area["province_code"],
        "district_code": area["district_code"],
    }


async def adopted_tambon_plan(http: httpx.AsyncClient, place: str) -> str:
    administration = local_administration_body(place)
    await ok(await http.put("/v1/local-administrations", json={"items": [administration]}))
    plan = await ok(await http.post("/v1/tambon-plans", json=tambon_plan_body(place)), 201)
    decision = {"by": "สภาองค์กรชุมชนตำบล", "on": "2026-11-20"}
    await ok(await http.post(f"/v1/tambon-plans/{plan['id']}/agreement", json=decision))
    await ok(await http.post(f"/v1/tambon-plans/{plan['id']}/adoption", json=decision))
    plan_id: str = plan["id"]
    return plan_id


def _sub(area: dict[str, str]) -> dict[str, str]:
    return {"subdistrict_code": area["subdistrict_code"]}


def household_approved(place: str, **overrides: Any) -> CloudEvent:
    """``household.approved`` as survey publishes it, for a new household of the place."""
    fields: dict[str, Any] = {
        "household_id": new_id(),
        "community_id": new_id(),
        "programme": "BAAN_PHO_PHIANG",
        **PLACES[place],
        "fiscal_year": 2569,
        "household_size": 4,
        "need": "rebuild",
        "estimated_cost_satang": 2_000_000,
        "approved_at": datetime(2026, 1, 15, 3, 0, tzinfo=UTC),
        "approved_by": "คณะกรรมการชุมชน",
        **overrides,
    }
    return cloud_event(HouseholdApproved(**fields))


async def construction(world: World, place: str) -> dict[str, str]:
    area = PLACES[place]
    planned = household_approved(place)
    building = household_approved(place)
    for event in (planned, building):
        await deliver(world.app, event)
    async with world.national() as http:
        houses = {}
        for event in (planned, building):
            [house] = (
                await ok(
                    await http.get(
                        "/v1/house-works", params={"household_id": event.data["household_id"]}
                    )
                )
            )["items"]
            houses[event.data["household_id"]] = house["id"]
        planned_id, building_id = houses.values()
        project = await ok(
            await http.post(
                "/v1/projects",
                json={
                    "name": f"โครงการ {place}",
                    "programme": "BAAN_PHO_PHIANG",
                    **area,
                    "planned_start_on": "2026-02-01",
                    "planned_end_on": "2026-09-30",
                    "created_by": "ผู้ประสานงาน",
                },
            ),
            201,
        )
        await ok(
            await http.post(
                f"/v1/projects/{project['id']}/house-works",
                json={"house_work_ids": [planned_id, building_id]},
            )
        )
        for step in ("ready", "start"):
            await ok(
                await http.post(
                    f"/v1/house-works/{building_id}/{step}", json={"reported_by": "ช่าง"}
                )
            )
        await ok(
            await http.post(
                f"/v1/house-works/{building_id}/progress",
                json={"reported_by": "ช่าง", "milestone": "foundation"},
            )
        )
        [update] = await ok(await http.get(f"/v1/house-works/{building_id}/updates"))
        photo = await ok(
            await http.post(
                f"/v1/house-works/{building_id}/updates/{update['id']}/photos",
                files={"file": ("roof.png", PNG, "image/png")},
                data={"uploaded_by": "ช่าง"},
            ),
            201,
        )
        await ok(
            await http.post(
                f"/v1/house-works/{building_id}/labour",
                json={"kind": "community", "person_days": 3, "reported_by": "ช่าง"},
            ),
            201,
        )
        order = await ok(
            await http.post(
                f"/v1/projects/{project['id']}/purchase-orders",
                json={
                    "item": "ปูนซีเมนต์",
                    "quantity": 100,
                    "unit": "ถุง",
                    "unit_price_satang": 14_500,
                    "supplier": "ร้านวัสดุ",
                    "ordered_by": "คณะกรรมการจัดซื้อ",
                },
            ),
            201,
        )
        delivery = await ok(
            await http.post(
                f"/v1/purchase-orders/{order['id']}/deliveries",
                json={"quantity": 60, "received_by": "เหรัญญิก"},
            ),
            201,
        )
        allocation = await ok(
            await http.post(
                f"/v1/purchase-orders/{order['id']}/allocations",
                json={"house_work_id": building_id, "quantity": 10, "allocated_by": "ช่าง"},
            ),
            201,
        )
    return {
        "house_work_id": building_id,
        "planned_house_work_id": planned_id,
        "household_id": str(building.data["household_id"]),
        "community_id": str(building.data["community_id"]),
        "project_id": project["id"],
        "update_id": update["id"],
        "photo_id": photo["id"],
        "order_id": order["id"],
        "delivery_id": delivery["id"],
        "allocation_id": allocation["id"],
    }


async def finance(world: World, place: str) -> dict[str, str]:
    area = PLACES[place]
    async with world.national() as http:
        allocated = await ok(
            await http.post(
                "/v1/budgets",
                json={
                    "programme": "BAAN_PHO_PHIANG",
                    "fiscal_year": 2569,
                    "area_level": "subdistrict",
                    "area_code": area["subdistrict_code"],
                    "amount_satang": 100_000_000,
                },
            ),
            201,
        )
        approved = household_approved(place)
        await deliver(world.app, approved)
        household_id = str(approved.data["household_id"])
        [grant] = (await ok(await http.get("/v1/grants", params={"household_id": household_id})))[
            "items"
        ]
        fund = await ok(
            await http.post(
                "/v1/revolving-funds",
                json={
                    "scope": "subdistrict",
                    "code": area["subdistrict_code"],
                    "name": f"กองทุนตำบล {place}",
                    "province_code": area["province_code"],
                },
            ),
            201,
        )
        await ok(
            await http.post(
                f"/v1/revolving-funds/{fund['id']}/deposits",
                json={"amount_satang": 5_000_000, "reference": f"SEED-{place}"},
            )
        )
        community_fund = await ok(
            await http.post(
                "/v1/revolving-funds",
                json={
                    "scope": "community",
                    "code": f"CF-{place}",
                    "name": f"กองทุนชุมชน {place}",
                    "province_code": area["province_code"],
                },
            ),
            201,
        )
        loan = await ok(await http.post("/v1/loans", json=loan_body(place, fund["id"])), 201)
        await ok(
            await http.post(f"/v1/loans/{loan['id']}/disburse", json={"disbursed_on": "2026-01-01"})
        )
        repayment = await ok(
            await http.post(
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
        "household_id": household_id,
        "grant_id": grant["id"],
        "revolving_fund_id": fund["id"],
        "community_fund_id": community_fund["id"],
        "loan_id": loan["id"],
        "borrower_id": loan["borrower_id"],
        "repayment_id": repayment["id"],
    }


def loan_body(place: str, fund_id: str, **overrides: Any) -> dict[str, Any]:
    """A rural loan to a household of the place, financed by the place's fund."""
    return {
        "borrower_type": "household",
        "borrower_id": str(uuid.uuid4()),
        "programme": "BAAN_PHO_PHIANG",
        **PLACES[place],
        "principal_satang": 1_000_000,
        "annual_interest_rate_bp": 0,
        "term_months": 10,
        "revolving_fund_id": fund_id,
        "financed_by_fund": True,
        **overrides,
    }


async def reporting(world: World, place: str) -> dict[str, str]:
    """A household of the place, as survey's household.approved tells reporting of it
    (its record: GET /v1/reports/households/{household_id}), and a welfare fund of the
    place with a member paid a benefit, as welfare's events bring them (the welfare
    reports' ``fund_id``)."""
    approved = household_approved(place)
    await deliver(world.app, approved)
    area = PLACES[place]
    where = {"welfare_fund_id": new_id(), **area, "region_code": None}
    books = dict.fromkeys(
        (
            "contributions_satang",
            "agency_match_satang",
            "local_match_satang",
            "other_income_satang",
            "benefits_paid_satang",
            "balance_satang",
        ),
        0,
    )
    member_id = new_id()
    await deliver(
        world.app,
        cloud_event(
            WelfareFundRegistered(
                **where,
                kind="tambon",
                name=f"กองทุนสวัสดิการชุมชน {place}",
                sequence=0,
                registered_on=date(2020, 1, 1),
                **books,
            )
        ),
        cloud_event(
            WelfareMemberJoined(
                **where, member_id=member_id, status="active", joined_on=date(2021, 1, 1)
            )
        ),
        cloud_event(
            WelfareBenefitPaid(
                **where,
                claim_id=new_id(),
                member_id=member_id,
                benefit_kind="hospital",
                event_date=date(2025, 3, 1),
                amount_satang=40_000,
                paid_on=date(2025, 3, 2),
            )
        ),
    )
    return {
        "household_id": str(approved.data["household_id"]),
        "fund_id": str(where["welfare_fund_id"]),
    }


WELFARE_RULES: dict[str, Any] = {
    "benefits": [
        {
            "kind": "hospital",
            "payment": "per_night",
            "amount_satang": 20_000,
            "max_nights_per_year": 10,
        },
        {"kind": "disaster", "payment": "up_to", "amount_satang": 200_000},
    ]
}


async def welfare(world: World, place: str) -> dict[str, str]:
    """A tambon's welfare fund (with rules and seed income), a member who paid a year,
    a submitted claim and a requested agency match."""
    area = PLACES[place]
    async with world.national() as http:
        fund = await ok(
            await http.post(
                "/v1/funds",
                json={
                    "kind": "tambon",
                    "name": f"กองทุนสวัสดิการชุมชน {place}",
                    "subdistrict_code": area["subdistrict_code"],
                    "registered_on": "2020-01-01",
                    "committee": [{"name": "ประธาน", "role": "chair"}],
                    "rules": WELFARE_RULES,
                },
            ),
            201,
        )
        await ok(
            await http.post(
                f"/v1/funds/{fund['id']}/income",
                json={
                    "amount_satang": 1_000_000,
                    "received_on": "2024-01-01",
                    "reference": f"SEED-{place}",
                },
            )
        )
        member = await ok(
            await http.post(
                "/v1/members",
                json={
                    "fund_id": fund["id"],
                    "national_id": national_id(),
                    "name": f"สมาชิก {place}",
                    "joined_on": "2021-01-01",
                },
            ),
            201,
        )
        await ok(
            await http.post(
                "/v1/contributions",
                json={
                    "member_id": member["id"],
                    "amount_satang": 36_500,
                    "paid_on": "2024-06-01",
                    "reference": f"R-{place}",
                },
            ),
            201,
        )
        claim = await ok(
            await http.post(
                "/v1/claims",
                json={
                    "member_id": member["id"],
                    "kind": "hospital",
                    "event_date": "2025-03-01",
                    "nights": 2,
                    "claimed_by": "สมาชิก",
                },
            ),
            201,
        )
        match = await ok(
            await http.post(
                f"/v1/funds/{fund['id']}/match-requests",
                json={
                    "matcher": "agency",
                    "period_from": "2024-01-01",
                    "period_to": "2024-12-31",
                    "amount_satang": 36_500,
                    "requested_by": "เหรัญญิก",
                },
            ),
            201,
        )
    return {
        "fund_id": fund["id"],
        "member_id": member["id"],
        "claim_id": claim["id"],
        "request_id": match["id"],
    }
