"""Double-entry rules, without a database: what makes a journal entry postable.

An entry is a list of lines; each line moves a positive number of satang to
one side (debit or credit) of one account, and the debits equal the credits.
Money is integer satang: a float never gets in.
"""

from collections.abc import Sequence
from dataclasses import dataclass


class LedgerError(ValueError):
    """An entry the ledger refuses to post."""


class UnbalancedEntry(LedgerError):
    """Empty, a malformed line, or debits ≠ credits."""


class UnknownAccount(LedgerError):
    """A line names an account that is not in the chart."""


@dataclass(frozen=True)
class Line:
    account: str  # the account's code
    debit_satang: int = 0
    credit_satang: int = 0

    @classmethod
    def debit(cls, account: str, amount_satang: int) -> "Line":
        return cls(account=account, debit_satang=amount_satang)

    @classmethod
    def credit(cls, account: str, amount_satang: int) -> "Line":
        return cls(account=account, credit_satang=amount_satang)


def _is_satang(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_entry(lines: Sequence[Line]) -> None:
    """Refuse an entry that is empty, has a malformed line, or does not balance."""
    if not lines:
        raise UnbalancedEntry("an entry needs at least one debit and one credit")
    for number, line in enumerate(lines, 1):
        if not (_is_satang(line.debit_satang) and _is_satang(line.credit_satang)):
            raise UnbalancedEntry(f"line {number}: amounts are integer satang")
        if line.debit_satang < 0 or line.credit_satang < 0:
            raise UnbalancedEntry(f"line {number}: amounts cannot be negative")
        if (line.debit_satang > 0) == (line.credit_satang > 0):
            raise UnbalancedEntry(f"line {number}: exactly one of debit and credit is positive")
    debits = sum(line.debit_satang for line in lines)
    credits = sum(line.credit_satang for line in lines)
    if debits != credits:
        raise UnbalancedEntry(f"debits {debits} ≠ credits {credits} satang")
