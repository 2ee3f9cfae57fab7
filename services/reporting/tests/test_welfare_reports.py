"""Welfare in reporting: funds, members, money in the funds, people helped and benefits
paid by area and fiscal year, from welfare's events; every figure equals the length of
the list it links to; a client bound to a province sees only its funds."""

import uuid
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from fastapi import FastAPI
from reporting_factories import apply_events
from reporting_welfare_events import KINDS, Fund

from baan_shared.events import CloudEvent

FY2568 = 2568  # October 2024 - September 2025
FY2569 = 2569


RUN_ON_BOTH_DATABASES = True  # conftest runs each test on SQLite, then PostgreSQL


def fund_events() -> tuple[list[CloudEvent], dict[str, Fund]]:
    """Chiang Rai: two funds in two districts; Bangkok: one. Members join in FY 2568 and
    2569, one leaves in FY 2569; benefits in both years, one member helped twice."""
    funds = {"570101": Fund("570101"), "570201": Fund("570201"), "103801": Fund("103801")}
    events: list[CloudEvent] = []
    for index, fund in enumerate(funds.values()):
        events.append(fund.registered())
        members = []
        for m in range(3 + index):
            joined = date(2024, 11, 1) if m % 2 == 0 else date(2025, 10, 10)
            member, joined_event = fund.join(joined)
            members.append((member, joined))
            events.append(joined_event)
        events.append(fund.movement("contribution", 36_500 * len(members), date(2025, 1, 31)))
        events.append(fund.movement("agency_match", 36_500 * len(members), date(2025, 3, 1)))
        events.append(fund.movement("local_match", 10_000, date(2025, 11, 1)))
        events.append(fund.movement("other_income", 5_000 + index, date(2025, 11, 2)))
        events.append(fund.movement("contribution", 36_500, date(2025, 12, 31)))
        first, _ = members[0]
        events += fund.benefit(first, 20_000, date(2025, 2, 1))  # FY 2568
        events += fund.benefit(first, 30_000, date(2025, 10, 20))  # FY 2569, again
        second, _ = members[1]
        events += fund.benefit(second, 100_000, date(2025, 12, 1))  # FY 2569
        leaver, joined = members[2]
        events.append(fund.status(leaver, joined, "active", "lapsed", None))
        if index == 0:
            events.append(fund.status(leaver, joined, "lapsed", "left", date(2025, 11, 30)))
    return events, funds


@pytest.fixture
async def populated(app: FastAPI) -> dict[str, Fund]:
    events, funds = fund_events()
    await apply_events(app, events)
    return funds


async def report(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/reports/welfare", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def rows_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["area_code"]: row for row in body["rows"]}


async def test_the_report_now_holds_each_fund_s_books_members_and_people_helped(
    client: httpx.AsyncClient, populated: dict[str, Fund]
) -> None:
    body = await report(client, level="province")
    rows = rows_of(body)
    assert set(rows) == {"10", "57"}
    chiang_rai = rows["57"]
    funds = [populated["570101"], populated["570201"]]
    assert chiang_rai["funds"] == 2
    # 3 and 4 members; one left in the first fund (the lapsed stay members)
    assert chiang_rai["members"] == 3 + 4 - 1
    for name in KINDS.values():
        assert chiang_rai[name] == sum(f.totals[name] for f in funds), name
    assert chiang_rai["balance_satang"] == sum(f.books()["balance_satang"] for f in funds)
    assert chiang_rai["people_helped"] == 4  # two members per fund, one of them twice
    assert chiang_rai["benefits"] == 6
    assert chiang_rai["benefits_paid_satang"] == 2 * 150_000
    total = body["total"]
    assert (total["area_code"], total["funds"], total["members"]) == ("TH", 3, 3 + 4 + 5 - 1)
    assert total["balance_satang"] == sum(f.books()["balance_satang"] for f in populated.values())
    assert body["label_en"] == "every fiscal year to date"


async def test_a_fiscal_year_holds_its_flows_and_the_balance_and_members_at_its_end(
    client: httpx.AsyncClient, populated: dict[str, Fund]
) -> None:
    fund = populated["570101"]
    first = rows_of(
        await report(client, level="subdistrict", province_code="57", fiscal_year=FY2568)
    )
    row = first["570101"]
    assert (row["funds"], row["members"]) == (1, 2)  # joined in November 2024
    assert row["contributions_satang"] == 36_500 * 3
    assert row["agency_match_satang"] == 36_500 * 3
    assert (row["local_match_satang"], row["other_income_satang"]) == (0, 0)
    assert (row["benefits_paid_satang"], row["benefits"], row["people_helped"]) == (20_000, 1, 1)
    assert row["balance_satang"] == 2 * 36_500 * 3 - 20_000
    second_body = await report(client, level="subdistrict", province_code="57", fiscal_year=FY2569)
    assert (second_body["label_th"], second_body["label_en"]) == ("ปีงบประมาณ 2569", "FY2026")
    row = rows_of(second_body)["570101"]
    assert row["members"] == 3 - 1  # one joined, one left in FY 2569
    assert row["contributions_satang"] == 36_500
    assert (row["benefits_paid_satang"], row["benefits"], row["people_helped"]) == (130_000, 2, 2)
    assert row["balance_satang"] == fund.books()["balance_satang"]  # nothing after FY 2569
    registered = (await report(client, level="province", fiscal_year=2560))["total"]
    assert (registered["funds"], registered["members"], registered["balance_satang"]) == (3, 0, 0)
    before = await report(client, level="province", fiscal_year=2550)  # registered in 2553
    assert (before["rows"], before["total"]["funds"]) == ([], 0)


async def _list(client: httpx.AsyncClient, link: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    path, _, query = link.partition("?")
    while True:
        params: dict[str, Any] = {**dict(parse_qsl(query)), "limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(path, params=params)
        assert response.status_code == 200, f"{link}: {response.text}"
        page = response.json()
        found += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            assert page["count"] == len(found), link
            return found


@pytest.mark.parametrize("fiscal_year", [None, FY2568, FY2569])
@pytest.mark.parametrize("level", ["country", "region", "province", "district", "subdistrict"])
async def test_every_figure_equals_the_length_of_the_list_it_links_to(
    client: httpx.AsyncClient, populated: dict[str, Fund], level: str, fiscal_year: int | None
) -> None:
    params: dict[str, Any] = {"level": level}
    if fiscal_year is not None:
        params["fiscal_year"] = fiscal_year
    body = await report(client, **params)
    assert body["rows"]
    for row in [*body["rows"], body["total"]]:
        for figure in ("funds", "members", "people_helped"):
            listed = await _list(client, row["drill_down"][figure])
            assert len(listed) == row[figure], (row["area_code"], figure)
            assert len({item.get("member_id") or item["welfare_fund_id"] for item in listed}) == (
                len(listed)
            )


async def test_a_client_bound_to_a_province_sees_only_its_funds_and_members(
    chiang_rai_client: httpx.AsyncClient, client: httpx.AsyncClient, populated: dict[str, Fund]
) -> None:
    body = await report(chiang_rai_client, level="province")
    assert set(rows_of(body)) == {"57"}
    assert body["total"]["funds"] == 2
    bangkok = populated["103801"]
    elsewhere = await chiang_rai_client.get(
        "/v1/reports/welfare/members", params={"fund_id": str(bangkok.id)}
    )
    nowhere = await chiang_rai_client.get(
        "/v1/reports/welfare/members", params={"fund_id": str(uuid.uuid4())}
    )
    assert elsewhere.status_code == nowhere.status_code == 200
    assert elsewhere.json()["items"] == nowhere.json()["items"] == []
    assert elsewhere.json()["count"] == nowhere.json()["count"] == 0
    national = await client.get("/v1/reports/welfare/members", params={"fund_id": str(bangkok.id)})
    assert national.json()["count"] == 5 - 0  # lapsed still a member
    funds = await chiang_rai_client.get("/v1/reports/welfare/funds", params={"province_code": "10"})
    assert funds.status_code == 200 and funds.json()["count"] == 0


async def test_a_redelivered_movement_or_benefit_counts_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    fund = Fund("570101")
    member, joined = fund.join(date(2024, 11, 1))
    movement = fund.movement("contribution", 36_500, date(2025, 1, 31))
    paid = fund.benefit(member, 10_000, date(2025, 2, 1))
    await apply_events(app, [fund.registered(), joined, movement, *paid])
    # the same movements and benefit again, as new events (a replay from welfare's side)
    again = [CloudEvent(**{**e.model_dump(), "id": str(uuid.uuid4())}) for e in [movement, *paid]]
    await apply_events(app, again)
    row = rows_of(await report(client, level="province", fiscal_year=FY2568))["57"]
    assert (row["contributions_satang"], row["benefits_paid_satang"]) == (36_500, 10_000)
    assert (row["benefits"], row["people_helped"], row["members"]) == (1, 1, 1)


async def test_bad_queries_name_the_field(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/v1/reports/welfare", params={"province_code": "99"})
    assert unknown.status_code == 404
    coarse = await client.get(
        "/v1/reports/welfare", params={"level": "region", "province_code": "57"}
    )
    assert coarse.status_code == 422 and "level" in coarse.text
    year = await client.get("/v1/reports/welfare", params={"fiscal_year": "1999"})
    assert year.status_code == 422 and "fiscal_year" in year.text
    measure = await client.get("/v1/reports/welfare/members", params={"measure": "houses"})
    assert measure.status_code == 422 and "measure" in measure.text


async def test_the_export_holds_the_report_s_rows_and_total(
    client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient, populated: dict[str, Fund]
) -> None:
    params: dict[str, Any] = {"level": "province", "fiscal_year": FY2569}
    body = await report(client, **params)
    csv = await client.get("/v1/reports/welfare/export", params=params)
    assert csv.status_code == 200, csv.text
    assert csv.headers["content-disposition"].endswith('welfare-2569-province.csv"')
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert "เงินกองทุน (สตางค์) / Money in the funds (satang)" in lines[0]
    balances = [row["balance_satang"] for row in [*body["rows"], body["total"]]]
    assert [int(line.split(",")[-3]) for line in lines[1:]] == balances
    xlsx = await client.get("/v1/reports/welfare/export", params={**params, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    own = await chiang_rai_client.get("/v1/reports/welfare/export", params=params)
    assert [line.split(",")[1] for line in own.content.decode("utf-8-sig").splitlines()[1:]] == [
        "57",
        "TH",
    ]
