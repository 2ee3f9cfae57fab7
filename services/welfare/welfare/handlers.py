"""What welfare listens to, in one place: finance's answer to the agency's matches
(``finance.welfare_matches``): waiting for a budget, or paid. Welfare publishes its
funds, members, benefits and matches; finance pays the agency's matches from
``welfare_match.approved`` (finance's handlers)."""

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import WelfareMatchPaid, WelfareMatchWaiting
from baan_shared.events.subscriptions import Subscriptions
from welfare.matching import service as matching


async def on_match_waiting(
    session: AsyncSession, data: WelfareMatchWaiting, event: CloudEvent
) -> None:
    await matching.on_match_waiting(session, data)


async def on_match_paid(session: AsyncSession, data: WelfareMatchPaid, event: CloudEvent) -> None:
    await matching.on_match_paid(session, data)


SUBSCRIPTIONS = (
    Subscriptions().on(WelfareMatchWaiting, on_match_waiting).on(WelfareMatchPaid, on_match_paid)
)
