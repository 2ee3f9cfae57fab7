"""Who may do what on Kafka: each service's topics, dead-letter topics and group.

The broker denies everything no ACL allows (``allow.everyone.if.no.acl.found=false``).
Each service's Kafka user (its name) is allowed exactly:

- Write, Describe, Create on the streams it owns (``produces``) and on its own
  dead-letter topics ``<topic>.dlq.<service>`` (one per subscribed topic);
- Read, Describe on the streams it subscribes to (``consumes``);
- Read on its consumer group (the service name), and on groups starting with
  ``group_prefixes`` (reporting's rebuild runs in a fresh ``reporting-rebuild-*`` group).

Topic creation follows from it: a service with ``create_topics`` on creates
the topics it owns (streams and dead-letter topics) and waits for those it
subscribes to until their owner has created them. The table is built from the
registry of services (``baan_shared.registry``). The local tooling applies it to
its broker (``baan_local.kafka``); the Helm chart's KafkaUsers
declare the same ACLs from its ``services`` values (a test keeps both equal).
Operators' tools (``baan-dlq``) run as the cluster's administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from baan_shared.events.topics import dead_letter_topic
from baan_shared.registry import SERVICES


@dataclass(frozen=True)
class ServiceAccess:
    service: str
    produces: tuple[str, ...]
    consumes: tuple[str, ...]
    group_prefixes: tuple[str, ...] = ()

    @property
    def user(self) -> str:
        """The service's Kafka user name."""
        return self.service

    @property
    def group(self) -> str:
        return self.service

    @property
    def dead_letter_topics(self) -> tuple[str, ...]:
        return tuple(dead_letter_topic(topic, self.service) for topic in self.consumes)

    @property
    def writes(self) -> tuple[str, ...]:
        """Topics it may write, describe and create."""
        return (*self.produces, *self.dead_letter_topics)

    @property
    def topics(self) -> tuple[str, ...]:
        """Every topic it touches."""
        return tuple(sorted({*self.writes, *self.consumes}))


SERVICE_ACCESS: dict[str, ServiceAccess] = {
    entry.name: ServiceAccess(
        entry.name,
        produces=entry.produces,
        consumes=entry.consumes,
        group_prefixes=entry.group_prefixes,
    )
    for entry in SERVICES
}
"""Each service's access, from the registry of services (``baan_shared.registry``)."""


def owner_of(topic: str) -> str | None:
    """The service that may create and write ``topic``, if any."""
    for access in SERVICE_ACCESS.values():
        if topic in access.writes:
            return access.service
    return None
