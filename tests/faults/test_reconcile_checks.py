"""baan-reconcile's comparisons, on small in-memory snapshots (no services needed).

Each test starts from a consistent platform (one canal household, approved,
built and paid; one loan repaid once) and breaks one thing, as a lost or a
duplicated event would, then expects exactly the check that should notice.
"""

import copy
from typing import Any

import pytest

from baan_tools.reconcile import SERVICES_READ, Snapshot, main, reconcile, render

GRANT = 14_700_000


def consistent() -> Snapshot:
    household: dict[str, Any] = {
        "id": "h1",
        "programme": "CANAL",
        "province_code": "12",
        "status": "approved",
        "approved_at": "2026-11-30T01:00:00Z",
    }
    return Snapshot(
        households=[
            household,
            {**household, "id": "h2", "status": "rejected", "approved_at": None},
        ],
        house_works=[
            {"id": "w1", "household_id": "h1", "programme": "CANAL", "province_code": "12"}
            | {"status": "completed"}
        ],
        grants=[
            {"id": "g1", "household_id": "h1", "programme": "CANAL", "province_code": "12"}
            | {"status": "disbursed", "amount_satang": GRANT, "disbursed_satang": GRANT}
        ],
        budgets=[
            {"id": "b1", "allocated_satang": 2 * GRANT, "reserved_satang": 0}
            | {"disbursed_satang": GRANT, "free_satang": GRANT}
        ],
        trial_balance={"debit_satang": 5, "credit_satang": 5, "balanced": True},
        loans=[
            {"id": "l1", "principal_satang": 1_200_000, "outstanding_principal_satang": 1_100_000}
            | {"disbursed_on": "2026-11-30"}
            | {"repayments": [{"payment_reference": "P-1", "principal_satang": 100_000}]}
        ],
        progress_rows=[
            {"programme": "CANAL", "province_code": "12", "surveyed": 2, "completed": 1}
            | {"ready_to_build": 0, "under_construction": 0, "waitlisted": 0, "rejected": 1}
            | {"grant_disbursed_satang": GRANT}
        ],
        funds=[{"id": "f1", "balance_satang": 300_000}],
        money={
            "totals": [{"programme": "CANAL", "loan_outstanding_satang": 1_100_000}],
            "revolving_funds_total": {
                "revolving_funds": 1,
                "revolving_fund_balance_satang": 300_000,
            },
        },
        welfare_funds=[welfare_fund()],
        match_payments=[
            {"match_request_id": "m1", "amount_satang": 36_500, "status": "paid"},
        ],
    )


def welfare_fund() -> dict[str, Any]:
    """A fund of one member: a year's contributions, the agency's 1:1 match, one benefit."""
    movements = [
        {"kind": "contribution", "amount_satang": 36_500},
        {"kind": "agency_match", "amount_satang": 36_500},
        {"kind": "benefit", "amount_satang": 100_00},
    ]
    return {
        "fund_id": "wf1",
        "contributions_satang": 36_500,
        "agency_match_satang": 36_500,
        "local_match_satang": 0,
        "other_income_satang": 0,
        "benefits_paid_satang": 100_00,
        "balance_satang": 36_500 * 2 - 100_00,
        "movements": 3,
        "movements_read": movements,
        "match_requests": [
            {"id": "m1", "matcher": "agency", "status": "approved", "amount_satang": 36_500},
            {"id": "m2", "matcher": "agency", "status": "refused", "amount_satang": 99_999},
        ],
    }


def failing(snapshot: Snapshot) -> dict[str, list[str]]:
    return {c.name: c.mismatches for c in reconcile(snapshot) if not c.ok}


def test_a_consistent_platform_passes_every_check() -> None:
    checks = reconcile(consistent())
    assert [c.name for c in checks if not c.ok] == []
    assert all(c.checked > 0 for c in checks)


def test_an_approval_construction_never_saw_is_lost() -> None:
    snapshot = consistent()
    snapshot.households.append(
        {**snapshot.households[0], "id": "h3", "province_code": "12", "status": "approved"}
    )
    snapshot.progress_rows[0]["surveyed"] = 3
    assert failing(snapshot) == {
        "approved household → exactly one house work": ["household h3 has 0 house works"]
    }


def test_an_approval_applied_twice_shows_as_a_second_house_work() -> None:
    snapshot = consistent()
    snapshot.house_works.append({**snapshot.house_works[0], "id": "w2", "status": "planned"})
    problems = failing(snapshot)
    assert problems == {
        "approved household → exactly one house work": ["household h1 has 2 house works"]
    }


def test_a_house_work_for_a_household_never_approved_is_flagged() -> None:
    snapshot = consistent()
    snapshot.house_works.append(
        {**snapshot.house_works[0], "id": "w9", "household_id": "h2", "status": "planned"}
    )
    assert (
        "which survey never approved"
        in failing(snapshot)["approved household → exactly one house work"][0]
    )


def test_a_tranche_paid_twice_or_missing_is_flagged() -> None:
    for paid in (GRANT + 5_880_000, 5_880_000):
        snapshot = consistent()
        snapshot.grants[0]["disbursed_satang"] = paid
        snapshot.progress_rows[0]["grant_disbursed_satang"] = paid
        assert list(failing(snapshot)) == ["completed house → paid exactly its grant"]


def test_a_completed_house_whose_grant_was_refused_is_owed_nothing() -> None:
    snapshot = consistent()
    snapshot.grants[0] |= {"status": "rejected", "disbursed_satang": 0}
    snapshot.budgets[0] |= {"disbursed_satang": 0, "free_satang": 2 * GRANT}
    snapshot.progress_rows[0]["grant_disbursed_satang"] = 0
    assert failing(snapshot) == {}


def test_two_grants_for_one_household_are_flagged() -> None:
    snapshot = consistent()
    snapshot.grants.append({**snapshot.grants[0], "id": "g2", "disbursed_satang": 0})
    assert failing(snapshot)["completed house → paid exactly its grant"] == [
        "household h1 has 2 grants"
    ]


def test_an_overdrawn_or_unbalanced_budget_is_flagged() -> None:
    snapshot = consistent()
    snapshot.budgets[0] |= {"free_satang": -1}
    mismatches = failing(snapshot)["budgets never below zero, and add up"]
    assert mismatches[0] == "budget b1: free_satang below zero"
    assert "allocated 29400000" in mismatches[1]


def test_an_unbalanced_ledger_is_flagged() -> None:
    snapshot = consistent()
    snapshot.trial_balance = {"debit_satang": 10, "credit_satang": 5, "balanced": False}
    assert list(failing(snapshot)) == ["ledger balances"]


def test_reporting_that_missed_a_repayment_or_a_fund_movement_is_flagged() -> None:
    snapshot = consistent()
    assert snapshot.money is not None
    snapshot.money["totals"][0]["loan_outstanding_satang"] = 1_200_000  # repayment missed
    snapshot.money["revolving_funds_total"]["revolving_fund_balance_satang"] = 200_000
    assert failing(snapshot) == {
        "reporting's loans and funds = finance's": [
            "loans outstanding: reporting 1200000, finance 1100000",
            "revolving funds' balance: reporting 200000, finance 300000",
        ]
    }


def test_a_fund_reporting_never_heard_of_is_flagged() -> None:
    snapshot = consistent()
    snapshot.funds.append({"id": "f2", "balance_satang": 0})
    assert failing(snapshot) == {
        "reporting's loans and funds = finance's": ["revolving funds: reporting 1, finance 2"]
    }


def test_a_repayment_booked_twice_is_flagged() -> None:
    snapshot = consistent()
    loan = snapshot.loans[0]
    loan["repayments"].append(copy.deepcopy(loan["repayments"][0]))
    mismatches = failing(snapshot)["loan repayments booked once, principal adds up"]
    assert mismatches[0] == "payment P-1 booked 2 times"
    assert "outstanding 1100000, principal less repaid 1000000" in mismatches[1]


def test_reporting_behind_or_ahead_of_the_services_is_flagged() -> None:
    snapshot = consistent()
    snapshot.progress_rows[0]["completed"] = 0  # a house.completed reporting never applied
    snapshot.progress_rows.append(
        {"programme": "CANAL", "province_code": "13", "surveyed": 1}  # one it counted twice
    )
    assert failing(snapshot) == {
        "reporting's counts = the services' own": [
            "CANAL province 12 completed: reporting 0, services 1",
            "CANAL province 13 surveyed: reporting 1, services 0",
        ]
    }


def test_the_table_names_each_check_and_the_first_mismatches() -> None:
    snapshot = consistent()
    snapshot.house_works.clear()
    snapshot.progress_rows[0]["completed"] = 0
    table = render(reconcile(snapshot))
    assert "approved household → exactly one house work" in table
    assert "household h1 has 0 house works" in table
    assert "MISMATCH" in table


def test_the_command_exits_2_when_a_service_cannot_be_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    args = [f"--{s}={closed}" for s in SERVICES_READ]
    assert main(args) == 2
    assert "could not read the services" in capsys.readouterr().err


def test_a_fund_whose_books_differ_from_its_movements_is_flagged() -> None:
    snapshot = consistent()
    snapshot.welfare_funds[0]["movements_read"].append(
        {"kind": "contribution", "amount_satang": 36_500}  # a sheet booked, totals not moved
    )
    assert failing(snapshot) == {
        "welfare fund balance = sum of its movements": [
            "fund wf1 contributions_satang: books 36500, movements 73000",
            "fund wf1 balance: books 63000, movements 99500",
            "fund wf1: books count 3 movements, 4 listed",
        ]
    }


def test_a_match_booked_in_the_fund_but_never_approved_is_flagged() -> None:
    snapshot = consistent()
    snapshot.welfare_funds[0]["match_requests"][0]["status"] = "requested"
    assert failing(snapshot) == {
        "welfare fund balance = sum of its movements": [
            "fund wf1 agency_match_satang: books 36500, approved agency matches 0"
        ],
        "welfare's approved matches = finance's, once each": [
            "finance has match m1, which welfare never approved"
        ],
    }


def test_an_approved_match_finance_lost_or_paid_twice_is_flagged() -> None:
    lost = consistent()
    lost.match_payments.clear()
    twice = consistent()
    twice.match_payments.append(dict(twice.match_payments[0]))
    other_amount = consistent()
    other_amount.match_payments[0]["amount_satang"] = 73_000
    name = "welfare's approved matches = finance's, once each"
    assert failing(lost) == {name: ["match m1 approved in welfare, unknown to finance"]}
    assert failing(twice) == {name: ["match m1 is in finance 2 times"]}
    assert failing(other_amount) == {name: ["match m1: welfare approved 36500, finance paid 73000"]}


def test_a_match_waiting_for_a_budget_is_known_to_finance_and_agrees() -> None:
    snapshot = consistent()
    snapshot.match_payments[0]["status"] = "waiting"
    assert failing(snapshot) == {}
