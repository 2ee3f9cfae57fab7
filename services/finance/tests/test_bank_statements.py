"""Bank statements (issue 17): a statement's repayments booked in one call, from JSON or
a CSV file; all or nothing with a result per line; a statement sent twice pays nothing
twice; another area's loan is refused exactly as an unknown one. On SQLite and PostgreSQL."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import active_loan, ledger_balances, loan_body

from baan_shared.ids import new_id
from baan_testkit.apps import ON_BOTH_DATABASES, database_url, running_app, service_settings
from baan_testkit.outbox import outbox_events

STATEMENTS = "/v1/bank-statements"
CHIANG_RAI = {"province_code": "57", "district_code": "5701", "subdistrict_code": "570101"}
# 100,000 THB at 12% a year over 12 months: the first month's interest is 1,000 THB.
FIRST_INTEREST = 100_000


@pytest.fixture(params=ON_BOTH_DATABASES)
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = service_settings(
        "finance", tmp_path, database_url=database_url(request, tmp_path, "finance")
    )
    async with running_app("finance", settings) as application:
        yield application


def line(
    loan_id: str, reference: str, amount: int = 150_000, paid_on: str = "2026-01-31"
) -> dict[str, Any]:
    return {
        "loan_id": loan_id,
        "payment_reference": reference,
        "amount_satang": amount,
        "paid_on": paid_on,
    }


async def _outstanding(client: httpx.AsyncClient, loan_id: str) -> int:
    loan = (await client.get(f"/v1/loans/{loan_id}")).json()
    return int(loan["outstanding_principal_satang"])


class TestBooking:
    async def test_every_line_is_booked_with_a_result_and_an_event_each(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        first, second = await active_loan(client), await active_loan(client)
        statement = {
            "lines": [
                line(first, "BANK-1", 150_000),
                line(second, "BANK-2", 100_000),
                line(first, "BANK-3", 50_000, "2026-02-05"),
            ]
        }
        response = await client.post(STATEMENTS, json=statement)

        assert response.status_code == 200, response.text
        result = response.json()
        assert (result["booked"], result["already_booked"], result["booked_satang"]) == (
            3,
            0,
            300_000,
        )
        assert [(r["index"], r["payment_reference"], r["outcome"]) for r in result["results"]] == [
            (0, "BANK-1", "booked"),
            (1, "BANK-2", "booked"),
            (2, "BANK-3", "booked"),
        ]
        # BANK-1 paid the first month's interest; BANK-3 on the same loan is all principal.
        assert [(r["interest_satang"], r["principal_satang"]) for r in result["results"]] == [
            (FIRST_INTEREST, 50_000),
            (FIRST_INTEREST, 0),
            (0, 50_000),
        ]
        assert await _outstanding(client, first) == 10_000_000 - 100_000
        assert await _outstanding(client, second) == 10_000_000
        events = await outbox_events(app, "loan.repayment_received")
        assert sorted(e["payment_reference"] for e in events) == ["BANK-1", "BANK-2", "BANK-3"]
        assert (await ledger_balances(client))["cash"] == -20_000_000 + 300_000

    async def test_a_statement_sent_again_books_nothing_twice(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan = await active_loan(client)
        statement = {"lines": [line(loan, "BANK-10"), line(loan, "BANK-11", 80_000)]}
        first = await client.post(STATEMENTS, json=statement)
        before = await ledger_balances(client)
        again = await client.post(STATEMENTS, json=statement)

        assert first.status_code == again.status_code == 200
        assert [r["outcome"] for r in again.json()["results"]] == ["already_booked"] * 2
        assert [r["repayment_id"] for r in again.json()["results"]] == [
            r["repayment_id"] for r in first.json()["results"]
        ]
        assert again.json()["booked_satang"] == 0
        assert await ledger_balances(client) == before
        assert len(await outbox_events(app, "loan.repayment_received")) == 2

    async def test_one_idempotency_key_answers_the_first_result_and_refuses_another_body(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan = await active_loan(client)
        headers = {"Idempotency-Key": "statement-2026-01"}
        body = {"lines": [line(loan, "BANK-20")]}
        first = await client.post(STATEMENTS, json=body, headers=headers)
        again = await client.post(STATEMENTS, json=body, headers=headers)
        other = await client.post(
            STATEMENTS, json={"lines": [line(loan, "BANK-21")]}, headers=headers
        )
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert other.status_code == 422
        assert len(await outbox_events(app, "loan.repayment_received")) == 1

    async def test_every_refused_line_is_named_and_nothing_is_booked(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan, other = await active_loan(client), await active_loan(client)
        undisbursed = (await client.post("/v1/loans", json=loan_body())).json()["id"]
        before = await ledger_balances(client)
        response = await client.post(
            STATEMENTS,
            json={
                "lines": [
                    line(loan, "BANK-30"),
                    line(other, "BANK-31", 99_000_000),
                    line(str(new_id()), "BANK-32"),
                    line(undisbursed, "BANK-33"),
                    line(loan, "BANK-30", 1_000),
                    line(loan, "BANK-35", 1_000, "2025-12-01"),
                ]
            },
        )

        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert (problem["refused"], problem["lines"]) == (5, 6)
        assert [(e["field"], e.get("code")) for e in problem["errors"]] == [
            ("body.lines.1.amount_satang", None),
            ("body.lines.2.loan_id", "unknown-reference"),
            ("body.lines.3.loan_id", "conflict"),
            ("body.lines.4.payment_reference", "duplicate"),
            ("body.lines.5.paid_on", None),
        ]
        assert await ledger_balances(client) == before
        assert await outbox_events(app, "loan.repayment_received") == []
        assert await _outstanding(client, loan) == 10_000_000

    async def test_a_reference_of_another_loan_refuses_the_statement_with_409(
        self, client: httpx.AsyncClient
    ) -> None:
        loan, other = await active_loan(client), await active_loan(client)
        assert (
            await client.post(STATEMENTS, json={"lines": [line(other, "BANK-40")]})
        ).status_code == 200
        response = await client.post(
            STATEMENTS, json={"lines": [line(loan, "BANK-41"), line(loan, "BANK-40")]}
        )
        assert response.status_code == 409, response.text
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
            ("body.lines.1.payment_reference", "taken")
        ]
        assert await _outstanding(client, loan) == 10_000_000


class TestCsvFile:
    async def test_a_bank_export_books_like_json_and_ignores_other_columns(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan = await active_loan(client)
        csv = (
            "\ufeffdate_posted,paid_on,loan_id,payment_reference,amount_baht,balance\n"
            f'31/01/2026,2026-01-31,{loan},BANK-50,"1,500.00",999\n'
            f"01/02/2026,2026-02-01,{loan},BANK-51,500.5,999\n"
        ).encode()
        response = await client.post(
            f"{STATEMENTS}/file", files={"file": ("statement.csv", csv, "text/csv")}
        )
        assert response.status_code == 200, response.text
        assert [(r["amount_satang"], r["outcome"]) for r in response.json()["results"]] == [
            (150_000, "booked"),
            (50_050, "booked"),
        ]
        assert len(await outbox_events(app, "loan.repayment_received")) == 2

    async def test_bad_rows_are_named_by_row_and_column_and_nothing_is_booked(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan = await active_loan(client)
        csv = (
            "loan_id,payment_reference,amount_satang,paid_on\n"
            f"{loan},BANK-60,150000,2026-01-31\n"
            f"{loan},BANK-61,-5,2026-01-31\n"
            f"not-an-id,BANK-62,100,31/01/2026\n"
        ).encode()
        response = await client.post(
            f"{STATEMENTS}/file", files={"file": ("statement.csv", csv, "text/csv")}
        )
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == [
            "file.rows.1.amount_satang",
            "file.rows.2.loan_id",
            "file.rows.2.paid_on",
        ]
        missing = await client.post(
            f"{STATEMENTS}/file",
            files={"file": ("s.csv", b"loan_id,amount_satang\n", "text/csv")},
        )
        assert missing.status_code == 422
        assert "payment_reference" in missing.json()["detail"]
        assert await outbox_events(app, "loan.repayment_received") == []


class TestElsewhere:
    """Bangkok's office (10) names Chiang Rai's (57) loan: as if it did not exist."""

    async def test_another_areas_loan_answers_as_an_unknown_one_and_books_nothing(
        self, app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        own = await active_loan(client)
        foreign = await active_loan(client, programme="BAAN_MANKONG", **CHIANG_RAI)
        random = str(new_id())
        before = await ledger_balances(client)

        answers = []
        for loan in (foreign, random):
            body = {"lines": [line(own, f"BANK-70-{loan[:4]}"), line(loan, "BANK-71")]}
            json_answer = await bangkok_client.post(STATEMENTS, json=body)
            csv = "loan_id,payment_reference,amount_satang,paid_on\n" + "".join(
                f"{li['loan_id']},{li['payment_reference']},{li['amount_satang']},{li['paid_on']}\n"
                for li in body["lines"]
            )
            file_answer = await bangkok_client.post(
                f"{STATEMENTS}/file", files={"file": ("s.csv", csv.encode(), "text/csv")}
            )
            answers.append(
                [
                    (
                        a.status_code,
                        a.headers["content-type"],
                        a.text.replace(loan, "ID").replace(loan[:4], "X"),
                    )
                    for a in (json_answer, file_answer)
                ]
            )

        assert answers[0] == answers[1]
        assert [status for status, _, _ in answers[0]] == [422, 422]
        assert await ledger_balances(client) == before
        assert await outbox_events(app, "loan.repayment_received") == []
