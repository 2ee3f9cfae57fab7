"""The demo's community welfare funds (issue 19), through welfare's and finance's APIs.

One tambon fund in each of the demo's provinces (the sub-district its revolving fund
serves), with the example rules of seed 003, ``MEMBERS`` members who joined over the
years before the demo's fiscal year, a year's dues from each (1 THB a day) as one
contribution sheet, the agency's 1:1 match of them (approved in welfare, paid by
finance from a WELFARE_MATCH budget for the fund's district) and ``CLAIMS`` disaster
claims filed as one claim sheet, approved at one meeting and paid in one run. It
waits until reporting's fund balance report shows each fund's books as welfare keeps
them.

Deterministic and idempotent like the rest of the demo (``baan_local.demo``): names,
national IDs (their own ``398`` range, apart from the households' ``399``) and dates
follow from the seed and the year, a fund already registered in its tambon is left as
it is, and every write carries an Idempotency-Key.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from stdnum.th import pin

from baan_local.demo import PLACES, DemoError, every, fiscal_year_start, send

MEMBERS = 30
CLAIMS = 5
DUES_SATANG = 36_500  # 1 THB a day
RULES = {  # seed 003's example rules (the welfare acceptance test's funds have them too)
    "benefits": [
        {"kind": "childbirth", "payment": "fixed", "amount_satang": 100_000, "waiting_days": 180},
        {
            "kind": "hospital",
            "payment": "per_night",
            "amount_satang": 20_000,
            "max_nights_per_year": 10,
            "waiting_days": 90,
        },
        {"kind": "disaster", "payment": "up_to", "amount_satang": 200_000},
        {
            "kind": "death",
            "payment": "by_years",
            "amounts_by_years": [
                {"min_years": 1, "amount_satang": 300_000},
                {"min_years": 10, "amount_satang": 2_000_000},
            ],
        },
    ]
}


@dataclass(frozen=True)
class WelfareFund:
    """One demo fund: its tambon and what its committee records."""

    province_code: str
    district_code: str
    subdistrict_code: str
    registered_on: date
    dues_paid_on: date
    claims_on: date
    seed: int
    fiscal_year: int

    @property
    def name(self) -> str:
        return f"กองทุนสวัสดิการชุมชนตำบล {self.subdistrict_code} (สาธิต)"

    def members(self) -> list[dict[str, str]]:
        rows = []
        for number in range(MEMBERS):
            serial = (
                f"398{self.fiscal_year % 100:02d}{self.seed % 100:02d}"
                f"{self.province_code}{number:03d}"
            )
            joined = self.registered_on + timedelta(days=40 * number)
            rows.append(
                {
                    "national_id": serial + pin.calc_check_digit(serial),
                    "name": f"สมาชิกสาธิต {self.subdistrict_code}-{number + 1:03d}",
                    "joined_on": joined.isoformat(),
                }
            )
        return rows

    def claim_amounts(self) -> list[int]:
        """Disaster claims (up to 2,000 THB): 1,000 THB and 500 more for each next one."""
        return [100_000 + 50_000 * (n % 3) for n in range(CLAIMS)]


def welfare_funds(provinces: Iterable[str], *, seed: int, fiscal_year: int) -> list[WelfareFund]:
    """The demo's funds, the same for the same arguments: registered four years before
    the fiscal year, dues paid in its second month, claims in its fourth."""
    start = fiscal_year_start(fiscal_year)
    return [
        WelfareFund(
            province_code=province,
            district_code=PLACES[province][0],
            subdistrict_code=PLACES[province][1],
            registered_on=start.replace(year=start.year - 4),
            dues_paid_on=start + timedelta(days=35),
            claims_on=start + timedelta(days=95),
            seed=seed,
            fiscal_year=fiscal_year,
        )
        for province in sorted(set(provinces))
    ]


async def seed_welfare(
    welfare: httpx.AsyncClient,
    finance: httpx.AsyncClient,
    funds: list[WelfareFund],
    tag: str,
) -> dict[str, str]:
    """Each fund registered and its year recorded, unless its tambon has one already:
    tambon → fund id."""
    ids: dict[str, str] = {}
    for fund in funds:
        existing = await every(welfare, "/v1/funds", subdistrict_code=fund.subdistrict_code)
        if existing:
            ids[fund.subdistrict_code] = existing[0]["id"]
            continue
        ids[fund.subdistrict_code] = await _one_fund(welfare, finance, fund, f"{tag}:welfare")
    return ids


async def _one_fund(
    welfare: httpx.AsyncClient, finance: httpx.AsyncClient, fund: WelfareFund, tag: str
) -> str:
    key = f"{tag}:{fund.subdistrict_code}"
    registered = await send(
        welfare,
        "POST",
        "/v1/funds",
        key=f"{key}:fund",
        json={
            "kind": "tambon",
            "name": fund.name,
            "subdistrict_code": fund.subdistrict_code,
            "registered_on": fund.registered_on.isoformat(),
            "committee": [{"name": "นางสมศรี ใจดี", "role": "chair"}],
            "rules": RULES,
        },
    )
    fund_id: str = registered.json()["id"]
    base = f"/v1/funds/{fund_id}"
    sheet = await send(
        welfare,
        "POST",
        f"{base}/member-sheets",
        key=f"{key}:members",
        json={"rows": fund.members()},
    )
    member_ids = [row["member_id"] for row in sheet.json()["results"]]
    dues = [
        {
            "member_id": member_id,
            "paid_on": fund.dues_paid_on.isoformat(),
            "amount_satang": DUES_SATANG,
            "reference": f"DEMO-DUES-{n + 1}",
        }
        for n, member_id in enumerate(member_ids)
    ]
    contributed = await send(
        welfare,
        "POST",
        f"{base}/contribution-sheets",
        key=f"{key}:dues",
        json={"reference": f"DEMO-{fund.fiscal_year}", "rows": dues},
    )
    total = int(contributed.json()["total_satang"])
    await _match_budget(finance, fund, total, key)
    request = await send(
        welfare,
        "POST",
        f"{base}/match-requests",
        key=f"{key}:match",
        json={
            "matcher": "agency",
            "period_from": fund.dues_paid_on.isoformat(),
            "period_to": fund.dues_paid_on.isoformat(),
            "amount_satang": total,
            "requested_by": "คณะกรรมการกองทุน",
        },
    )
    await send(
        welfare,
        "POST",
        f"/v1/match-requests/{request.json()['id']}/decision",
        key=f"{key}:match:decision",
        json={"approve": True, "decided_by": "พอช."},
    )
    claims = [
        {
            "member_id": member_ids[n],
            "kind": "disaster",
            "event_date": fund.claims_on.isoformat(),
            "amount_satang": amount,
            "claimed_by": "the member",
        }
        for n, amount in enumerate(fund.claim_amounts())
    ]
    filed = await send(
        welfare, "POST", f"{base}/claim-sheets", key=f"{key}:claims", json={"rows": claims}
    )
    claim_ids = [row["claim_id"] for row in filed.json()["results"]]
    await send(
        welfare,
        "POST",
        f"{base}/claim-decisions",
        key=f"{key}:claims:meeting",
        json={
            "decided_by": "คณะกรรมการกองทุน",
            "decisions": [{"claim_id": claim_id, "approve": True} for claim_id in claim_ids],
        },
    )
    await send(
        welfare,
        "POST",
        f"{base}/claim-payments",
        key=f"{key}:claims:paid",
        json={"paid_on": fund.claims_on.isoformat(), "claim_ids": claim_ids},
    )
    return fund_id


async def _match_budget(
    finance: httpx.AsyncClient, fund: WelfareFund, amount: int, key: str
) -> None:
    """Finance pays the agency's match from a WELFARE_MATCH budget of the fund's district."""
    existing = await every(
        finance,
        "/v1/budgets",
        programme="WELFARE_MATCH",
        fiscal_year=fund.fiscal_year,
        area_level="district",
        area_code=fund.district_code,
    )
    if existing:
        return
    await send(
        finance,
        "POST",
        "/v1/budgets",
        key=f"{key}:match-budget",
        json={
            "programme": "WELFARE_MATCH",
            "fiscal_year": fund.fiscal_year,
            "area_level": "district",
            "area_code": fund.district_code,
            "amount_satang": amount,
        },
    )


async def welfare_reported(
    welfare: httpx.AsyncClient,
    reporting: httpx.AsyncClient,
    fund_ids: Iterable[str],
    timeout: float,
) -> None:
    """Until reporting's fund balance report shows each fund's books as welfare keeps
    them (the match reaches the books after finance has paid it)."""
    deadline = time.monotonic() + timeout
    wanted = sorted(fund_ids)
    while True:
        held = {}
        for fund_id in wanted:
            books = (await send(welfare, "GET", f"/v1/funds/{fund_id}/books")).json()
            held[fund_id] = (books["agency_match_satang"] > 0, books["balance_satang"])
        shown = {
            row["welfare_fund_id"]: (row["agency_match_satang"] > 0, row["balance_satang"])
            for row in await every(reporting, "/v1/reports/welfare/funds")
            if row["welfare_fund_id"] in held
        }
        if shown == held and all(paid for paid, _balance in held.values()):
            return
        if time.monotonic() > deadline:
            raise DemoError(f"reporting shows the welfare funds {shown}; welfare holds {held}")
        await asyncio.sleep(1.0)
