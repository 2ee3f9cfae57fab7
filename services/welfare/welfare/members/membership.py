"""Membership rules that need no database: the national ID, statuses and years.

A member is identified by the Thai national ID (13 digits, the last a check
digit, python-stdnum's ``th.pin`` as survey uses it); it is never a key and is
masked in answers unless the caller may see personal data.
"""

from datetime import date
from enum import StrEnum

from stdnum.th import pin


class MemberStatus(StrEnum):
    ACTIVE = "active"  # paying, may claim
    LAPSED = "lapsed"  # stopped paying (ขาดส่ง): still a member, may not claim until caught up
    LEFT = "left"  # ลาออก
    DECEASED = "deceased"  # เสียชีวิต


HOLDS_MEMBERSHIP = frozenset({MemberStatus.ACTIVE, MemberStatus.LAPSED})
"""A person holds at most one such membership per fund; left or deceased ones are history."""

ENDED = frozenset({MemberStatus.LEFT, MemberStatus.DECEASED})
"""No contribution is taken for an ended membership, and it is never reopened."""


def compact_national_id(text: str) -> str:
    return text.replace("-", "").replace(" ", "")


def national_id_reason(text: str) -> str | None:
    """Why ``text`` is not a Thai national ID, or ``None`` if it is one."""
    digits = compact_national_id(text)
    if len(digits) != 13 or not digits.isdigit() or not digits.isascii():
        return "a Thai national ID is 13 digits"
    if not pin.is_valid(digits):
        return "the last digit (check digit) does not match the first 12: look for a mistyped digit"
    return None


def years_of_membership(joined_on: date, on: date) -> int:
    """Completed years from ``joined_on`` to ``on`` (0 before the first anniversary).

    A member who joined on 29 February completes a year on 28 February of a common year."""
    if on < joined_on:
        return 0
    years = on.year - joined_on.year
    try:
        anniversary = joined_on.replace(year=on.year)
    except ValueError:  # 29 February in a common year
        anniversary = date(on.year, 2, 28)
    return years if on >= anniversary else years - 1


def can_move(current: MemberStatus, new: MemberStatus) -> bool:
    """Active and lapsed move between each other or end; an ended membership stays ended
    (a person who left and comes back joins again, with a new joined date)."""
    if current in ENDED:
        return False
    return new is not current
