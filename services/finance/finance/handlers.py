"""What finance listens to, in one place: event type → handler.

Handlers only decode the event and call the grant rules (and, for a welfare fund's
match approved, the welfare match payments); the consumer commits
their effects with the inbox row. They need the grant policy from settings,
so the mapping is built for the app by ``subscriptions(policy)``.
"""

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    HouseCompleted,
    HouseConstructionStarted,
    HouseholdApproved,
    HouseMilestoneReached,
    WelfareMatchApproved,
)
from baan_shared.events.subscriptions import Subscriptions
from finance.grants import service
from finance.grants.policy import GrantPolicy
from finance.grants.tranches import stage_key
from finance.welfare_matches import service as welfare_matches


class GrantHandlers:
    def __init__(self, policy: GrantPolicy) -> None:
        self.policy = policy

    async def on_household_approved(
        self, session: AsyncSession, data: HouseholdApproved, event: CloudEvent
    ) -> None:
        """Selected by the committee: open the household's grant."""
        await service.household_approved(
            session, self.policy, data, event_id=event.id, event_time=event.time
        )

    async def on_construction_started(
        self, session: AsyncSession, data: HouseConstructionStarted, event: CloudEvent
    ) -> None:
        await service.house_stage_reached(
            session,
            self.policy,
            data,
            stage=stage_key(event.type),
            reached_on=data.started_on,
            event_id=event.id,
            event_time=event.time,
        )

    async def on_milestone_reached(
        self, session: AsyncSession, data: HouseMilestoneReached, event: CloudEvent
    ) -> None:
        await service.house_stage_reached(
            session,
            self.policy,
            data,
            stage=stage_key(event.type, data.milestone),
            reached_on=data.reached_on,
            event_id=event.id,
            event_time=event.time,
        )

    async def on_house_completed(
        self, session: AsyncSession, data: HouseCompleted, event: CloudEvent
    ) -> None:
        await service.house_stage_reached(
            session,
            self.policy,
            data,
            stage=stage_key(event.type),
            reached_on=data.completed_on,
            event_id=event.id,
            event_time=event.time,
        )


async def on_welfare_match_approved(
    session: AsyncSession, data: WelfareMatchApproved, event: CloudEvent
) -> None:
    """A welfare fund's match approved: pay the agency's share, once."""
    await welfare_matches.match_approved(session, data, event_id=event.id)


def subscriptions(policy: GrantPolicy) -> Subscriptions:
    grants = GrantHandlers(policy)
    subscribed = (
        Subscriptions()
        .on(HouseholdApproved, grants.on_household_approved)
        .on(HouseConstructionStarted, grants.on_construction_started)
        .on(HouseMilestoneReached, grants.on_milestone_reached)
        .on(HouseCompleted, grants.on_house_completed)
        .on(WelfareMatchApproved, on_welfare_match_approved)
    )

    async def apply_batch(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
        """A partition's batch, set-based where it counts: each run of approvals is
        granted together (``service.households_approved``, e.g. a committee's
        thousands), anything else one by one, in stream order. The same effect as the
        handlers one event at a time (``tests/test_batch_grants.py``)."""
        approvals: list[service.Approval] = []
        for event in events:
            if event.type == HouseholdApproved.event_type:
                data = HouseholdApproved.model_validate(event.data)
                approvals.append(service.Approval(data, event.id, event.time))
                continue
            await service.households_approved(session, policy, approvals)
            approvals = []
            await subscribed.handlers[event.type](session, event)
        await service.households_approved(session, policy, approvals)

    return subscribed.in_batches(apply_batch)
