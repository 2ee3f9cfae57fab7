"""What survey listens to, in one place: event type → handler."""

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import GrantRejected
from baan_shared.events.subscriptions import Subscriptions
from survey.households import service
from survey.households.models import HouseholdStatus


async def on_grant_rejected(session: AsyncSession, grant: GrantRejected, event: CloudEvent) -> None:
    """The budget could not cover the grant: the household waits for the next one."""
    household = await service.get(session, grant.household_id, for_update=True)
    if household.status != HouseholdStatus.APPROVED:
        return
    await service.decide(
        session,
        household.id,
        HouseholdStatus.WAITLISTED,
        decided_by="finance",
        reason=f"budget: {grant.reason}",
    )


SUBSCRIPTIONS = Subscriptions().on(GrantRejected, on_grant_rejected)
