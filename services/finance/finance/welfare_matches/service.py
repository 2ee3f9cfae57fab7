"""Paying the agency's 1:1 match of a welfare fund's contributions (``welfare_match.approved``).

Welfare checked the request against the contributions recorded for its period and
approved it; finance pays it: one balanced ledger entry (welfare matches expense
against cash) and one payment row per match request. A redelivered event is stopped
by the inbox; the same match brought by another event finds its payment and books
nothing, and the unique match request id is the last line behind both, so one baht
of match is never paid twice. A local administration's match is paid by the local
administration itself: finance books nothing for it. Nothing here commits; the
consumer's unit of work does.
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events.catalog import WelfareMatchApproved
from finance.ledger import service as ledger
from finance.ledger.chart import CASH, WELFARE_MATCH_EXPENSE
from finance.ledger.journal import Line
from finance.welfare_matches import repository
from finance.welfare_matches.models import WelfareMatchPayment

AGENCY = "agency"


async def match_approved(
    session: AsyncSession, data: WelfareMatchApproved, *, event_id: uuid.UUID
) -> WelfareMatchPayment | None:
    if data.matcher != AGENCY:
        return None
    earlier = await repository.for_request(session, data.match_request_id)
    if earlier is not None:
        return earlier
    entry = await ledger.post_entry(
        session,
        [
            Line.debit(WELFARE_MATCH_EXPENSE, data.amount_satang),
            Line.credit(CASH, data.amount_satang),
        ],
        description=(
            f"1:1 match of welfare fund {data.welfare_fund_id}'s contributions "
            f"{data.period_from} to {data.period_to}"
        ),
        reference=f"welfare-match:{data.match_request_id}",
        source_event_id=event_id,
    )
    payment = WelfareMatchPayment(
        match_request_id=data.match_request_id,
        welfare_fund_id=data.welfare_fund_id,
        province_code=data.province_code,
        district_code=data.district_code,
        subdistrict_code=data.subdistrict_code,
        period_from=data.period_from,
        period_to=data.period_to,
        amount_satang=data.amount_satang,
        journal_entry_id=entry.id,
        source_event_id=event_id,
    )
    session.add(payment)
    await session.flush()
    return payment
