"""Contribution rules: a member of a fund pays in (one baht a day, or the fund's
rate), recorded once per receipt number, into the fund's books. A left or deceased
member's payment is refused (409 ``membership-ended``), a payment dated before
joining too (422 ``before-joining``); nothing is stored then."""

import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.ids import new_id
from welfare.books import service as books
from welfare.books.ledger import MovementKind
from welfare.contributions import repository
from welfare.contributions.models import Contribution
from welfare.contributions.schemas import (
    ContributionCreate,
    SheetCreate,
    SheetResult,
    SheetRowResult,
)
from welfare.funds.models import Fund
from welfare.members import repository as members
from welfare.members.membership import ENDED
from welfare.members.models import Member


def _reference_used(body: ContributionCreate) -> Conflict:
    return Conflict(
        f"receipt {body.reference} is already recorded in this fund",
        errors=[
            field_error(
                "body.reference",
                "a receipt number is recorded once per fund",
                "reference-used",
                value=body.reference,
            )
        ],
    )


async def record(
    session: AsyncSession, member: Member, fund: Fund, body: ContributionCreate
) -> Contribution:
    if member.status in ENDED:
        raise Conflict(
            f"the membership ended ({member.status.value}) on {member.ended_on}",
            errors=[
                field_error(
                    "body.member_id",
                    f"no contribution is taken for a {member.status.value} member",
                    "membership-ended",
                    value=member.id,
                )
            ],
        )
    if body.paid_on < member.joined_on:
        reason = f"the member joined on {member.joined_on}"
        raise Unprocessable(
            reason,
            errors=[field_error("body.paid_on", reason, "before-joining", value=body.paid_on)],
        )
    if await repository.by_reference(session, fund.id, body.reference) is not None:
        raise _reference_used(body)
    contribution = Contribution(
        fund_id=fund.id,
        member_id=member.id,
        paid_on=body.paid_on,
        amount_satang=body.amount_satang,
        reference=body.reference,
    )
    try:
        async with session.begin_nested():
            session.add(contribution)
    except IntegrityError as exc:  # the same receipt recorded concurrently
        raise _reference_used(body) from exc
    await members.add_paid(session, member.id, body.amount_satang)
    await books.book(
        session,
        fund,
        MovementKind.CONTRIBUTION,
        body.amount_satang,
        occurred_on=body.paid_on,
        reference=f"contribution:{body.reference}",
    )
    return contribution


async def record_sheet(session: AsyncSession, fund: Fund, body: SheetCreate) -> SheetResult:
    """A committee's monthly sheet: every row checked as one contribution is (a member of
    this fund, membership not ended, paid on or after joining, a receipt number used
    once), then all rows recorded in multi-row INSERTs and booked as one movement on the
    fund's books (``contribution:sheet:<reference>``). Any refused row refuses the
    sheet: 422 naming each bad row's field (``body.rows.N.…``) if any is bad input, else
    409; nothing is stored. A member of another fund, in the client's areas or not, is
    refused exactly as an id naming nothing."""
    movement_reference = f"contribution:sheet:{body.reference}"
    if await books.repository.movement(session, fund.id, movement_reference) is not None:
        raise Conflict(
            f"sheet {body.reference} is already recorded in this fund",
            errors=[
                field_error(
                    "body.reference",
                    "a sheet is recorded once per fund",
                    "reference-used",
                    value=body.reference,
                )
            ],
        )
    members_by_id = await members.of_fund(session, fund.id, [row.member_id for row in body.rows])
    used = await repository.used_references(session, fund.id, [row.reference for row in body.rows])
    bad_input: list[dict[str, object]] = []
    conflicts: list[dict[str, object]] = []
    seen: set[str] = set()
    for number, row in enumerate(body.rows):
        at = f"body.rows.{number}"
        member = members_by_id.get(row.member_id)
        if member is None:
            bad_input.append(
                field_error(
                    f"{at}.member_id",
                    "no welfare member with this id exists in the client's areas",
                    "unknown-reference",
                    value=row.member_id,
                )
            )
        elif member.status in ENDED:
            conflicts.append(
                field_error(
                    f"{at}.member_id",
                    f"no contribution is taken for a {member.status.value} member",
                    "membership-ended",
                    value=row.member_id,
                )
            )
        elif row.paid_on < member.joined_on:
            bad_input.append(
                field_error(
                    f"{at}.paid_on",
                    f"the member joined on {member.joined_on}",
                    "before-joining",
                    value=row.paid_on,
                )
            )
        if row.reference in seen:
            bad_input.append(
                field_error(
                    f"{at}.reference",
                    "the same receipt number twice in one sheet",
                    "duplicate-in-sheet",
                    value=row.reference,
                )
            )
        elif row.reference in used:
            conflicts.append(
                field_error(
                    f"{at}.reference",
                    "a receipt number is recorded once per fund",
                    "reference-used",
                    value=row.reference,
                )
            )
        seen.add(row.reference)
    if bad_input or conflicts:
        detail = f"{len(bad_input) + len(conflicts)} rows refused; nothing recorded"
        if bad_input:
            raise Unprocessable(detail, errors=bad_input + conflicts)
        raise Conflict(detail, errors=conflicts)
    rows = [
        {
            "id": new_id(),
            "fund_id": fund.id,
            "member_id": row.member_id,
            "paid_on": row.paid_on,
            "amount_satang": row.amount_satang,
            "reference": row.reference,
            "recorded_at": utcnow(),
        }
        for row in body.rows
    ]
    try:
        async with session.begin_nested():
            await repository.insert_many(session, rows)
    except IntegrityError as exc:  # a receipt recorded concurrently
        raise Conflict(
            "a receipt number of the sheet was recorded meanwhile; nothing recorded",
            errors=[
                field_error(
                    "body.rows", "a receipt number is recorded once per fund", "reference-used"
                )
            ],
        ) from exc
    paid: dict[uuid.UUID, int] = {}
    for row in body.rows:
        paid[row.member_id] = paid.get(row.member_id, 0) + row.amount_satang
    await members.add_paid_many(session, paid)
    total = sum(row.amount_satang for row in body.rows)
    await books.book(
        session,
        fund,
        MovementKind.CONTRIBUTION,
        total,
        occurred_on=max(row.paid_on for row in body.rows),
        reference=movement_reference,
    )
    return SheetResult(
        reference=body.reference,
        rows=len(rows),
        total_satang=total,
        results=[SheetRowResult(row=n, contribution_id=r["id"]) for n, r in enumerate(rows)],
    )


async def page(
    session: AsyncSession, member_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
) -> list[Contribution]:
    return await repository.page(session, member_id, after=after, limit=limit)
