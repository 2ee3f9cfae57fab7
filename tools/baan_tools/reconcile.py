"""`baan reconcile`: do survey, construction, finance, reporting and welfare agree?

Reads the five services over their public HTTP APIs only (as an auditor
would; no service's database) and checks the invariants that at-least-once
delivery with idempotent consumers must keep, whatever crashed on the way:

- every approved household has exactly one house work, and no house work
  belongs to a household survey never approved;
- every completed house is paid exactly its grant (nothing when no budget
  could cover it), no grant is paid more than it is worth, no household has
  two grants;
- no budget is below zero, and each adds up (allocated = reserved +
  disbursed + free);
- the ledger balances (debits = credits);
- every loan's outstanding principal is its principal less the principal its
  repayments settled, and no payment reference is booked twice;
- reporting's counts and money, per programme × province, equal the
  services' own;
- each welfare fund's balance and totals equal the sum of its movements, and its
  matches booked equal the match requests it approved;
- every agency match welfare approved is known to finance exactly once, for the
  same amount (paid from a budget, or waiting for one), and finance pays no
  match welfare never approved.

    baan reconcile                        # the instance `baan up` runs (its instance.json)
    baan reconcile --data-dir /tmp/b      # another instance
    baan reconcile --survey http://10.0.0.5:8001 --construction ... --finance ... \
        --reporting ... --welfare ... --token "$TOKEN"  # any five services, each URL given

A URL not given as a flag comes from the instance's ``instance.json``; one found
in neither is an error naming the flag (never a guessed port). Without
``--token``/``$BAAN_TOKEN`` it asks the instance's development issuer for a
national token, when every URL came from the instance.

Prints one row per check (what it looked at, how many disagreed, the first
disagreements) and exits 1 if any check failed, 2 if a service could not be read.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from baan_shared import registry

Row = dict[str, Any]
SHOWN_PER_CHECK = 5  # enough to start looking; the counts say how many more


@dataclass
class Snapshot:
    """What the four services say, read at (about) one moment after traffic stopped."""

    households: list[Row]
    house_works: list[Row]
    grants: list[Row]
    budgets: list[Row]
    trial_balance: Row
    loans: list[Row] = field(default_factory=list)  # loan details, with their repayments
    progress_rows: list[Row] = field(default_factory=list)  # reporting, programme × province
    funds: list[Row] = field(default_factory=list)  # finance's revolving funds
    money: Row | None = None  # reporting's money report over the whole country
    # welfare: each fund's books (``GET /v1/funds/{id}/books``, ``movements`` is their count)
    # with its movements listed added as ``movements_read`` and its match requests as
    # ``match_requests``
    welfare_funds: list[Row] = field(default_factory=list)
    match_payments: list[Row] = field(default_factory=list)  # finance's welfare match payments


@dataclass
class Check:
    name: str
    checked: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def expect(self, condition: bool, problem: str) -> None:
        self.checked += 1
        if not condition:
            self.mismatches.append(problem)


def _approved(household: Row) -> bool:
    # approved_at stays set when a household is later waitlisted for want of
    # budget: construction has already opened its house work by then.
    return household.get("approved_at") is not None


def check_house_works(snapshot: Snapshot) -> Check:
    check = Check("approved household → exactly one house work")
    works_per_household = Counter(str(w["household_id"]) for w in snapshot.house_works)
    approved = {str(h["id"]) for h in snapshot.households if _approved(h)}
    for household_id in sorted(approved):
        found = works_per_household.get(household_id, 0)
        check.expect(found == 1, f"household {household_id} has {found} house works")
    for household_id in sorted(set(works_per_household) - approved):
        check.expect(False, f"house work for household {household_id}, which survey never approved")
    return check


def check_grants_paid(snapshot: Snapshot) -> Check:
    check = Check("completed house → paid exactly its grant")
    grants_per_household: dict[str, list[Row]] = defaultdict(list)
    for grant in snapshot.grants:
        grants_per_household[str(grant["household_id"])].append(grant)
    for household_id, grants in sorted(grants_per_household.items()):
        check.expect(len(grants) == 1, f"household {household_id} has {len(grants)} grants")
    for grant in snapshot.grants:
        check.expect(
            0 <= grant["disbursed_satang"] <= grant["amount_satang"],
            f"grant {grant['id']} paid {grant['disbursed_satang']} of {grant['amount_satang']}",
        )
    for work in snapshot.house_works:
        if work["status"] != "completed":
            continue
        grants = grants_per_household.get(str(work["household_id"]), [])
        if not grants:
            check.expect(False, f"completed house {work['id']} has no grant")
            continue
        grant = grants[0]
        owed = 0 if grant["status"] == "rejected" else grant["amount_satang"]
        check.expect(
            grant["disbursed_satang"] == owed,
            f"completed house {work['id']}: grant {grant['id']} ({grant['status']}) "
            f"paid {grant['disbursed_satang']}, owed {owed}",
        )
    return check


def check_budgets(snapshot: Snapshot) -> Check:
    check = Check("budgets never below zero, and add up")
    for budget in snapshot.budgets:
        parts = ("reserved_satang", "disbursed_satang", "free_satang")
        negative = [p for p in parts if budget[p] < 0]
        check.expect(not negative, f"budget {budget['id']}: {', '.join(negative)} below zero")
        total = sum(budget[p] for p in parts)
        check.expect(
            total == budget["allocated_satang"],
            f"budget {budget['id']}: reserved + disbursed + free = {total}, "
            f"allocated {budget['allocated_satang']}",
        )
    return check


def check_ledger(snapshot: Snapshot) -> Check:
    check = Check("ledger balances")
    balance = snapshot.trial_balance
    check.expect(
        balance["debit_satang"] == balance["credit_satang"] and bool(balance["balanced"]),
        f"debits {balance['debit_satang']} ≠ credits {balance['credit_satang']}",
    )
    return check


def check_loans(snapshot: Snapshot) -> Check:
    check = Check("loan repayments booked once, principal adds up")
    references = Counter(
        r["payment_reference"] for loan in snapshot.loans for r in loan["repayments"]
    )
    for reference, times in sorted(references.items()):
        check.expect(times == 1, f"payment {reference} booked {times} times")
    for loan in snapshot.loans:
        if loan.get("disbursed_on") is None:
            continue
        repaid = sum(r["principal_satang"] for r in loan["repayments"])
        expected = loan["principal_satang"] - repaid
        check.expect(
            loan["outstanding_principal_satang"] == expected,
            f"loan {loan['id']}: outstanding {loan['outstanding_principal_satang']}, "
            f"principal less repaid {expected}",
        )
    return check


_SURVEY_STATUS_COUNTED = {"waitlisted": "waitlisted", "rejected": "rejected"}
_HOUSE_STATUS_COUNTED = {
    "ready_to_build": "ready_to_build",
    "under_construction": "under_construction",
    "completed": "completed",
}


def services_counts(snapshot: Snapshot) -> dict[tuple[str, str], Counter[str]]:
    """Per (programme, province): the figures reporting shows, counted from the services."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for household in snapshot.households:
        key = (household["programme"], household["province_code"])
        counts[key]["surveyed"] += 1
        counted = _SURVEY_STATUS_COUNTED.get(household["status"])
        if counted:
            counts[key][counted] += 1
    for work in snapshot.house_works:
        counted = _HOUSE_STATUS_COUNTED.get(work["status"])
        if counted:
            counts[(work["programme"], work["province_code"])][counted] += 1
    for grant in snapshot.grants:
        counts[(grant["programme"], grant["province_code"])]["grant_disbursed_satang"] += grant[
            "disbursed_satang"
        ]
    return counts


REPORTED_FIGURES = (
    "surveyed",
    "ready_to_build",
    "under_construction",
    "completed",
    "waitlisted",
    "rejected",
    "grant_disbursed_satang",
)


def check_reporting(snapshot: Snapshot) -> Check:
    check = Check("reporting's counts = the services' own")
    expected = services_counts(snapshot)
    reported = {(r["programme"], r["province_code"]): r for r in snapshot.progress_rows}
    for key in sorted(set(expected) | set(reported)):
        row = reported.get(key, {})
        for figure in REPORTED_FIGURES:
            theirs, ours = row.get(figure, 0), expected.get(key, Counter())[figure]
            check.expect(
                theirs == ours,
                f"{key[0]} province {key[1]} {figure}: reporting {theirs}, services {ours}",
            )
    return check


def check_reporting_money(snapshot: Snapshot) -> Check:
    """Reporting's loans and revolving funds (from finance's events) = finance's books."""
    check = Check("reporting's loans and funds = finance's")
    if snapshot.money is None:
        return check  # an older snapshot without the money report: nothing to compare
    outstanding = sum(
        loan["outstanding_principal_satang"]
        for loan in snapshot.loans
        if loan.get("disbursed_on") is not None
    )
    reported = sum(row["loan_outstanding_satang"] for row in snapshot.money["totals"])
    check.expect(
        reported == outstanding,
        f"loans outstanding: reporting {reported}, finance {outstanding}",
    )
    balance = sum(fund["balance_satang"] for fund in snapshot.funds)
    funds = snapshot.money["revolving_funds_total"]
    check.expect(
        funds["revolving_fund_balance_satang"] == balance,
        f"revolving funds' balance: reporting {funds['revolving_fund_balance_satang']}, "
        f"finance {balance}",
    )
    check.expect(
        funds["revolving_funds"] == len(snapshot.funds),
        f"revolving funds: reporting {funds['revolving_funds']}, finance {len(snapshot.funds)}",
    )
    return check


# Which total of a fund's books each kind of movement adds to; benefits are money out.
WELFARE_TOTAL_OF = {
    "contribution": "contributions_satang",
    "agency_match": "agency_match_satang",
    "local_match": "local_match_satang",
    "other_income": "other_income_satang",
    "benefit": "benefits_paid_satang",
}
WELFARE_OUTGOING = {"benefit"}


def check_welfare_books(snapshot: Snapshot) -> Check:
    check = Check("welfare fund balance = sum of its movements")
    for books in snapshot.welfare_funds:
        fund = books["fund_id"]
        summed = Counter[str]()
        balance = 0
        for movement in books["movements_read"]:
            amount = movement["amount_satang"]
            summed[WELFARE_TOTAL_OF.get(movement["kind"], movement["kind"])] += amount
            balance += -amount if movement["kind"] in WELFARE_OUTGOING else amount
        for total in WELFARE_TOTAL_OF.values():
            check.expect(
                books[total] == summed[total],
                f"fund {fund} {total}: books {books[total]}, movements {summed[total]}",
            )
        check.expect(
            books["balance_satang"] == balance,
            f"fund {fund} balance: books {books['balance_satang']}, movements {balance}",
        )
        check.expect(
            books["movements"] == len(books["movements_read"]),
            f"fund {fund}: books count {books['movements']} movements, "
            f"{len(books['movements_read'])} listed",
        )
        approved = [r for r in books["match_requests"] if r["status"] == "approved"]
        for matcher, total in (
            ("agency", "agency_match_satang"),
            ("local_administration", "local_match_satang"),
        ):
            asked = sum(r["amount_satang"] for r in approved if r["matcher"] == matcher)
            check.expect(
                books[total] == asked,
                f"fund {fund} {total}: books {books[total]}, approved {matcher} matches {asked}",
            )  # fmt: skip
    return check


def check_welfare_matches(snapshot: Snapshot) -> Check:
    check = Check("welfare's approved matches = finance's, once each")
    approved = {
        str(r["id"]): r
        for books in snapshot.welfare_funds
        for r in books["match_requests"]
        if r["status"] == "approved" and r["matcher"] == "agency"
    }
    known = Counter(str(p["match_request_id"]) for p in snapshot.match_payments)
    for request_id, times in sorted(known.items()):
        check.expect(times == 1, f"match {request_id} is in finance {times} times")
    payments = {str(p["match_request_id"]): p for p in snapshot.match_payments}
    for request_id, request in sorted(approved.items()):
        payment = payments.get(request_id)
        if payment is None:
            check.expect(False, f"match {request_id} approved in welfare, unknown to finance")
            continue
        check.expect(
            payment["amount_satang"] == request["amount_satang"],
            f"match {request_id}: welfare approved {request['amount_satang']}, "
            f"finance {payment['status']} {payment['amount_satang']}",
        )
    for request_id in sorted(set(payments) - set(approved)):
        check.expect(False, f"finance has match {request_id}, which welfare never approved")
    return check


CHECKS = (
    check_house_works,
    check_grants_paid,
    check_budgets,
    check_ledger,
    check_loans,
    check_reporting,
    check_reporting_money,
    check_welfare_books,
    check_welfare_matches,
)


def reconcile(snapshot: Snapshot) -> list[Check]:
    return [check(snapshot) for check in CHECKS]


def render(checks: Iterable[Check]) -> str:
    lines = [f"{'check':<50} {'checked':>8} {'mismatches':>10}  result", "-" * 80]
    for check in checks:
        verdict = "ok" if check.ok else "MISMATCH"
        lines.append(f"{check.name:<50} {check.checked:>8} {len(check.mismatches):>10}  {verdict}")
        lines += [f"    {m}" for m in check.mismatches[:SHOWN_PER_CHECK]]
        if len(check.mismatches) > SHOWN_PER_CHECK:
            lines.append(f"    … and {len(check.mismatches) - SHOWN_PER_CHECK} more")
    return "\n".join(lines)


# -- reading the services ------------------------------------------------------


async def _every_page(http: httpx.AsyncClient, path: str) -> list[Row]:
    items: list[Row] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        response = await http.get(path, params=params)
        response.raise_for_status()
        page = response.json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def _welfare_funds(welfare: httpx.AsyncClient) -> list[Row]:
    """Each fund's books, with its movements (all pages) and its match requests."""
    funds = []
    for fund in await _every_page(welfare, "/v1/funds"):
        books = await welfare.get(f"/v1/funds/{fund['id']}/books")
        books.raise_for_status()
        movements: list[Row] = []
        after: int | None = 0
        while after is not None:
            page = await welfare.get(
                f"/v1/funds/{fund['id']}/movements",
                params={"after_sequence": after, "limit": 500},
            )
            page.raise_for_status()
            movements += page.json()["items"]
            after = page.json()["next_after_sequence"]
        requests = await welfare.get(f"/v1/funds/{fund['id']}/match-requests")
        requests.raise_for_status()
        funds.append(
            books.json()
            | {
                "movements_read": movements,
                "match_requests": requests.json()["items"],
            }
        )
    return funds


async def read_snapshot(
    urls: dict[str, str], token: str | None = None, timeout: float = 60.0
) -> Snapshot:
    headers = {"authorization": f"Bearer {token}"} if token else {}

    def client(service: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=urls[service], timeout=timeout, headers=headers)

    async with (
        client("survey") as survey,
        client("construction") as construction,
        client("finance") as finance,
        client("reporting") as reporting,
        client("welfare") as welfare,
    ):
        households = await _every_page(survey, "/v1/households")
        house_works = await _every_page(construction, "/v1/house-works")
        grants = await _every_page(finance, "/v1/grants")
        budgets = await _every_page(finance, "/v1/budgets")
        balance = await finance.get("/v1/ledger/trial-balance")
        balance.raise_for_status()
        loans = []
        # The list has no repayments; each loan's detail does (one request per loan).
        for loan in await _every_page(finance, "/v1/loans"):
            detail = await finance.get(f"/v1/loans/{loan['id']}")
            detail.raise_for_status()
            loans.append(detail.json())
        funds = await _every_page(finance, "/v1/revolving-funds")
        progress = await reporting.get("/v1/reports/progress")
        progress.raise_for_status()
        money = await reporting.get("/v1/reports/money", params={"level": "country"})
        money.raise_for_status()
        welfare_funds = await _welfare_funds(welfare)
        match_payments = await _every_page(finance, "/v1/welfare-match-payments")
    return Snapshot(
        households=households,
        house_works=house_works,
        grants=grants,
        budgets=budgets,
        trial_balance=balance.json(),
        loans=loans,
        progress_rows=progress.json()["rows"],
        funds=funds,
        money=money.json(),
        welfare_funds=welfare_funds,
        match_payments=match_payments,
    )


def run(urls: dict[str, str], token: str | None) -> int:
    """Read the services, print the table; 0 agreed, 1 mismatches, 2 unreadable."""
    try:
        snapshot = asyncio.run(read_snapshot(urls, token))
    except httpx.HTTPError as error:
        print(f"baan reconcile: could not read the services: {error!r}", file=sys.stderr)
        if isinstance(error, httpx.HTTPStatusError) and error.response.status_code == 401:
            print("baan reconcile: give --token (or $BAAN_TOKEN)", file=sys.stderr)
        return 2
    checks = reconcile(snapshot)
    print(render(checks))
    return 0 if all(c.ok for c in checks) else 1


SERVICES_READ = registry.SERVICE_NAMES
"""The services whose figures are compared: every one (their URLs are the tool's arguments)."""


def main(argv: list[str] | None = None) -> int:
    """``python -m baan_tools.reconcile --survey URL ... [--token T]``: the check against
    services given by URL (``baan reconcile`` also finds a local instance's URLs and
    mints its token)."""
    parser = argparse.ArgumentParser(prog="baan_tools.reconcile", description=__doc__)
    for name in SERVICES_READ:
        parser.add_argument(f"--{name}", metavar="URL", required=True, help=f"{name}'s base URL")
    parser.add_argument(
        "--token",
        default=os.environ.get("BAAN_TOKEN"),
        help="a bearer token with read scopes over the whole country [env BAAN_TOKEN]",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    return run({name: getattr(args, name) for name in SERVICES_READ}, args.token)


if __name__ == "__main__":
    sys.exit(main())
