"""RabbitMQ target (``platform.broker: rabbitmq``): a definitions file and Messaging
Topology Operator resources describing the same topology.

- one vhost, named after the system;
- a durable ``topic`` exchange per topic, named after the topic;
- a durable quorum queue per ``consumes`` entry, ``<topic>.<group>`` (``.<service>`` added
  when services share a group on a topic: each entry is handed every message, see
  :func:`meshwright.graph.consumer_handlers`), bound to its topic's exchange with ``#``
  and replicated to ``replication`` nodes (``x-quorum-initial-group-size``);
- a queue ``<topic>`` for every dead-letter topic nobody consumes, so parked messages are
  kept for replay by hand;
- a policy per queue: ``message-ttl`` from the topic's ``retention``; for a consumer with
  a ``dead_letter`` topic, ``dead-letter-exchange`` set to that topic's exchange with the
  ``at-least-once`` strategy (which needs ``overflow: reject-publish``), so a message the
  handler rejects lands in the dead-letter topic's queue;
- a user per service that uses the broker, with least privilege
  (:mod:`meshwright.emit.topic_access`): configure nothing, write the exchanges of the
  topics it publishes, read its own queues; topic permissions on the exchanges it writes.
  Dead-lettering is done by the broker, so consumers get no write on dead-letter topics.

No password is written: users have no password hash in ``definitions.json`` and the
operator's ``User`` imports its credentials from the Kubernetes Secret
``<service>-rabbitmq`` (keys ``username`` and ``password``), which the secret store fills.
``credentials.yaml`` lists those references. Topic ``partitions`` have no equivalent in a
quorum queue (one queue keeps one order) and are not used. Models with another broker get
no files.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from meshwright.emit.kubernetes.labels import namespace, system_labels
from meshwright.emit.kustomization import kustomization
from meshwright.emit.registry import target
from meshwright.emit.topic_access import broker_users
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump, dump_all
from meshwright.graph import consumers
from meshwright.model.types import Broker, Model
from meshwright.pipeline import Artifact

Obj = dict[str, Any]

RABBIT_VERSION = "3.13.0"
"""The RabbitMQ release the definitions are written for (the local broker image's)."""
MTO_API = "rabbitmq.com/v1beta1"
_REGEX_SPECIAL = re.compile(r"[.^$*+?()\[\]{}|\\]")
NOTHING = "^$"
"""A permission pattern that matches no name."""


@dataclass(frozen=True)
class Queue:
    name: str
    topic: str
    service: str | None
    """The consuming service; None for a dead-letter topic's parking queue."""
    dead_letter: str | None


@dataclass(frozen=True)
class Grant:
    """One service's permissions on the vhost."""

    user: str
    write: tuple[str, ...]
    """Exchanges it publishes to."""
    read: tuple[str, ...]
    """Queues it consumes from."""


def vhost(model: Model) -> str:
    return model.system


def credentials_secret(service: str) -> str:
    """The Kubernetes Secret holding a service's RabbitMQ username and password."""
    return f"{dns_name(service)}-rabbitmq"


def queues(model: Model) -> list[Queue]:
    """Every queue, in model order of the ``consumes`` entries, then parking queues."""
    entries = consumers(model)
    shared = Counter((c.topic, c.group) for c in entries)
    out = [
        Queue(
            f"{c.topic}.{c.group}" if shared[c.topic, c.group] == 1 else f"{c.topic}.{c.group}.{c.service}",
            c.topic,
            c.service,
            c.dead_letter,
        )
        for c in entries
    ]
    consumed = {c.topic for c in entries}
    out += [
        Queue(name, name, None, None)
        for name, t in model.topics.items()
        if t.dead_letter and name not in consumed
    ]
    return out


def _pattern(names: tuple[str, ...]) -> str:
    """A permission regex matching exactly ``names`` (nothing when empty)."""
    if not names:
        return NOTHING
    return "^(" + "|".join(_REGEX_SPECIAL.sub(r"\\\g<0>", n) for n in names) + ")$"


def grants(model: Model) -> list[Grant]:
    """The permissions of every service that uses the broker, by service name."""
    by_service: dict[str, list[str]] = {}
    for q in queues(model):
        if q.service is not None:
            by_service.setdefault(q.service, []).append(q.name)
    return [
        Grant(a.service, a.publishes, tuple(sorted(by_service.get(a.service, []))))
        for a in broker_users(model)
        if a.publishes or a.reads
    ]


def policy_definition(model: Model, q: Queue) -> Obj:
    """The policy of one queue: retention, and dead-lettering when the consumer has it."""
    definition: Obj = {"message-ttl": round(model.topics[q.topic].retention * 1000)}
    if q.dead_letter is not None:
        definition |= {
            "dead-letter-exchange": q.dead_letter,
            "dead-letter-strategy": "at-least-once",
            "overflow": "reject-publish",
        }
    return definition


def _queue_arguments(model: Model, q: Queue) -> Obj:
    return {"x-queue-type": "quorum", "x-quorum-initial-group-size": model.topics[q.topic].replication}


# ---------------------------------------------------------------------- definitions.json


def definitions(model: Model) -> Obj:
    """The definitions document (``rabbitmqctl import_definitions`` or the management API)."""
    vh = vhost(model)
    qs = queues(model)
    gs = grants(model)
    return {
        "rabbit_version": RABBIT_VERSION,
        "users": [
            {
                "name": g.user,
                "password_hash": "",
                "hashing_algorithm": "rabbit_password_hashing_sha256",
                "tags": [],
            }
            for g in gs
        ],
        "vhosts": [{"name": vh}],
        "permissions": [
            {
                "user": g.user,
                "vhost": vh,
                "configure": NOTHING,
                "write": _pattern(g.write),
                "read": _pattern(g.read),
            }
            for g in gs
        ],
        "topic_permissions": [
            {"user": g.user, "vhost": vh, "exchange": ex, "write": ".*", "read": NOTHING}
            for g in gs
            for ex in g.write
        ],
        "parameters": [],
        "global_parameters": [],
        "policies": [
            {
                "vhost": vh,
                "name": q.name,
                "pattern": _pattern((q.name,)),
                "apply-to": "queues",
                "priority": 0,
                "definition": policy_definition(model, q),
            }
            for q in qs
        ],
        "queues": [
            {
                "name": q.name,
                "vhost": vh,
                "durable": True,
                "auto_delete": False,
                "arguments": _queue_arguments(model, q),
            }
            for q in qs
        ],
        "exchanges": [
            {
                "name": name,
                "vhost": vh,
                "type": "topic",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
            for name in sorted(model.topics)
        ],
        "bindings": [
            {
                "source": q.topic,
                "vhost": vh,
                "destination": q.name,
                "destination_type": "queue",
                "routing_key": "#",
                "arguments": {},
            }
            for q in qs
        ],
    }


# ---------------------------------------------------------------------- operator resources


def _resource(model: Model, kind: str, name: str, spec: Obj) -> Obj:
    return {
        "apiVersion": MTO_API,
        "kind": kind,
        "metadata": {"name": dns_name(name), "namespace": namespace(model), "labels": system_labels(model)},
        "spec": {**spec, "rabbitmqClusterReference": {"name": dns_name(model.system)}},
    }


def operator_resources(model: Model) -> list[Obj]:
    """Messaging Topology Operator resources for the same topology as :func:`definitions`."""
    doc = definitions(model)
    vh = vhost(model)
    out = [_resource(model, "Vhost", vh, {"name": vh})]
    out += [
        _resource(
            model,
            "Exchange",
            e["name"],
            {"name": e["name"], "vhost": vh, "type": "topic", "durable": True, "autoDelete": False},
        )
        for e in doc["exchanges"]
    ]
    out += [
        _resource(
            model,
            "Queue",
            q["name"],
            {
                "name": q["name"],
                "vhost": vh,
                "type": "quorum",
                "durable": True,
                "autoDelete": False,
                "arguments": q["arguments"],
            },
        )
        for q in doc["queues"]
    ]
    out += [
        _resource(
            model,
            "Binding",
            f"{b['source']}-to-{b['destination']}",
            {
                "vhost": vh,
                "source": b["source"],
                "destination": b["destination"],
                "destinationType": "queue",
                "routingKey": b["routing_key"],
            },
        )
        for b in doc["bindings"]
    ]
    out += [
        _resource(
            model,
            "Policy",
            p["name"],
            {
                "name": p["name"],
                "vhost": vh,
                "pattern": p["pattern"],
                "applyTo": "queues",
                "priority": 0,
                "definition": p["definition"],
            },
        )
        for p in doc["policies"]
    ]
    for p in doc["permissions"]:
        user = p["user"]
        out.append(
            _resource(
                model,
                "User",
                user,
                {"tags": [], "importCredentialsSecret": {"name": credentials_secret(user)}},
            )
        )
        out.append(
            _resource(
                model,
                "Permission",
                f"{user}-permissions",
                {
                    "vhost": vh,
                    "userReference": {"name": dns_name(user)},
                    "permissions": {"configure": p["configure"], "write": p["write"], "read": p["read"]},
                },
            )
        )
    out += [
        _resource(
            model,
            "TopicPermission",
            f"{t['user']}-{t['exchange']}",
            {
                "vhost": vh,
                "userReference": {"name": dns_name(t["user"])},
                "permissions": {"exchange": t["exchange"], "write": t["write"], "read": t["read"]},
            },
        )
        for t in doc["topic_permissions"]
    ]
    return out


@target("rabbitmq", "RabbitMQ definitions file and Messaging Topology Operator resources (broker: rabbitmq)")
def emit(model: Model) -> list[Artifact]:
    if model.platform.broker is not Broker.rabbitmq:
        return []
    creds = [
        {"user": g.user, "secret": credentials_secret(g.user), "keys": ["username", "password"]}
        for g in grants(model)
    ]
    resources = operator_resources(model)
    return [
        Artifact("definitions.json", json.dumps(definitions(model), indent=2) + "\n"),
        Artifact("credentials.yaml", dump({"users": creds})),
        Artifact("topology.yaml", dump_all(resources)),
        kustomization(model, ["topology.yaml"]),
    ]
