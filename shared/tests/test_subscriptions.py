"""Subscriptions: what a service listens to, handed to handlers as validated data."""

import uuid

import pytest
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import GrantRejected, HouseholdApproved
from baan_shared.events.subscriptions import Subscriptions


def _grant_rejected(**data: object) -> CloudEvent:
    body: dict[str, object] = {
        "grant_id": str(uuid.uuid4()),
        "household_id": str(uuid.uuid4()),
        "programme": "BAAN_PHO_PHIANG",
        "province_code": "57",
        "reason": "no budget left for province 57",
    }
    return CloudEvent(
        source="/services/finance",
        type="grant.rejected",
        subject=str(body["grant_id"]),
        data=body | data,
    )


async def test_a_handler_gets_the_event_data_as_its_type_and_the_envelope() -> None:
    seen: list[tuple[GrantRejected, CloudEvent]] = []

    async def on_grant_rejected(
        session: AsyncSession, grant: GrantRejected, event: CloudEvent
    ) -> None:
        seen.append((grant, event))

    subscriptions = Subscriptions().on(GrantRejected, on_grant_rejected)
    event = _grant_rejected()
    await subscriptions.handlers["grant.rejected"](None, event)  # type: ignore[arg-type]
    [(grant, envelope)] = seen
    assert isinstance(grant, GrantRejected)
    assert str(grant.household_id) == event.data["household_id"]
    assert envelope is event


async def test_data_that_does_not_fit_the_type_fails_before_the_handler_runs() -> None:
    called = False

    async def on_grant_rejected(
        session: AsyncSession, grant: GrantRejected, event: CloudEvent
    ) -> None:
        nonlocal called
        called = True

    subscriptions = Subscriptions().on(GrantRejected, on_grant_rejected)
    with pytest.raises(ValidationError):
        await subscriptions.handlers["grant.rejected"](
            None,  # type: ignore[arg-type]
            _grant_rejected(household_id="not a household id"),
        )
    assert not called


def test_the_topics_follow_from_the_event_types_and_a_type_is_subscribed_once() -> None:
    async def ignore(session: AsyncSession, data: object, event: CloudEvent) -> None:
        return None

    subscriptions = Subscriptions().on(GrantRejected, ignore).on(HouseholdApproved, ignore)
    assert subscriptions.topics == ["finance.grants", "survey.households"]
    with pytest.raises(ValueError, match=r"grant\.rejected is subscribed twice"):
        subscriptions.on(GrantRejected, ignore)
