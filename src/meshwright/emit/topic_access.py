"""Who may write and who reads each topic: the broker permissions every messaging target grants.

A service *writes* a topic when one of its operations publishes it (the one publishing rule,
:func:`meshwright.graph.published_topics`) or when one of its consumers parks poison
messages in it (``dead_letter``). A service *reads* a topic through each ``consumes``
entry, as its consumer group. Nothing else is granted: Kafka ACLs, RabbitMQ permissions
and the AsyncAPI send/receive operations are all rendered from this one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from meshwright.graph import Consumer, consumers, published_topics
from meshwright.model.types import Model


@dataclass(frozen=True)
class Read:
    """One topic a service reads, as a consumer group, handing messages to ``handler``."""

    topic: str
    group: str
    handler: str | None
    dead_letter: str | None


@dataclass(frozen=True)
class Access:
    """What one service may do on the broker."""

    service: str
    publishes: tuple[str, ...]
    """Topics its operations publish, sorted."""
    dead_letters: tuple[str, ...]
    """Dead-letter topics its consumers write poison messages to, sorted."""
    reads: tuple[Read, ...]
    """Its ``consumes`` entries, in model order."""

    @property
    def writes(self) -> tuple[str, ...]:
        """Every topic the service writes: what it publishes and its dead-letter topics."""
        return tuple(sorted({*self.publishes, *self.dead_letters}))

    @property
    def groups(self) -> tuple[str, ...]:
        """Its consumer groups, sorted."""
        return tuple(sorted({r.group for r in self.reads}))

    @property
    def uses_broker(self) -> bool:
        return bool(self.writes or self.reads)


def _read(c: Consumer) -> Read:
    return Read(c.topic, c.group, c.handler, c.dead_letter)


def service_access(model: Model, service: str) -> Access:
    """The broker access of one service."""
    svc = model.services[service]
    published = {t for _, op, _ in svc.operations() for t in published_topics(model, f"{service}.{op}")}
    mine = [c for c in consumers(model) if c.service == service]
    dead = {c.dead_letter for c in mine if c.dead_letter is not None}
    return Access(service, tuple(sorted(published)), tuple(sorted(dead)), tuple(_read(c) for c in mine))


def broker_users(model: Model) -> list[Access]:
    """The access of every service that writes or reads a topic, in service-name order."""
    accesses = (service_access(model, name) for name in sorted(model.services))
    return [a for a in accesses if a.uses_broker]
