"""Feeding the platform as a community does: survey sheets, committee meetings, paging.

The end-to-end acceptance tests (the FY 2562 half-year table, the canal funnel)
put thousands of households in through survey's own API; what they share is here.
"""

import asyncio
import csv
import io
import itertools
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx
from stdnum.th import pin

SHEET_COLUMNS = [
    "programme",
    "head_name",
    "national_id",
    "province_code",
    "district_code",
    "subdistrict_code",
    "household_size",
    "monthly_income_baht",
    "need",
    "estimated_cost_baht",
]
PAGE = 500
"""Survey's and construction's lists return at most this many items per request."""
HOUSEHOLDS_PER_MEETING = 500
"""Screen and approve are two lines of the minutes; a meeting takes up to 1,000 lines."""


def national_ids(first: int) -> Callable[[], str]:
    """Valid Thai national IDs counting up from ``first`` (12 digits, check digit added):
    each test takes a range of its own, so its IDs clash with no other test's."""
    serials = itertools.count(first)

    def next_id() -> str:
        base = f"{next(serials):012d}"
        return base + pin.calc_check_digit(base)

    return next_id


def survey_sheet(
    programme: str,
    subdistrict: str,
    households: int,
    *,
    national_id: Callable[[], str],
    head_name: str,
    size: int = 4,
    monthly_income_baht: int = 5_000,
    estimated_cost_baht: int = 100_000,
) -> bytes:
    """A survey sheet as the surveyors would upload it (CSV, English headers)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SHEET_COLUMNS)
    for n in range(households):
        writer.writerow(
            [
                programme,
                f"{head_name} {n:05d}",
                national_id(),
                subdistrict[:2],
                subdistrict[:4],
                subdistrict,
                size,
                monthly_income_baht,
                "rebuild",
                estimated_cost_baht,
            ]
        )
    return out.getvalue().encode("utf-8")


def meeting_days(first: date, last: date, meetings: int) -> list[date]:
    """Meeting dates spread from ``first`` to ``last``."""
    span = (last - first).days
    return [first + timedelta(days=span * i // max(1, meetings - 1)) for i in range(meetings)]


def chunks(ids: list[str], size: int = PAGE) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


async def every_page(http: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a cursor-paged list."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": PAGE, **({"cursor": cursor} if cursor else {})}
        response = await http.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return found


async def approve_at_meetings(
    survey: httpx.AsyncClient,
    household_ids: list[str],
    *,
    committee: str,
    first: date,
    last: date,
    fiscal_year: int,
) -> None:
    """The committee screens and approves the households at meetings from ``first`` to
    ``last`` (``decided_on``), all in ``fiscal_year``."""
    batches = chunks(household_ids, HOUSEHOLDS_PER_MEETING)
    for batch, day in zip(batches, meeting_days(first, last, len(batches)), strict=True):
        decisions = [
            {"household_id": h, "decision": decision}
            for h in batch
            for decision in ("screen", "approve")
        ]
        response = await survey.post(
            "/v1/household-decisions",
            json={"decided_by": committee, "decided_on": day.isoformat(), "decisions": decisions},
            timeout=300,
        )
        assert response.status_code == 200, response.text
        assert {item["fiscal_year"] for item in response.json()["items"]} == {fiscal_year}


def elapsed(since: float) -> str:
    return f"{time.monotonic() - since:.0f} s"


async def bounded(calls: list[Callable[[], Awaitable[None]]], limit: int) -> None:
    """Run every call, at most ``limit`` at a time (a bound on requests in flight)."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            await call()

    await asyncio.gather(*(one(call) for call in calls))
