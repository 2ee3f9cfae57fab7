"""Loan arithmetic (ตารางผ่อนชำระ), without a database: schedules and repayments.

Money is integer satang and rates are integer basis points a year (1% = 100),
so nothing here touches a float. Interest accrues monthly on the declining
balance: a month's interest is balance × rate / 12, rounded half up to the
satang. During the grace period only interest is due. After it the principal
is repaid either in equal instalments (annuity: the same principal + interest
every month, rounded up to the satang, the last one clearing what is left) or
in equal principal (the same principal every month plus that month's
interest, the last one taking the remainder). How late a loan is: ``arrears``.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction


class RepaymentMethod(StrEnum):
    EQUAL_INSTALMENTS = "equal_instalments"  # annuity, เงินงวดเท่ากัน
    EQUAL_PRINCIPAL = "equal_principal"  # เงินต้นเท่ากัน


@dataclass(frozen=True)
class Instalment:
    number: int  # 1-based
    due_on: date
    principal_satang: int
    interest_satang: int

    @property
    def total_satang(self) -> int:
        return self.principal_satang + self.interest_satang


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def monthly_interest(balance_satang: int, annual_rate_bp: int) -> int:
    """One month's interest on ``balance_satang``, rounded half up to the satang."""
    numerator = balance_satang * annual_rate_bp
    denominator = 12 * 10_000
    return (2 * numerator + denominator) // (2 * denominator)


def annuity_payment(principal_satang: int, annual_rate_bp: int, months: int) -> int:
    """The equal monthly payment that repays ``principal_satang`` over ``months``,
    rounded up to the satang (so the last payment is never the larger one)."""
    if annual_rate_bp == 0:
        return -(-principal_satang // months)
    rate = Fraction(annual_rate_bp, 12 * 10_000)
    growth = (1 + rate) ** months
    exact = principal_satang * rate * growth / (growth - 1)
    return -(-exact.numerator // exact.denominator)


def build_schedule(
    principal_satang: int,
    annual_rate_bp: int,
    term_months: int,
    grace_months: int,
    method: RepaymentMethod,
    first_due_on: date,
) -> list[Instalment]:
    """Every instalment of a loan; the principal parts add up to the principal exactly."""
    if principal_satang <= 0:
        raise ValueError("the principal is a positive number of satang")
    if not 0 <= grace_months < term_months:
        raise ValueError("the grace period is shorter than the term")
    if annual_rate_bp < 0:
        raise ValueError("the interest rate cannot be negative")
    repaying = term_months - grace_months
    balance = principal_satang
    payment = annuity_payment(principal_satang, annual_rate_bp, repaying)
    even_principal = principal_satang // repaying
    schedule: list[Instalment] = []
    for number in range(1, term_months + 1):
        interest = monthly_interest(balance, annual_rate_bp)
        if number <= grace_months:
            principal = 0
        elif number == term_months:
            principal = balance
        elif method is RepaymentMethod.EQUAL_INSTALMENTS:
            principal = min(max(payment - interest, 0), balance)
        else:
            principal = min(even_principal, balance)
        schedule.append(
            Instalment(number, add_months(first_due_on, number - 1), principal, interest)
        )
        balance -= principal
    return schedule


# --- repayments ----------------------------------------------------------------------


@dataclass(frozen=True)
class Owed:
    """What is still unpaid of one instalment."""

    number: int
    due_on: date
    interest_satang: int
    principal_satang: int


@dataclass(frozen=True)
class Allocation:
    """How much of a payment goes to one instalment's interest and principal."""

    number: int
    interest_satang: int
    principal_satang: int


class Overpayment(ValueError):
    """A payment larger than everything still owed on the loan."""

    def __init__(self, amount_satang: int, payoff_satang: int) -> None:
        self.amount_satang = amount_satang
        self.payoff_satang = payoff_satang
        super().__init__(
            f"the payment of {amount_satang} satang is more than the {payoff_satang} "
            "satang still owed; overpayments are refused, not held as credit"
        )


def allocate_payment(amount_satang: int, owed: Sequence[Owed]) -> list[Allocation]:
    """Apply a payment to the oldest instalment first, its interest before its principal.

    A late payment settles what is overdue first; a partial one stops where the
    money runs out; an early one settles instalments not yet due, in order.
    """
    payoff = sum(o.interest_satang + o.principal_satang for o in owed)
    if amount_satang > payoff:
        raise Overpayment(amount_satang, payoff)
    left = amount_satang
    allocations: list[Allocation] = []
    for item in sorted(owed, key=lambda o: o.number):
        if left == 0:
            break
        interest = min(left, item.interest_satang)
        left -= interest
        principal = min(left, item.principal_satang)
        left -= principal
        if interest or principal:
            allocations.append(Allocation(item.number, interest, principal))
    return allocations
