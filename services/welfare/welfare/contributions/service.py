"""Contribution rules: a member of a fund pays in (one baht a day, or the fund's
rate), recorded once per receipt number, into the fund's books. A left or deceased
member's payment is refused (409 ``membership-ended``), a payment dated before
joining too (422 ``before-joining``); nothing is stored then."""

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.errors import Conflict, Unprocessable, field_error
from welfare.books import service as books
from welfare.books.ledger import MovementKind
from welfare.contributions import repository
from welfare.contributions.models import Contribution
from welfare.contributions.schemas import ContributionCreate
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
