"""The ledger on a real database: what it posts, what it refuses, and the trial balance."""

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select

from baan_shared.errors import Conflict
from finance.ledger import service as ledger
from finance.ledger.journal import Line, UnbalancedEntry, UnknownAccount
from finance.ledger.models import ImmutableEntry, JournalEntry, JournalLine


async def _count(app: FastAPI) -> tuple[int, int]:
    async with app.state.runtime.session_factory() as session:
        entries = (await session.exec(select(JournalEntry))).all()
        lines = (await session.exec(select(JournalLine))).all()
    return len(entries), len(lines)


class TestTrialBalance:
    async def test_a_new_ledger_lists_the_chart_at_zero_and_balances(
        self, client: httpx.AsyncClient
    ) -> None:
        trial = (await client.get("/v1/ledger/trial-balance")).json()
        assert [(a["code"], a["type"], a["balance_satang"]) for a in trial["accounts"]] == [
            ("cash", "asset", 0),
            ("grant_expense", "expense", 0),
            ("grants_payable", "liability", 0),
        ]
        assert trial["debit_satang"] == trial["credit_satang"] == 0
        assert trial["balanced"] is True

    async def test_balances_sit_on_each_accounts_normal_side(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        async with app.state.runtime.session_factory() as session:
            await ledger.post_entry(
                session,
                [Line.debit("grant_expense", 1_000), Line.credit("grants_payable", 1_000)],
                description="commitment",
                reference="test",
            )
            await ledger.post_entry(
                session,
                [Line.debit("grants_payable", 400), Line.credit("cash", 400)],
                description="payment",
                reference="test",
            )
            await session.commit()
        trial = (await client.get("/v1/ledger/trial-balance")).json()
        rows = {a["code"]: a for a in trial["accounts"]}
        assert (
            rows["grants_payable"]["debit_satang"],
            rows["grants_payable"]["credit_satang"],
        ) == (
            400,
            1_000,
        )
        assert rows["grants_payable"]["balance_satang"] == 600
        assert rows["grant_expense"]["balance_satang"] == 1_000
        assert rows["cash"]["balance_satang"] == -400
        assert trial["debit_satang"] == trial["credit_satang"] == 1_400


class TestPosting:
    async def test_an_unbalanced_entry_is_refused_and_nothing_is_written(
        self, app: FastAPI
    ) -> None:
        async with app.state.runtime.session_factory() as session:
            with pytest.raises(UnbalancedEntry):
                await ledger.post_entry(
                    session,
                    [Line.debit("grant_expense", 100), Line.credit("grants_payable", 99)],
                    description="wrong",
                    reference="test",
                )
            with pytest.raises(UnbalancedEntry):
                await ledger.post_entry(session, [], description="empty", reference="test")
            await session.commit()
        assert await _count(app) == (0, 0)

    async def test_an_account_outside_the_chart_is_refused(self, app: FastAPI) -> None:
        async with app.state.runtime.session_factory() as session:
            with pytest.raises(UnknownAccount, match="petty_cash"):
                await ledger.post_entry(
                    session,
                    [Line.debit("petty_cash", 5), Line.credit("cash", 5)],
                    description="unknown",
                    reference="test",
                )

    async def test_entries_cannot_be_changed_or_deleted(self, app: FastAPI) -> None:
        async with app.state.runtime.session_factory() as session:
            entry = await ledger.post_entry(
                session,
                [Line.debit("grant_expense", 7), Line.credit("grants_payable", 7)],
                description="original",
                reference="test",
            )
            await session.commit()
        async with app.state.runtime.session_factory() as session:
            stored = await session.get(JournalEntry, entry.id)
            assert stored is not None
            stored.description = "rewritten"
            session.add(stored)
            with pytest.raises(ImmutableEntry):
                await session.flush()
            await session.rollback()
        async with app.state.runtime.session_factory() as session:
            line = (await session.exec(select(JournalLine))).first()
            await session.delete(line)
            with pytest.raises(ImmutableEntry):
                await session.flush()
            await session.rollback()
        assert await _count(app) == (1, 2)


class TestReversal:
    async def test_a_reversal_mirrors_the_entry_and_both_stay_in_history(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        async with app.state.runtime.session_factory() as session:
            original = await ledger.post_entry(
                session,
                [Line.debit("grant_expense", 700), Line.credit("grants_payable", 700)],
                description="keyed wrongly",
                reference="test",
            )
            reversal = await ledger.reverse_entry(session, original.id, reason="wrong household")
            await session.commit()
        assert reversal.reverses_entry_id == original.id
        assert "wrong household" in reversal.description
        trial = (await client.get("/v1/ledger/trial-balance")).json()
        rows = {a["code"]: a for a in trial["accounts"]}
        assert rows["grant_expense"]["debit_satang"] == rows["grant_expense"]["credit_satang"]
        assert rows["grants_payable"]["balance_satang"] == 0
        assert trial["debit_satang"] == trial["credit_satang"] == 1_400
        assert await _count(app) == (2, 4)

    async def test_an_entry_is_reversed_once_and_a_reversal_never(self, app: FastAPI) -> None:
        async with app.state.runtime.session_factory() as session:
            original = await ledger.post_entry(
                session,
                [Line.debit("cash", 5), Line.credit("grants_payable", 5)],
                description="x",
                reference="test",
            )
            reversal = await ledger.reverse_entry(session, original.id, reason="x")
            with pytest.raises(Conflict, match="already reversed"):
                await ledger.reverse_entry(session, original.id, reason="again")
            with pytest.raises(Conflict, match="is a reversal"):
                await ledger.reverse_entry(session, reversal.id, reason="undo")
            await session.commit()
        assert await _count(app) == (2, 4)
