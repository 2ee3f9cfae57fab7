"""What construction listens to, in one place: event type → handler."""

from collections.abc import Sequence

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


async def apply_batch(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
    """A partition's batch, set-based where it counts: each run of approvals is planned
    together (``service.plan_many``, e.g. a committee's thousands), anything else one
    by one, in stream order. The same effect as the handlers one event at a time
    (``tests/test_batch_planning.py``)."""
    approvals: list[HouseholdApproved] = []
    for event in events:
        if event.type == HouseholdApproved.event_type:
            approvals.append(HouseholdApproved.model_validate(event.data))
            continue
        await service.plan_many(session, approvals)
        approvals = []
        await SUBSCRIPTIONS.handlers[event.type](session, event)
    await service.plan_many(session, approvals)


SUBSCRIPTIONS = (
    Subscriptions()
    .on(HouseholdApproved, on_household_approved)
    .on(GrantRejected, on_grant_rejected)
    .in_batches(apply_batch)
)
