"""Kafka target (``platform.broker: kafka``): Strimzi KafkaTopic and KafkaUser resources.

One KafkaTopic per model topic, with its partitions, replicas and the topic configuration
of :func:`topic_config` (``meshwright apply kafka`` creates the same topics through the
admin protocol from the same function). One KafkaUser per service that uses the broker,
authenticated by TLS, with least-privilege ACLs from :mod:`meshwright.emit.topic_access`:
Write and Describe on the topics it writes, Read and Describe on the topics it consumes,
Read on its consumer groups, nothing else. The resources carry ``strimzi.io/cluster`` set
to the system name: name your Strimzi ``Kafka`` cluster after the system. Models with
another broker get no files.
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.kubernetes.labels import namespace, system_labels
from meshwright.emit.kustomization import kustomization
from meshwright.emit.registry import on_kubernetes, target
from meshwright.emit.topic_access import Access, broker_users
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump_all
from meshwright.model.types import Broker, Model, Topic
from meshwright.pipeline import Artifact

Obj = dict[str, Any]

STRIMZI_API = "kafka.strimzi.io/v1beta2"
CLUSTER_LABEL = "strimzi.io/cluster"


def min_insync_replicas(topic: Topic) -> int:
    """Replicas that must acknowledge a write (:attr:`Topic.insync_replicas`); rule MW414
    flags a declared value at or above ``replication``."""
    return topic.insync_replicas


def topic_config(topic: Topic) -> dict[str, str]:
    """The Kafka topic configuration meshwright sets, as the broker spells it.

    Set explicitly, never left to broker defaults: ``retention.ms`` from ``retention``,
    ``cleanup.policy`` ``delete`` (the model keeps messages for a time, it does not
    compact them) and ``min.insync.replicas`` from :func:`min_insync_replicas`.
    """
    return {
        "cleanup.policy": "delete",
        "min.insync.replicas": str(min_insync_replicas(topic)),
        "retention.ms": str(round(topic.retention * 1000)),
    }


def cluster(model: Model) -> str:
    """The Strimzi Kafka cluster the resources belong to: the system's name."""
    return dns_name(model.system)


def _metadata(model: Model, name: str) -> Obj:
    return {
        "name": dns_name(name),
        "namespace": namespace(model),
        "labels": {CLUSTER_LABEL: cluster(model), **system_labels(model)},
    }


def kafka_topic(model: Model, name: str, topic: Topic) -> Obj:
    """The KafkaTopic of one topic; ``topicName`` only when the name is not a DNS label."""
    spec: Obj = {"partitions": topic.partitions, "replicas": topic.replication}
    if dns_name(name) != name:
        spec["topicName"] = name
    spec["config"] = topic_config(topic)
    return {"apiVersion": STRIMZI_API, "kind": "KafkaTopic", "metadata": _metadata(model, name), "spec": spec}


def _acl(kind: str, name: str, operations: list[str]) -> Obj:
    return {
        "type": "allow",
        "resource": {"type": kind, "name": name, "patternType": "literal"},
        "operations": operations,
        "host": "*",
    }


def acls(access: Access) -> list[Obj]:
    """The ACLs of one service: exactly what it writes, reads and the groups it reads as."""
    rules = [_acl("topic", t, ["Write", "Describe"]) for t in access.writes]
    rules += [_acl("topic", t, ["Read", "Describe"]) for t in sorted({r.topic for r in access.reads})]
    rules += [_acl("group", g, ["Read"]) for g in access.groups]
    return rules


def kafka_user(model: Model, access: Access) -> Obj:
    """The KafkaUser of one service."""
    return {
        "apiVersion": STRIMZI_API,
        "kind": "KafkaUser",
        "metadata": _metadata(model, access.service),
        "spec": {
            "authentication": {"type": "tls"},
            "authorization": {"type": "simple", "acls": acls(access)},
        },
    }


@target(
    "kafka", "Strimzi KafkaTopic and KafkaUser resources (platform.broker: kafka)", selects=on_kubernetes
)
def emit(model: Model) -> list[Artifact]:
    if model.platform.broker is not Broker.kafka:
        return []
    topics = [kafka_topic(model, name, t) for name, t in sorted(model.topics.items())]
    users = [kafka_user(model, a) for a in broker_users(model)]
    files = [Artifact("topics.yaml", dump_all(topics))] if topics else []
    files += [Artifact("users.yaml", dump_all(users))] if users else []
    return [*files, kustomization(model, [f.path for f in files])] if files else []
