"""A demo data set, seeded into a running platform through its HTTP APIs only.

    baan demo                     (or: make demo) on the platform `make up` started
    baan demo --households 300    smaller; --seed picks another (but as fixed) set

Every programme survey offers (``GET /v1/programmes``) in several provinces, the
households of each at every stage (surveyed, approved so construction planned
their house, started, completed), each programme's budget per province, targets,
a revolving fund per sub-district with deposits, and loans to some households
who built, a few of them behind on repayments; and a community welfare fund in each
province's tambon with its members, a year's dues, the agency's match and a few
claims paid (``baan_local.demo_welfare``). The agency's previous fiscal
year, so every date is in the past (the APIs refuse future ones) and the monthly
charts have a year to show; ``baan demo`` prints the dashboard's link to it.

Deterministic: ``plan()`` is a pure function of the seed, the size and the year
(seeded ``random.Random``), so names, national IDs, stages and dates are the same
on every run. Idempotent by checks: each step reads what the platform already
has (households by name, their status, house works, budgets, funds, loans) and
does only what is missing, so a second run adds nothing; every write also
carries an Idempotency-Key, so a retried request is answered once. Bounded:
``MAX_HOUSEHOLDS``, and every wait has a deadline.

Fast, because it works the way people who work in batches do, through the
services' bulk endpoints (ARCHITECTURE.md, "Speed"), a request per batch rather
than per household: the households come in as one survey sheet
(``POST /v1/household-imports``), committees decide in meetings
(``POST /v1/household-decisions``, as bench/pipeline.py does), each programme's
houses in a tambon form one construction project whose houses move a day's step
together (``POST /v1/projects/{id}/house-works/ready|start|complete``), and the
repayments arrive as one bank statement (``POST /v1/bank-statements``). Each
step prints its time. 2,000 households took 2 min 48 s on a shared 2-core
machine at load 10 (one request per household: about 13 minutes at load 7-10).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from stdnum.th import pin

DEMO_SERVICES = ("survey", "construction", "finance", "reporting", "welfare")
"""The services the demo writes to and reads from (``Clients``' fields)."""
MAX_HOUSEHOLDS = 20_000
MEETING_LIMIT = 1_000  # survey's MAX_DECISIONS_PER_MEETING
COMMITTEE = {"decided_by": "คณะกรรมการชุมชน"}
CREW = "ทีมช่างชุมชน"
DEMO_VILLAGE = "ชุมชนสาธิต (demo)"
"""Every demo household's village: what tells the demo's households from anyone else's."""

PLACES: dict[str, tuple[str, str]] = {
    "10": ("1001", "100101"),  # Bangkok
    "13": ("1301", "130101"),  # Pathum Thani
    "50": ("5001", "500101"),  # Chiang Mai
    "57": ("5701", "570101"),  # Chiang Rai
    "40": ("4001", "400101"),  # Khon Kaen
    "34": ("3401", "340101"),  # Ubon Ratchathani
    "71": ("7101", "710101"),  # Kanchanaburi
    "90": ("9001", "900101"),  # Songkhla
    "80": ("8001", "800101"),  # Nakhon Si Thammarat
}
"""Province → (district, sub-district): official codes, one tambon per province."""

WHERE: dict[str, tuple[str, ...]] = {
    "BAAN_MANKONG": ("10", "50", "40", "90", "57"),
    "BAAN_PHO_PHIANG": ("57", "40", "34", "71", "80", "50"),
    "LAND_REFORM": ("34", "71", "80"),
    "CANAL": ("10", "13", "90"),
    "HOMELESS": ("10", "50", "40", "13"),
    "EMERGENCY": ("90", "80", "57", "10"),
}
"""Where each programme works in the demo; a programme not listed gets three provinces."""

STAGES = ("surveyed", "approved", "started", "completed")
"""How far a household gets: registered only; approved (construction plans its
house); building started (ready, then started); completed (signed off)."""
STAGE_WEIGHTS = (0.12, 0.18, 0.25, 0.45)
LOAN_PROGRAMMES = ("CANAL", "BAAN_MANKONG", "BAAN_PHO_PHIANG")
BATCHES = 8
"""Committee meetings a month apart from the year's start: October to May."""


@dataclass(frozen=True)
class Household:
    """One demo household as planned: who, where, and how far it gets, when."""

    number: int
    programme: str
    province_code: str
    head_name: str
    national_id: str
    household_size: int
    monthly_income_satang: int
    estimated_cost_satang: int
    stage: str
    decided_on: date
    loan: bool
    """Borrows to build (completed households of the programmes that lend)."""
    behind: bool
    """Of those, one that stopped repaying: its loan falls into arrears."""

    @property
    def district_code(self) -> str:
        return PLACES[self.province_code][0]

    @property
    def subdistrict_code(self) -> str:
        return PLACES[self.province_code][1]

    @property
    def ready_on(self) -> date:
        return self.decided_on + timedelta(days=7)

    @property
    def started_on(self) -> date:
        return self.decided_on + timedelta(days=14)

    @property
    def completed_on(self) -> date:
        return self.decided_on + timedelta(days=60)

    def reaches(self, stage: str) -> bool:
        return STAGES.index(self.stage) >= STAGES.index(stage)

    def body(self) -> dict[str, Any]:
        """survey's POST /v1/households body."""
        return {
            "programme": self.programme,
            "head_name": self.head_name,
            "national_id": self.national_id,
            "province_code": self.province_code,
            "district_code": self.district_code,
            "subdistrict_code": self.subdistrict_code,
            "village": DEMO_VILLAGE,
            "household_size": self.household_size,
            "monthly_income_satang": self.monthly_income_satang,
            "need": "rebuild",
            "estimated_cost_satang": self.estimated_cost_satang,
        }


def fiscal_year_start(fiscal_year: int) -> date:
    """1 October of the C.E. year before the B.E. year's end."""
    return date(fiscal_year - 543 - 1, 10, 1)


def demo_fiscal_year(today: date) -> int:
    """The last whole fiscal year before today's: every demo date lies in it, in the past."""
    current = today.year + 543 + (1 if today.month >= 10 else 0)
    return current - 1


def plan(
    households: int, *, seed: int, fiscal_year: int, programmes: Iterable[str]
) -> list[Household]:
    """The demo's households, the same for the same arguments."""
    if not 1 <= households <= MAX_HOUSEHOLDS:
        raise ValueError(f"households: between 1 and {MAX_HOUSEHOLDS}, not {households}")
    chosen = sorted(programmes)
    rng = random.Random(f"baan-demo:{seed}:{fiscal_year}")
    cohorts = [
        (programme, province)
        for programme in chosen
        for province in WHERE.get(programme, ("57", "40", "90"))
    ]
    start = fiscal_year_start(fiscal_year)
    planned: list[Household] = []
    for number in range(households):
        programme, province = cohorts[number % len(cohorts)]
        stage = rng.choices(STAGES, weights=STAGE_WEIGHTS)[0]
        batch = rng.randrange(BATCHES)
        lends = programme in LOAN_PROGRAMMES and stage == "completed"
        loan = lends and rng.random() < 0.4
        # Another year's or seed's demo is other people: its own names and national IDs.
        serial = f"399{fiscal_year % 100:02d}{seed % 100:02d}{number:05d}"
        planned.append(
            Household(
                number=number,
                programme=programme,
                province_code=province,
                head_name=f"สาธิต {seed}-{fiscal_year}-{number:05d}",
                national_id=serial + pin.calc_check_digit(serial),
                household_size=rng.randint(2, 7),
                monthly_income_satang=rng.randrange(500_000, 1_200_000, 100),
                estimated_cost_satang=rng.randrange(6_000_000, 15_000_000, 10_000),
                stage=stage,
                # One meeting day per cohort and batch (its houses move together in
                # construction's bulk steps), the cohorts' days spread over a week.
                decided_on=start + timedelta(days=30 * batch + (number % len(cohorts)) % 5),
                loan=loan,
                behind=loan and rng.random() < 0.25,
            )
        )
    return planned


# -- talking to the platform ------------------------------------------------------------------


class DemoError(RuntimeError):
    """A service refused a demo step; the message names the request and the answer."""


async def send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    key: str | None = None,
    ok: tuple[int, ...] = (200, 201),
    **kwargs: Any,
) -> httpx.Response:
    """One request; waits out 429 and 503 (Retry-After) a bounded number of times."""
    headers = {"Idempotency-Key": key} if key else {}
    for _ in range(30):
        response = await client.request(method, path, headers=headers, **kwargs)
        if response.status_code not in (429, 503):
            break
        await asyncio.sleep(min(10.0, float(response.headers.get("retry-after", "1") or 1)))
    if response.status_code not in ok:
        raise DemoError(f"{method} {path}: {response.status_code} {response.text[:1000]}")
    return response


async def every(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a cursor-paged list."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        page = (await send(client, "GET", path, params=query)).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def gather_bounded(jobs: Iterable[Awaitable[Any]], limit: int = 8) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[Any]) -> Any:
        async with gate:
            return await job

    return await asyncio.gather(*(one(job) for job in jobs))


async def meetings(
    survey: httpx.AsyncClient,
    household_ids: list[str],
    decision: str,
    *,
    decided_on: date | None = None,
    key: str | None = None,
) -> list[httpx.Response]:
    """The committee's ``decision`` on every household, in meetings of survey's limit
    (``POST /v1/household-decisions``), sent together."""
    chunks = [
        household_ids[i : i + MEETING_LIMIT] for i in range(0, len(household_ids), MEETING_LIMIT)
    ]
    body: dict[str, Any] = dict(COMMITTEE)
    if decided_on is not None:
        body["decided_on"] = decided_on.isoformat()
    return await asyncio.gather(
        *(
            send(
                survey,
                "POST",
                "/v1/household-decisions",
                key=f"{key}:{n}" if key else None,
                json={
                    **body,
                    "decisions": [{"household_id": h, "decision": decision} for h in chunk],
                },
                timeout=600,
            )
            for n, chunk in enumerate(chunks)
        )
    )


HOUSE_STEPS = ("ready", "start", "complete")


def house_step_body(step: str, on: date | None = None) -> dict[str, Any]:
    """construction's body for a house work's ``step`` (POST /v1/house-works/{id}/{step})."""
    if step == "complete":
        body: dict[str, Any] = {"inspected_by": "คณะกรรมการตรวจรับ"}
        if on is not None:
            body["completed_on"] = on.isoformat()
        return body
    body = {"reported_by": CREW}
    if on is not None:
        body["ready_on" if step == "ready" else "started_on"] = on.isoformat()
    return body


# -- the seeding ---------------------------------------------------------------------------------


@dataclass
class Clients:
    survey: httpx.AsyncClient
    construction: httpx.AsyncClient
    finance: httpx.AsyncClient
    reporting: httpx.AsyncClient
    welfare: httpx.AsyncClient


Say = Callable[[str], None]


@dataclass(frozen=True)
class Seeded:
    fiscal_year: int
    households: list[Household]
    units: dict[str, str]
    """Each programme's target unit (households; the homeless centres count persons)."""
    welfare_funds: dict[str, str]
    """The demo's community welfare funds: tambon → fund id."""


async def seed_platform(
    clients: Clients,
    households: int,
    *,
    seed: int = 2562,
    today: date | None = None,
    say: Say = print,
    timeout: float = 1800.0,
) -> Seeded:
    """Seed the platform behind ``clients`` (as a national client) and wait until
    reporting counts every planned household at its stage."""
    fiscal_year = demo_fiscal_year(today or date.today())
    began = last = time.monotonic()

    def step(message: str) -> None:  # each step with its time: where a slow run spends it
        nonlocal last
        now = time.monotonic()
        say(f"{message} ({now - last:.1f} s; {now - began:.1f} s in all)")
        last = now

    listed = (await send(clients.survey, "GET", "/v1/programmes")).json()
    programmes = [p["code"] for p in listed]
    units = {p["code"]: "persons" if p.get("unit") == "person" else "households" for p in listed}
    # What each programme's screening asks for: a house condition and a land tenure it allows.
    eligible = {
        p["code"]: {
            **(
                {"house_condition": p["allowed_house_conditions"][0]}
                if p.get("allowed_house_conditions")
                else {}
            ),
            **({"land_tenure": p["allowed_tenures"][0]} if p.get("allowed_tenures") else {}),
        }
        for p in listed
    }
    planned = plan(households, seed=seed, fiscal_year=fiscal_year, programmes=programmes)
    tag = f"baan-demo:{seed}:{fiscal_year}"
    step(
        f"demo: FY {fiscal_year}, {len(planned)} households, {len(programmes)} programmes, "
        f"{len({h.province_code for h in planned})} provinces"
    )
    funds = await _funds(clients.finance, planned, tag)
    await _budgets(clients.finance, planned, fiscal_year, tag)
    await _targets(clients.reporting, planned, fiscal_year, seed, units)
    await _long_term_targets(clients.reporting)
    step("demo: revolving funds, budgets, targets and long-term targets in place")
    ids = await _register(clients.survey, planned, tag, eligible, timeout)
    step(f"demo: {len(ids)} households registered")
    await _decide(clients.survey, planned, ids, tag)
    step("demo: committees screened and approved")
    works = await _house_works(clients.construction, planned, ids, timeout)
    step(f"demo: construction planned {len(works)} houses")
    projects = await _projects(clients.construction, planned, works, fiscal_year, tag)
    await _build(clients.construction, planned, works, projects, tag)
    step("demo: houses started and completed")
    await _loans(clients.finance, planned, ids, funds, tag, today or date.today())
    step("demo: loans disbursed and repaid")
    await _reported(clients.reporting, planned, fiscal_year, timeout)
    await _money_reported(clients.finance, clients.reporting, fiscal_year, timeout)
    step("demo: reporting counts every household, and finance's loans and funds")
    # (imported here: the welfare part builds on this module's helpers)
    from baan_local.demo_welfare import seed_welfare, welfare_funds, welfare_reported

    funds = welfare_funds({h.province_code for h in planned}, seed=seed, fiscal_year=fiscal_year)
    welfare = await seed_welfare(clients.welfare, clients.finance, funds, tag)
    await welfare_reported(clients.welfare, clients.reporting, welfare.values(), timeout)
    step(f"demo: {len(welfare)} community welfare funds, their members, dues, match and claims")
    return Seeded(fiscal_year, planned, units, welfare)


async def _funds(finance: httpx.AsyncClient, planned: list[Household], tag: str) -> dict[str, str]:
    """A revolving fund per sub-district, with a deposit: sub-district → fund id."""
    provinces = sorted({h.province_code for h in planned})
    found: dict[str, str] = {}
    for province in provinces:
        subdistrict = PLACES[province][1]
        existing = [
            f
            for f in await every(finance, "/v1/revolving-funds", province_code=province)
            if f["code"] == subdistrict
        ]
        if existing:
            found[subdistrict] = existing[0]["id"]
            continue
        created = await send(
            finance,
            "POST",
            "/v1/revolving-funds",
            key=f"{tag}:fund:{subdistrict}",
            json={
                "scope": "subdistrict",
                "code": subdistrict,
                "name": f"กองทุนหมุนเวียนตำบล {subdistrict}",
                "province_code": province,
            },
        )
        fund_id = created.json()["id"]
        found[subdistrict] = fund_id
        await send(
            finance,
            "POST",
            f"/v1/revolving-funds/{fund_id}/deposits",
            key=f"{tag}:fund:{subdistrict}:deposit",
            json={"amount_satang": 50_000_000, "reference": f"DEMO-{subdistrict}-SEED"},
        )
    return found


async def _budgets(
    finance: httpx.AsyncClient, planned: list[Household], fiscal_year: int, tag: str
) -> None:
    """Each programme's budget per province: room for every approved household's grant."""
    approved: dict[tuple[str, str], int] = defaultdict(int)
    for h in planned:
        approved[(h.programme, h.province_code)] += 1  # surveyed ones too: room to grow
    for (programme, province), count in sorted(approved.items()):
        existing = await every(
            finance,
            "/v1/budgets",
            programme=programme,
            fiscal_year=fiscal_year,
            area_level="province",
            area_code=province,
        )
        if existing:
            continue
        await send(
            finance,
            "POST",
            "/v1/budgets",
            key=f"{tag}:budget:{programme}:{province}",
            json={
                "programme": programme,
                "fiscal_year": fiscal_year,
                "area_level": "province",
                "area_code": province,
                "amount_satang": count * 20_000_000,  # 200,000 THB a household
            },
        )


async def _targets(
    reporting: httpx.AsyncClient,
    planned: list[Household],
    fiscal_year: int,
    seed: int,
    units: dict[str, str],
) -> None:
    """Targets per programme and province in the programme's unit, some beyond reach
    and some exceeded (a PUT replaces: setting them again changes nothing)."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for h in planned:
        counts[(h.programme, h.province_code)] += (
            h.household_size if units.get(h.programme) == "persons" else 1
        )
    rng = random.Random(f"baan-demo-targets:{seed}:{fiscal_year}")
    targets = [
        {
            "programme": programme,
            "fiscal_year": fiscal_year,
            "period": "year",
            "area_level": "province",
            "area_code": province,
            "unit": units.get(programme, "households"),
            "quantity": max(1, round(count * rng.uniform(0.45, 1.1))),
        }
        for (programme, province), count in sorted(counts.items())
    ]
    await send(reporting, "PUT", "/v1/targets", json={"targets": targets})


LONG_TERM_TARGETS: dict[str, dict[str, Any]] = {
    "master-plan-20-year": {
        "name_th": "แผนแม่บทการพัฒนาที่อยู่อาศัยระยะ 20 ปี (พ.ศ. 2560-2579)",
        "name_en": "20-year housing master plan (2017-2036)",
        "programmes": [],
        "first_fiscal_year": 2560,
        "last_fiscal_year": 2579,
        "households": 1_050_000,
        "source": "แผนแม่บทการพัฒนาที่อยู่อาศัยระยะ 20 ปี: 1,050,000 ครัวเรือนภายในปี 2579",
    },
    "rural-5-year": {
        "name_th": "บ้านพอเพียงชนบท เป้าหมาย 5 ปี",
        "name_en": "Baan Pho Phiang (rural), 5-year target",
        "programmes": ["BAAN_PHO_PHIANG"],
        "first_fiscal_year": 2560,
        "last_fiscal_year": 2564,
        "households": 352_000,
        "source": "แผนงานบ้านพอเพียงชนบทในแผนแม่บทฯ 20 ปี: 352,000 ครัวเรือนใน 5 ปี",
    },
}
"""The national long-term targets (DOMAIN.md, seeds 000 and 003): the rural programme's
5-year 352,000 households and the master plan's 1,050,000 by FY 2579."""


async def _long_term_targets(reporting: httpx.AsyncClient) -> None:
    """The long view's targets (a PUT of the version in force changes nothing)."""
    for code, body in LONG_TERM_TARGETS.items():
        await send(reporting, "PUT", f"/v1/long-term-targets/{code}", json=body)


IMPORT_COLUMNS = (
    "programme",
    "head_name",
    "national_id",
    "province_code",
    "district_code",
    "subdistrict_code",
    "village",
    "household_size",
    "monthly_income_baht",
    "need",
    "estimated_cost_baht",
    "house_condition",
    "land_tenure",
)
"""The survey sheet's columns the demo fills (English headers; survey's import template)."""


def survey_sheet(households: Iterable[Household], eligible: dict[str, dict[str, str]]) -> bytes:
    """The households as one survey sheet (CSV, UTF-8), as a surveyor would upload it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_COLUMNS)
    for h in households:
        row = {
            **h.body(),
            **eligible.get(h.programme, {}),
            "monthly_income_baht": h.monthly_income_satang // 100,
            "estimated_cost_baht": h.estimated_cost_satang // 100,
        }
        writer.writerow([row.get(column, "") for column in IMPORT_COLUMNS])
    return out.getvalue().encode("utf-8")


async def _register(
    survey: httpx.AsyncClient,
    planned: list[Household],
    tag: str,
    eligible: dict[str, dict[str, str]],
    timeout: float = 1800.0,
) -> dict[int, dict[str, Any]]:
    """Each planned household's survey record (number → record): the missing ones
    uploaded as one survey sheet (``POST /v1/household-imports``), a request for all
    rather than one per household."""

    async def known() -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for programme, province in sorted({(h.programme, h.province_code) for h in planned}):
            for record in await every(
                survey, "/v1/households", programme=programme, province_code=province
            ):
                if record.get("village") == DEMO_VILLAGE:
                    found[record["head_name"]] = record
        return found

    records = await known()
    missing = [h for h in planned if h.head_name not in records]
    if missing:
        numbers = [str(h.number) for h in missing]
        uploaded = await send(
            survey,
            "POST",
            "/v1/household-imports",
            key=f"{tag}:import:{_digest(numbers)}",
            ok=(201, 202),
            files={"file": ("demo.csv", survey_sheet(missing, eligible), "text/csv")},
            data={"imported_by": "baan demo"},
            timeout=600,
        )
        job = uploaded.json()
        deadline = time.monotonic() + timeout
        while job["status"] not in ("done", "failed"):  # a big sheet is queued as a job
            if time.monotonic() > deadline:
                raise DemoError(f"survey's import {job['id']} did not finish in time")
            await asyncio.sleep(1.0)
            job = (await send(survey, "GET", f"/v1/household-imports/{job['id']}")).json()
        if job["status"] != "done" or job.get("rows_invalid"):
            raise DemoError(f"survey's import refused rows: {job.get('first_errors')}")
        records = await known()
    return {h.number: records[h.head_name] for h in planned}


async def _decide(
    survey: httpx.AsyncClient,
    planned: list[Household],
    records: dict[int, dict[str, Any]],
    tag: str,
) -> None:
    """Committee meetings on each planned date: screen, then approve."""
    by_day: dict[date, list[Household]] = defaultdict(list)
    for h in planned:
        if h.reaches("approved"):
            by_day[h.decided_on].append(h)
    for day, group in sorted(by_day.items()):
        status = {records[h.number]["id"]: records[h.number]["status"] for h in group}
        to_screen = [i for i, s in status.items() if s == "surveyed"]
        if to_screen:
            key = f"{tag}:screen:{day}:{_digest(to_screen)}"
            await meetings(survey, to_screen, "screen", decided_on=day, key=key)
        to_approve = [i for i, s in status.items() if s in ("surveyed", "screened")]
        if to_approve:
            key = f"{tag}:approve:{day}:{_digest(to_approve)}"
            await meetings(survey, to_approve, "approve", decided_on=day, key=key)


def _digest(ids: list[str]) -> str:
    """Which households a meeting decided on, in a key's length."""
    return hashlib.sha256(",".join(sorted(ids)).encode()).hexdigest()[:16]


async def _house_works(
    construction: httpx.AsyncClient,
    planned: list[Household],
    records: dict[int, dict[str, Any]],
    timeout: float,
) -> dict[int, dict[str, Any]]:
    """Construction's house work of every approved household (number → record), once
    it has planned them all from household.approved."""
    wanted = {records[h.number]["id"]: h.number for h in planned if h.reaches("approved")}
    cohorts = sorted({(h.programme, h.province_code) for h in planned if h.reaches("approved")})
    deadline = time.monotonic() + timeout
    while True:
        found: dict[int, dict[str, Any]] = {}
        for programme, province in cohorts:
            for work in await every(
                construction, "/v1/house-works", programme=programme, province_code=province
            ):
                if work["household_id"] in wanted:
                    found[wanted[work["household_id"]]] = work
        if len(found) == len(wanted):
            return found
        if time.monotonic() > deadline:
            raise DemoError(f"construction planned {len(found)} of {len(wanted)} houses in time")
        await asyncio.sleep(1.0)


PROJECT = "โครงการสาธิต (demo)"
"""The name of each cohort's construction project (programme × tambon)."""
ASSIGN_LIMIT = 500  # construction's Assignment.house_work_ids max_length


async def _projects(
    construction: httpx.AsyncClient,
    planned: list[Household],
    works: dict[int, dict[str, Any]],
    fiscal_year: int,
    tag: str,
) -> dict[tuple[str, str], str]:
    """A construction project per cohort (programme × tambon), its house works assigned
    to it: (programme, province) → project id. The houses of a project then move in
    construction's bulk steps, a request per step and day rather than per house."""
    cohorts = sorted({(h.programme, h.province_code) for h in planned if h.number in works})
    found: dict[tuple[str, str], str] = {}
    for programme, province in cohorts:
        district, subdistrict = PLACES[province]
        existing = [
            p
            for p in await every(
                construction, "/v1/projects", programme=programme, province_code=province
            )
            if p["name"] == PROJECT and p.get("subdistrict_code") == subdistrict
        ]
        if existing:
            project_id = existing[0]["id"]
        else:
            created = await send(
                construction,
                "POST",
                "/v1/projects",
                key=f"{tag}:project:{programme}:{province}",
                json={
                    "name": PROJECT,
                    "programme": programme,
                    "province_code": province,
                    "district_code": district,
                    "subdistrict_code": subdistrict,
                    "planned_start_on": fiscal_year_start(fiscal_year).isoformat(),
                    "planned_end_on": (
                        fiscal_year_start(fiscal_year + 1) - timedelta(days=1)
                    ).isoformat(),
                    "created_by": CREW,
                },
            )
            project_id = created.json()["id"]
        found[(programme, province)] = project_id
        joining = [
            works[h.number]["id"]
            for h in planned
            if h.number in works
            and (h.programme, h.province_code) == (programme, province)
            and works[h.number].get("project_id") is None
            and works[h.number]["status"] not in ("completed", "cancelled")
        ]
        for n in range(0, len(joining), ASSIGN_LIMIT):
            chunk = joining[n : n + ASSIGN_LIMIT]
            await send(
                construction,
                "POST",
                f"/v1/projects/{project_id}/house-works",
                key=f"{tag}:project:{project_id}:assign:{_digest(chunk)}",
                json={"house_work_ids": chunk},
            )
    return found


async def _build(
    construction: httpx.AsyncClient,
    planned: list[Household],
    works: dict[int, dict[str, Any]],
    projects: dict[tuple[str, str], str],
    tag: str,
) -> None:
    """Ready, started and completed, each house as far as planned, on its planned dates:
    each step of a project's houses that share a day in one bulk request
    (``POST /v1/projects/{id}/house-works/ready|start|complete``, all or none)."""
    done = {
        "ready": ("ready_to_build", "under_construction", "completed"),
        "start": ("under_construction", "completed"),
        "complete": ("completed",),
    }
    reach = {"ready": "started", "start": "started", "complete": "completed"}
    for step in HOUSE_STEPS:
        groups: dict[tuple[str, date], list[str]] = defaultdict(list)
        for h in planned:
            work = works.get(h.number)
            if work is None or not h.reaches(reach[step]) or work["status"] in done[step]:
                continue
            on = {"ready": h.ready_on, "start": h.started_on, "complete": h.completed_on}[step]
            groups[(projects[(h.programme, h.province_code)], on)].append(work["id"])

        async def move(project_id: str, on: date, ids: list[str], step: str = step) -> None:
            await send(
                construction,
                "POST",
                f"/v1/projects/{project_id}/house-works/{step}",
                key=f"{tag}:project:{project_id}:{step}:{on}:{_digest(ids)}",
                json={**house_step_body(step, on), "house_work_ids": ids},
                timeout=600,
            )

        await gather_bounded(move(p, on, ids) for (p, on), ids in sorted(groups.items()))


STATEMENT_LIMIT = 5000  # finance's bank statement MAX_LINES


def _principal(h: Household) -> int:
    return 6_000_000 if h.programme != "CANAL" else 30_000_000


async def _loans(
    finance: httpx.AsyncClient,
    planned: list[Household],
    records: dict[int, dict[str, Any]],
    funds: dict[str, str],
    tag: str,
    today: date,
) -> None:
    """Loans to households who built: disbursed at completion, repaid monthly since
    (those ``behind`` stopped after two months), then finance's arrears review."""
    borrowers = [h for h in planned if h.loan]

    async def lend(h: Household) -> str:
        borrower = records[h.number]["id"]
        existing = await every(finance, "/v1/loans", borrower_id=borrower)
        if existing:
            return str(existing[0]["id"])
        principal = _principal(h)
        loan = await send(
            finance,
            "POST",
            "/v1/loans",
            key=f"{tag}:loan:{h.number}",
            json={
                "borrower_type": "household",
                "borrower_id": borrower,
                "borrower_name": h.head_name,
                "programme": h.programme,
                "province_code": h.province_code,
                "district_code": h.district_code,
                "subdistrict_code": h.subdistrict_code,
                "principal_satang": principal,
                "annual_interest_rate_bp": 200,
                "term_months": 60,
                "revolving_fund_id": funds[h.subdistrict_code],
            },
        )
        loan_id = loan.json()["id"]
        await send(
            finance,
            "POST",
            f"/v1/loans/{loan_id}/disburse",
            key=f"{tag}:loan:{h.number}:disburse",
            json={"disbursed_on": h.completed_on.isoformat()},
        )
        return loan_id

    loans = dict(
        zip(
            [h.number for h in borrowers],
            await gather_bounded(lend(h) for h in borrowers),
            strict=True,
        )
    )
    # The repayments as the bank's statement lists them: one request for them all
    # (POST /v1/bank-statements); a line booked before is already_booked, so a second
    # run books nothing twice.
    lines = []
    for h in borrowers:
        months = 2 if h.behind else 12
        for n in range(1, months + 1):
            paid_on = h.completed_on + timedelta(days=30 * n)
            if paid_on > today:
                break
            lines.append(
                {
                    "loan_id": loans[h.number],
                    "payment_reference": f"DEMO-{h.number}-{n}",
                    "amount_satang": _principal(h) // 60 + _principal(h) // 500,
                    "paid_on": paid_on.isoformat(),
                }
            )
    lines.sort(key=lambda line: (line["paid_on"], line["payment_reference"]))
    for n in range(0, len(lines), STATEMENT_LIMIT):
        chunk = lines[n : n + STATEMENT_LIMIT]
        references = [line["payment_reference"] for line in chunk]
        await send(
            finance,
            "POST",
            "/v1/bank-statements",
            key=f"{tag}:statement:{_digest(references)}",
            json={"lines": chunk},
            timeout=600,
        )
    if borrowers:
        await send(finance, "POST", "/v1/loans/arrears-review", key=f"{tag}:arrears:{today}")


async def _reported(
    reporting: httpx.AsyncClient, planned: list[Household], fiscal_year: int, timeout: float
) -> None:
    """Until reporting's funnel for the year counts every approved household at its stage."""
    want_approved = sum(h.reaches("approved") for h in planned)
    want_completed = sum(h.reaches("completed") for h in planned)
    deadline = time.monotonic() + timeout
    while True:
        funnel = (
            await send(reporting, "GET", "/v1/reports/funnel", params={"fiscal_year": fiscal_year})
        ).json()
        reached = {s["stage"]: s["reached"] for s in funnel["stages"]}
        if (
            reached.get("approved", 0) >= want_approved
            and reached.get("completed", 0) >= want_completed
        ):
            return
        if time.monotonic() > deadline:
            raise DemoError(f"reporting counts {reached}; the demo approved {want_approved}")
        await asyncio.sleep(1.0)


async def _money_reported(
    finance: httpx.AsyncClient, reporting: httpx.AsyncClient, fiscal_year: int, timeout: float
) -> None:
    """Until reporting's money report shows what finance holds: the principal outstanding
    on every loan paid out and the balance of every revolving fund (repayments reach
    reporting after the funnel does; as ``baan-reconcile`` compares them)."""
    deadline = time.monotonic() + timeout
    while True:
        held = (
            sum(
                loan["outstanding_principal_satang"]
                for loan in await every(finance, "/v1/loans")
                if loan.get("disbursed_on") is not None  # reporting counts money paid out
            ),
            sum(fund["balance_satang"] for fund in await every(finance, "/v1/revolving-funds")),
        )
        money = (
            await send(
                reporting,
                "GET",
                "/v1/reports/money",
                params={"fiscal_year": fiscal_year, "level": "country"},
            )
        ).json()
        shown = (
            sum(row["loan_outstanding_satang"] for row in money["totals"]),
            money["revolving_funds_total"]["revolving_fund_balance_satang"],
        )
        if shown == held:
            return
        if time.monotonic() > deadline:
            raise DemoError(f"reporting shows {shown} outstanding and in funds; finance {held}")
        await asyncio.sleep(1.0)
