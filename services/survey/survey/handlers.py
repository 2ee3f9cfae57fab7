"""What survey listens to, in one place: event type → handler."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.bus.consumer import Subscriptions
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import GrantRejected
from survey.households import service
from survey.households.models import HouseholdStatus


async def on_grant_rejected(session: AsyncSession, event: CloudEvent) -> None:
    """The budget could not cover the grant: the household waits for the next one."""
    data = GrantRejected.model_validate(event.data)
    household = await service.get(session, uuid.UUID(str(data.household_id)), for_update=True)
    if household.status != HouseholdStatus.APPROVED:
        return
    await service.decide(
        session,
        household.id,
        HouseholdStatus.WAITLISTED,
        decided_by="finance",
        reason=f"budget: {data.reason}",
    )


SUBSCRIPTIONS = Subscriptions({"grant.rejected": on_grant_rejected})
