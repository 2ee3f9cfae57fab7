"""What welfare listens to, in one place: nothing yet. Welfare publishes its funds,
members, benefits and matches; finance pays the agency's matches from
``welfare_match.approved`` (finance's handlers)."""

from baan_shared.events.subscriptions import Subscriptions

SUBSCRIPTIONS = Subscriptions()
