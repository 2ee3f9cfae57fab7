"""Helpers for the welfare tests: tokens (from ``baan_local.auth_testing``) and
builders for funds, rules, members and claims through the API only."""

import csv
import io
import json
import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from baan_shared.auth.scopes import (
    AUDIT_READ,
    PII_READ,
    WELFARE_DECIDE,
    WELFARE_MATCH,
    WELFARE_READ,
    WELFARE_WRITE,
)
from baan_shared.clock import thai_today
from baan_testkit.auth import session_issuer, token_headers

ISSUER = session_issuer()
BASE_URL = "http://welfare"
NATIONAL_SCOPES = (WELFARE_READ, WELFARE_WRITE, WELFARE_DECIDE, WELFARE_MATCH, AUDIT_READ)

# Seed 003's example benefits.
SEED_003_RULES: dict[str, Any] = {
    "benefits": [
        {"kind": "childbirth", "payment": "fixed", "amount_satang": 100_000, "waiting_days": 180},
        {
            "kind": "hospital",
            "payment": "per_night",
            "amount_satang": 20_000,
            "max_nights_per_year": 10,
            "waiting_days": 90,
        },
        {"kind": "disaster", "payment": "up_to", "amount_satang": 200_000, "claims_per_year": 1},
        {
            "kind": "death",
            "payment": "by_years",
            "amounts_by_years": [
                {"min_years": 1, "amount_satang": 300_000},
                {"min_years": 5, "amount_satang": 1_000_000},
                {"min_years": 10, "amount_satang": 2_000_000},
            ],
        },
    ]
}

# Official codes: Phra Borom Maha Ratchawang (Bangkok, 100101) and Nai Mueang
# (Mueang Khon Kaen, 400101).
BANGKOK_TAMBON = "100101"
KHON_KAEN_TAMBON = "400101"


# Valid Thai national IDs (check digit computed): 1-1017-00230-70-8 and friends.
def national_id(serial: int) -> str:
    body = f"1{serial:011d}"
    total = sum((13 - i) * int(d) for i, d in enumerate(body))
    return body + str((11 - total % 11) % 10)


def national_headers() -> dict[str, str]:
    """The national office: every welfare scope and the audit log, all areas."""
    return token_headers(ISSUER, "baan-national", NATIONAL_SCOPES, ["*"])


def years_ago(years: int, days: int = 0) -> date:
    today = thai_today()
    return (
        today.replace(year=today.year - years) - timedelta(days=days)
        if not (today.month == 2 and today.day == 29)
        else date(today.year - years, 2, 28) - timedelta(days=days)
    )


async def register_fund(
    http: httpx.AsyncClient,
    subdistrict_code: str = BANGKOK_TAMBON,
    *,
    registered_on: date | None = None,
    rules: dict[str, Any] | None = SEED_003_RULES,
    kind: str = "tambon",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": kind,
        "name": f"กองทุนสวัสดิการชุมชน {subdistrict_code}",
        "subdistrict_code": subdistrict_code,
        "registered_on": (registered_on or years_ago(20)).isoformat(),
        "committee": [{"name": "นางสมศรี ใจดี", "role": "chair"}],
    }
    if rules is not None:
        body["rules"] = rules
    answer = await http.post("/v1/funds", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def join(
    http: httpx.AsyncClient, fund_id: str, serial: int, joined_on: date
) -> dict[str, Any]:
    answer = await http.post(
        "/v1/members",
        json={
            "fund_id": fund_id,
            "national_id": national_id(serial),
            "name": f"สมาชิก {serial}",
            "joined_on": joined_on.isoformat(),
        },
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def contribute(
    http: httpx.AsyncClient, member_id: str, amount_satang: int, paid_on: date, reference: str
) -> httpx.Response:
    return await http.post(
        "/v1/contributions",
        json={
            "member_id": member_id,
            "amount_satang": amount_satang,
            "paid_on": paid_on.isoformat(),
            "reference": reference,
        },
    )


async def claim(
    http: httpx.AsyncClient, member_id: str, kind: str, event_date: date, **extra: Any
) -> httpx.Response:
    return await http.post(
        "/v1/claims",
        json={
            "member_id": member_id,
            "kind": kind,
            "event_date": event_date.isoformat(),
            "claimed_by": "the member",
            **extra,
        },
    )


def random_id() -> str:
    return str(uuid.uuid4())


PII = PII_READ


async def outbox_events(client: httpx.AsyncClient) -> list[tuple[str, dict[str, Any]]]:
    """What the app behind ``client`` recorded for publication, oldest first: (type, data)."""
    from sqlmodel import col, select

    from baan_shared.outbox import OutboxMessage

    app = client._transport.app  # type: ignore[attr-defined]
    async with app.state.runtime.session_factory() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    return [(row.type, json.loads(row.payload)) for row in rows]


def csv_sheet(header: list[str], rows: list[list[Any]]) -> bytes:
    """A committee's sheet as a UTF-8 CSV file: the header row, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
