"""`meshwright apply kafka`: bring a Kafka cluster's topics to what the model says.

The plan is made before anything changes. Each model topic is

- ``create``: absent on the broker; created with its partitions, replication factor and
  :func:`meshwright.emit.kafka.topic_config`;
- ``grow``: created by meshwright, with fewer partitions than the model; partitions added;
- ``alter``: created by meshwright, with a config value that differs; those keys altered;
- ``unchanged``: as the model says;
- ``foreign``: present but not created by meshwright for this system; left alone.

A topic the model gives fewer partitions than it has (Kafka never removes partitions), or
another replication factor (reassigning replicas is an operator's job), is a located error
and then nothing at all is changed. Ownership is recorded in the compacted topic
:data:`REGISTRY`: one record per topic meshwright created, keyed by the topic name, whose
value names the system.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from meshwright.emit.kafka import topic_config
from meshwright.errors import Diagnostic, MeshwrightError, ModelError
from meshwright.model.loader import LoadedModel

REGISTRY = "_meshwright-topics"
"""The compacted topic recording which topics meshwright created, and for which system."""

Action = Literal["create", "grow", "alter", "unchanged", "foreign"]

_QUIET = logging.getLogger("meshwright.apply.kafka.client")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


@dataclass(frozen=True)
class TopicState:
    """A topic as the broker has it."""

    partitions: int
    replication: int
    config: dict[str, str]


@dataclass(frozen=True)
class Change:
    """What apply does to one model topic."""

    topic: str
    action: Action
    partitions: int
    config: dict[str, str] = field(default_factory=dict)
    """For ``create`` the whole config; for ``alter`` only the keys that change."""
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "action": self.action,
            "partitions": self.partitions,
            "config": self.config,
            "detail": self.detail,
        }


def _refusal(loaded: LoadedModel, topic: str, field: str, code: str, message: str, hint: str) -> Diagnostic:
    """A change Kafka cannot make, located at the model's ``topics.<topic>.<field>``."""
    path = ("topics", topic, field)
    return Diagnostic(loaded.locate(*path), message, hint, code=code, path=path)


def plan(loaded: LoadedModel, existing: Mapping[str, TopicState], owners: Mapping[str, str]) -> list[Change]:
    """The changes that bring ``existing`` to the model, in topic-name order.

    ``owners`` maps each topic meshwright created to its system. Raises :class:`ModelError`
    (located at the model's topic) for every change Kafka cannot make.
    """
    model = loaded.model
    changes: list[Change] = []
    errors: list[Diagnostic] = []
    for name, topic in sorted(model.topics.items()):
        wanted = topic_config(topic)
        have = existing.get(name)
        if have is None:
            changes.append(Change(name, "create", topic.partitions, wanted))
            continue
        owner = owners.get(name)
        if owner != model.system:
            why = (
                "not created by meshwright"
                if owner is None
                else f"created by meshwright for system {owner!r}"
            )
            changes.append(Change(name, "foreign", have.partitions, detail=f"{why}; left alone"))
            continue
        if topic.partitions < have.partitions:
            errors.append(
                _refusal(
                    loaded,
                    name,
                    "partitions",
                    "partitions-shrink",
                    f"topic {name!r} has {have.partitions} partitions on the broker; the model asks "
                    f"for {topic.partitions}, and Kafka never removes partitions",
                    f"set partitions: {have.partitions} (or more), or create a new topic and move "
                    "its producers and consumers to it",
                )
            )
        if topic.replication != have.replication:
            errors.append(
                _refusal(
                    loaded,
                    name,
                    "replication",
                    "replication-change",
                    f"topic {name!r} has replication factor {have.replication} on the broker; the "
                    f"model asks for {topic.replication}, which apply does not change",
                    f"set replication: {have.replication}, or reassign the replicas with "
                    "kafka-reassign-partitions and rerun",
                )
            )
        delta = {k: v for k, v in wanted.items() if have.config.get(k) != v}
        if topic.partitions > have.partitions:
            changes.append(
                Change(
                    name,
                    "grow",
                    topic.partitions,
                    delta,
                    f"{have.partitions} → {topic.partitions} partitions",
                )
            )
        elif delta:
            changes.append(Change(name, "alter", topic.partitions, delta, ", ".join(sorted(delta))))
        else:
            changes.append(Change(name, "unchanged", topic.partitions))
    if errors:
        raise ModelError(errors, outcome="nothing was changed on the broker")
    return changes


# ---------------------------------------------------------------------- the broker


class KafkaAdmin:
    """The admin operations apply needs, over the Kafka protocol (confluent-kafka)."""

    def __init__(self, bootstrap: str, timeout: float) -> None:
        from confluent_kafka.admin import AdminClient

        self.bootstrap = bootstrap
        self.timeout = timeout
        self._conf: dict[str, Any] = {"bootstrap.servers": bootstrap, "logger": _QUIET}
        self.admin = AdminClient(dict(self._conf))

    def _fail(self, what: str, exc: BaseException) -> MeshwrightError:
        return MeshwrightError(f"Kafka at {self.bootstrap}: {what}: {exc}")

    def brokers(self) -> int:
        """Brokers in the cluster (also checks the bootstrap address answers)."""
        try:
            return len(self.admin.list_topics(timeout=self.timeout).brokers)
        except Exception as exc:
            raise self._fail("cannot reach the cluster (check --bootstrap)", exc) from None

    def topics(self) -> dict[str, TopicState]:
        """Every topic with its partitions, replication factor and config."""
        from confluent_kafka.admin import ConfigResource  # type: ignore[attr-defined]

        try:
            metadata = self.admin.list_topics(timeout=self.timeout)
        except Exception as exc:
            raise self._fail("cannot list topics", exc) from None
        names = sorted(t for t in metadata.topics if not t.startswith("__"))
        resources = [ConfigResource("topic", t) for t in names]
        configs: dict[str, dict[str, str]] = {}
        if resources:
            for resource, future in self.admin.describe_configs(resources).items():
                try:
                    entries = future.result(timeout=self.timeout)
                except Exception as exc:
                    raise self._fail(f"cannot describe topic {resource.name!r}", exc) from None
                configs[resource.name] = {k: str(e.value) for k, e in entries.items() if e.value is not None}
        out: dict[str, TopicState] = {}
        for name in names:
            parts = metadata.topics[name].partitions
            replication = max((len(p.replicas) for p in parts.values()), default=0)
            out[name] = TopicState(len(parts), replication, configs.get(name, {}))
        return out

    def owners(self) -> dict[str, str]:
        """Topic → system, from the :data:`REGISTRY` topic (empty when it does not exist)."""
        from confluent_kafka import Consumer, TopicPartition

        consumer = Consumer(
            {
                **self._conf,
                "group.id": "meshwright-apply",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
            }
        )
        owners: dict[str, str] = {}
        try:
            if REGISTRY not in consumer.list_topics(timeout=self.timeout).topics:
                return owners
            low, high = consumer.get_watermark_offsets(TopicPartition(REGISTRY, 0), timeout=self.timeout)
            if high <= low:
                return owners
            consumer.assign([TopicPartition(REGISTRY, 0, low)])
            offset = low
            while True:
                # past the high watermark, read on until the topic is quiet: brokers that
                # count a batch as one offset (tansu) report a watermark below the last record
                msg = consumer.poll(self.timeout if offset < high else min(1.0, self.timeout))
                if msg is None and offset >= high:
                    break
                if msg is None:
                    raise MeshwrightError(
                        f"Kafka at {self.bootstrap}: timed out reading topic {REGISTRY} "
                        f"(offset {offset} of {high})"
                    )
                if msg.error():
                    raise self._fail(f"cannot read topic {REGISTRY}", Exception(msg.error()))
                offset = (msg.offset() or offset) + 1
                key = (msg.key() or b"").decode()
                value = msg.value()
                if value is None:
                    owners.pop(key, None)
                else:
                    owners[key] = str(json.loads(value).get("system", ""))
        except MeshwrightError:
            raise
        except Exception as exc:
            raise self._fail(f"cannot read topic {REGISTRY}", exc) from None
        finally:
            consumer.close()
        return owners

    def _wait(self, futures: Mapping[Any, Any], what: str) -> list[str]:
        failed = []
        for key, future in futures.items():
            try:
                future.result(timeout=self.timeout)
            except Exception as exc:
                failed.append(f"{what} {getattr(key, 'name', key)!r}: {exc}")
        return failed

    def ensure_registry(self, brokers: int) -> list[str]:
        from confluent_kafka.admin import NewTopic  # type: ignore[attr-defined]

        metadata = self.admin.list_topics(timeout=self.timeout)
        if REGISTRY in metadata.topics:
            return []
        topic = NewTopic(REGISTRY, 1, min(3, max(1, brokers)), config={"cleanup.policy": "compact"})
        return self._wait(self.admin.create_topics([topic]), "create topic")

    def execute(self, system: str, changes: list[Change], replication: Mapping[str, int]) -> list[str]:
        """Make the changes; returns the broker's refusals (empty when all succeeded)."""
        from confluent_kafka import Producer
        from confluent_kafka.admin import (  # type: ignore[attr-defined]
            AlterConfigOpType,
            ConfigEntry,
            ConfigResource,
            NewPartitions,
            NewTopic,
        )

        failed: list[str] = []
        create = [
            NewTopic(c.topic, c.partitions, replication[c.topic], config=dict(c.config))
            for c in changes
            if c.action == "create"
        ]
        created: list[str] = []
        if create:
            futures = self.admin.create_topics(create)
            for name, future in futures.items():
                try:
                    future.result(timeout=self.timeout)
                    created.append(name)
                except Exception as exc:
                    failed.append(f"create topic {name!r}: {exc}")
        grow = [NewPartitions(c.topic, c.partitions) for c in changes if c.action == "grow"]
        if grow:
            failed += self._wait(self.admin.create_partitions(grow), "add partitions to topic")
        alter = [
            ConfigResource(
                "topic",
                c.topic,
                incremental_configs=[
                    ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET)
                    for k, v in sorted(c.config.items())
                ],
            )
            for c in changes
            if c.action in ("alter", "grow") and c.config
        ]
        if alter:
            failed += self._wait(self.admin.incremental_alter_configs(alter), "alter config of topic")
        if created:
            producer = Producer({**self._conf, "enable.idempotence": True, "acks": "all"})
            value = json.dumps({"system": system}).encode()
            for name in created:  # one record per request: every record gets its own offset
                producer.produce(REGISTRY, key=name.encode(), value=value)
                if producer.flush(self.timeout) > 0:
                    failed.append(f"could not record ownership of topic {name!r} in topic {REGISTRY}")
        return failed


def apply_kafka(loaded: LoadedModel, bootstrap: str, *, dry_run: bool, timeout: float) -> list[Change]:
    """Plan, and unless ``dry_run`` make, the changes; raises on any refusal."""
    admin = KafkaAdmin(bootstrap, timeout)
    brokers = admin.brokers()
    changes = plan(loaded, admin.topics(), admin.owners())
    if dry_run or all(c.action in ("unchanged", "foreign") for c in changes):
        return changes
    failed = admin.ensure_registry(brokers)
    if failed:
        raise MeshwrightError(f"Kafka at {bootstrap}: " + "; ".join(failed) + "; nothing was changed")
    replication = {name: t.replication for name, t in loaded.model.topics.items()}
    failed = admin.execute(loaded.model.system, changes, replication)
    if failed:
        raise MeshwrightError(
            f"Kafka at {bootstrap} refused: " + "; ".join(failed) + " (the other changes were made)"
        )
    return changes
