"""What construction listens to, in one place: event type → handler."""

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.bus.consumer import Subscriptions
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import GrantRejected, HouseholdApproved
from construction.house_works import service


async def on_household_approved(session: AsyncSession, event: CloudEvent) -> None:
    """The community committee selected the household: plan its house work."""
    await service.plan(session, HouseholdApproved.model_validate(event.data))


async def on_grant_rejected(session: AsyncSession, event: CloudEvent) -> None:
    """Finance could not reserve the grant: a work not yet being built waits for budget."""
    await service.grant_rejected(session, GrantRejected.model_validate(event.data), event.time)


SUBSCRIPTIONS = Subscriptions(
    {"household.approved": on_household_approved, "grant.rejected": on_grant_rejected}
)
