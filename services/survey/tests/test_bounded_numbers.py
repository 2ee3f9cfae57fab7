"""Numbers too large to be true are a 422 naming the field, never an overflow in the
database: money, counts, land area and page sizes all have an upper bound."""

from typing import Any

import httpx
import pytest
from survey_factories import csv_bytes, household_body, sheet_row

TOO_MUCH_MONEY = 10**16  # satang: 100 trillion baht
TOO_MANY = 2**40


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("monthly_income_satang", TOO_MUCH_MONEY),
        ("estimated_cost_satang", TOO_MUCH_MONEY),
        ("land_area_sq_wah", TOO_MANY),
        ("household_size", TOO_MANY),
    ],
)
async def test_registering_a_household_with_a_huge_number_is_422(
    client: httpx.AsyncClient, field: str, value: int
) -> None:
    response = await client.post("/v1/households", json=household_body(**{field: value}))

    assert _fields(response) == [f"body.{field}"]
    assert (await client.get("/v1/households")).json()["items"] == []


async def test_the_largest_amount_allowed_is_still_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/households", json=household_body(estimated_cost_satang=10**15)
    )

    assert response.status_code == 201, response.text
    assert response.json()["estimated_cost_satang"] == 10**15


async def test_a_members_huge_age_is_422(client: httpx.AsyncClient) -> None:
    body = household_body(members=[{"age": TOO_MANY, "sex": "female"}])

    assert _fields(await client.post("/v1/households", json=body)) == ["body.members.0.age"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("monthly_income_satang", TOO_MUCH_MONEY),
        ("estimated_cost_satang", TOO_MUCH_MONEY),
        ("land_area_sq_wah", TOO_MANY),
        ("household_size", TOO_MANY),
    ],
)
async def test_correcting_a_household_with_a_huge_number_is_422(
    client: httpx.AsyncClient, field: str, value: int
) -> None:
    created = (await client.post("/v1/households", json=household_body())).json()

    response = await client.patch(
        f"/v1/households/{created['id']}", json={"edited_by": "อบต.", field: value}
    )

    assert _fields(response) == [f"body.{field}"]
    after = (await client.get(f"/v1/households/{created['id']}")).json()
    assert after[field] == created[field]


async def test_a_programmes_huge_income_limit_is_422(client: httpx.AsyncClient) -> None:
    current = (await client.get("/v1/programmes/BAAN_MANKONG")).json()
    body: dict[str, Any] = {
        "name_th": current["name_th"],
        "name_en": current["name_en"],
        "unit": current["unit"],
        "income_limit_satang": TOO_MUCH_MONEY,
        "updated_by": "admin",
    }

    response = await client.put("/v1/programmes/BAAN_MANKONG", json=body)

    assert _fields(response) == ["body.income_limit_satang"]


async def test_a_rounds_huge_household_count_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/survey-rounds",
        json={
            "subdistrict_code": "570101",
            "run_by": "อบต.",
            "started_on": "2026-11-01",
            "households_in_area": TOO_MANY,
        },
    )

    assert _fields(response) == ["body.households_in_area"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/households",
        "/v1/households/ranking",
        "/v1/communities",
        "/v1/survey-rounds",
        "/v1/household-imports",
    ],
)
async def test_a_huge_page_size_is_422(client: httpx.AsyncClient, path: str) -> None:
    assert _fields(await client.get(path, params={"limit": TOO_MANY})) == ["query.limit"]


async def test_a_sheet_row_with_a_huge_amount_is_a_row_error(client: httpx.AsyncClient) -> None:
    huge = sheet_row(**{"รายได้ต่อเดือน (บาท)": str(10**15)})  # baht: 10**17 satang

    response = await client.post(
        "/v1/household-imports",
        files={"file": ("survey.csv", csv_bytes([sheet_row(), huge]))},
        data={"imported_by": "อบต."},
    )

    assert response.status_code == 201, response.text
    assert (response.json()["rows_imported"], response.json()["rows_invalid"]) == (1, 1)
    error = response.json()["first_errors"][0]
    assert (error["row"], error["column"]) == (3, "รายได้ต่อเดือน (บาท)")


async def test_a_satang_column_is_read_as_whole_numbers(client: httpx.AsyncClient) -> None:
    header = ["programme", "head_name", "national_id", "province_code", "district_code"]
    header += ["subdistrict_code", "household_size", "monthly_income_satang", "need"]
    header += ["estimated_cost_satang"]
    good = sheet_row()
    row = [good[0], good[1], good[2], "57", "5701", "570101", "4", "1,250", "ซ่อมแซม", "500000"]
    bad = [good[0], "นายหนึ่ง", sheet_row()[2], "57", "5701", "570101", "4", "12.5"]
    bad += ["ซ่อมแซม", "500000"]

    response = await client.post(
        "/v1/household-imports",
        files={"file": ("survey.csv", csv_bytes([row, bad], header=header))},
        data={"imported_by": "อบต."},
    )

    assert response.status_code == 201, response.text
    assert (response.json()["rows_imported"], response.json()["rows_invalid"]) == (1, 1)
    assert response.json()["first_errors"][0]["column"] == "monthly_income_satang"
    listed = (await client.get("/v1/households")).json()["items"]
    assert listed[0]["monthly_income_satang"] == 1_250
