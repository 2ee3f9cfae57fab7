"""What construction listens to, in one place: event type → handler."""

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import GrantRejected, HouseholdApproved
from baan_shared.events.subscriptions import Subscriptions
from construction.house_works import service


async def on_household_approved(
    session: AsyncSession, household: HouseholdApproved, event: CloudEvent
) -> None:
    """The community committee selected the household: plan its house work."""
    await service.plan(session, household)


async def on_grant_rejected(session: AsyncSession, grant: GrantRejected, event: CloudEvent) -> None:
    """Finance could not reserve the grant: a work not yet being built waits for budget."""
    await service.grant_rejected(session, grant, event.time)


SUBSCRIPTIONS = (
    Subscriptions()
    .on(HouseholdApproved, on_household_approved)
    .on(GrantRejected, on_grant_rejected)
)
