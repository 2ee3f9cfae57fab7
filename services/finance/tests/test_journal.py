"""Double-entry rules, without a database: which entries the ledger refuses."""

from typing import Any

import pytest

from finance.ledger.journal import Line, UnbalancedEntry, check_entry


class TestCheckEntry:
    def test_a_balanced_entry_passes(self) -> None:
        check_entry(
            [Line.debit("grant_expense", 14_700_000), Line.credit("grants_payable", 14_700_000)]
        )

    def test_a_split_entry_passes_when_the_sides_agree(self) -> None:
        check_entry(
            [Line.debit("grants_payable", 10), Line.credit("cash", 4), Line.credit("cash", 6)]
        )

    def test_an_unbalanced_entry_is_refused(self) -> None:
        with pytest.raises(UnbalancedEntry, match="debits 100 ≠ credits 99"):
            check_entry([Line.debit("grant_expense", 100), Line.credit("grants_payable", 99)])

    def test_an_empty_entry_is_refused(self) -> None:
        with pytest.raises(UnbalancedEntry):
            check_entry([])

    def test_a_line_with_both_sides_or_neither_is_refused(self) -> None:
        with pytest.raises(UnbalancedEntry, match="line 1"):
            check_entry([Line("cash", 5, 5), Line.credit("grants_payable", 0)])
        with pytest.raises(UnbalancedEntry, match="line 2"):
            check_entry([Line.debit("cash", 5), Line("grants_payable", 0, 0)])

    def test_negative_amounts_are_refused(self) -> None:
        with pytest.raises(UnbalancedEntry, match="negative"):
            check_entry([Line.debit("cash", -5), Line.credit("grants_payable", -5)])

    def test_money_is_never_a_float(self) -> None:
        half: Any = 0.5
        with pytest.raises(UnbalancedEntry, match="integer satang"):
            check_entry([Line.debit("cash", half), Line.credit("grants_payable", half)])
