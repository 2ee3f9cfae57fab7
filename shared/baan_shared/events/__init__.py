"""Event contracts: the CloudEvents envelope and the typed catalogue of event data."""

from baan_shared.events.catalog import EVENT_TYPES, EventData, event_model
from baan_shared.events.envelope import CloudEvent, MalformedEvent

__all__ = ["EVENT_TYPES", "CloudEvent", "EventData", "MalformedEvent", "event_model"]
