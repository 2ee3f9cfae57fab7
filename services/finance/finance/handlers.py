"""What finance listens to, in one place: event type → handler.

Handlers only decode the event and call the grant rules; the consumer commits
their effects with the inbox row. They need the grant policy from settings,
so the mapping is built for the app by ``subscriptions(policy)``.
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.bus.consumer import Subscriptions
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    HouseCompleted,
    HouseConstructionStarted,
    HouseholdApproved,
    HouseMilestoneReached,
)
from finance.grants import service
from finance.grants.policy import GrantPolicy
from finance.grants.tranches import stage_key


class GrantHandlers:
    def __init__(self, policy: GrantPolicy) -> None:
        self.policy = policy

    async def on_household_approved(self, session: AsyncSession, event: CloudEvent) -> None:
        """Selected by the committee: open the household's grant."""
        data = HouseholdApproved.model_validate(event.data)
        await service.household_approved(
            session, self.policy, data, event_id=event.id, event_time=event.time
        )

    async def on_construction_started(self, session: AsyncSession, event: CloudEvent) -> None:
        data = HouseConstructionStarted.model_validate(event.data)
        await service.house_stage_reached(
            session,
            self.policy,
            data,
            stage=stage_key(event.type),
            reached_on=data.started_on,
            event_id=event.id,
            event_time=event.time,
        )

    async def on_milestone_reached(self, session: AsyncSession, event: CloudEvent) -> None:
        data = HouseMilestoneReached.model_validate(event.data)
        await service.house_stage_reached(
            session,
            self.policy,
            data,
            stage=stage_key(event.type, data.milestone),
            reached_on=data.reached_on,
            event_id=event.id,
            event_time=event.time,
        )

    async def on_house_completed(self, session: AsyncSession, event: CloudEvent) -> None:
        data = HouseCompleted.model_validate(event.data)
        await service.house_stage_reached(
            session,
            self.policy,
            data,
            stage=stage_key(event.type),
            reached_on=data.completed_on,
            event_id=event.id,
            event_time=event.time,
        )


def subscriptions(policy: GrantPolicy) -> Subscriptions:
    grants = GrantHandlers(policy)
    return Subscriptions(
        {
            HouseholdApproved.event_type: grants.on_household_approved,
            HouseConstructionStarted.event_type: grants.on_construction_started,
            HouseMilestoneReached.event_type: grants.on_milestone_reached,
            HouseCompleted.event_type: grants.on_house_completed,
        }
    )
