"""Contract changes between two versions of a model that break a caller or a consumer.

A change is *breaking* when something written against the old contract stops working:

- ``removed-operation``: an operation of a gRPC or HTTP API is gone;
- ``changed-protocol``: an operation is served over another protocol;
- ``changed-port``: the port callers dial (``service_port``, else ``port``) changed;
- ``no-longer-idempotent``: an operation a caller retries is no longer idempotent, so
  its retries may now repeat an effect;
- ``removed-topic``: a topic that had consumers is gone;
- ``topic-without-producer``: a topic still consumed is no longer published by anyone;
- ``changed-key``: a topic's partition key changed (consumers rely on per-key order);
- ``fewer-partitions``: Kafka never removes partitions;
- ``removed-required-field``: a field the ``response`` schema of an operation, or the
  ``message`` schema of a consumed topic, required is no longer required (readers rely on
  it);
- ``new-required-field``: an operation's ``request`` schema requires a field it did not
  (callers do not send it). Payload schemas are compared at their top level.

Removed things are located in the old model, changed things in the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from meshwright import callpolicy
from meshwright.errors import Location
from meshwright.graph import consumer_handlers, edges, publishers
from meshwright.model.loader import LoadedModel
from meshwright.model.payload import PayloadSchema
from meshwright.model.types import Api, Model


@dataclass(frozen=True)
class Change:
    """One breaking contract change."""

    kind: str
    subject: str
    """``service.operation`` or ``topic``."""
    message: str
    location: Location

    def to_json(self) -> dict[str, Any]:
        loc = self.location
        return {
            "kind": self.kind,
            "subject": self.subject,
            "message": self.message,
            "file": loc.file,
            "line": loc.line,
            "col": loc.col,
        }


def _operations(model: Model) -> dict[str, tuple[int, Api]]:
    """``service.operation`` → (index of its API, the API), networked APIs only."""
    out: dict[str, tuple[int, Api]] = {}
    for sname, svc in model.services.items():
        for ai, api in enumerate(svc.apis):
            if api.networked:
                for oname in api.operations:
                    out[f"{sname}.{oname}"] = (ai, api)
    return out


def _retried(model: Model) -> set[str]:
    """Operations some call retries (application or mesh retries above one attempt)."""
    return {
        e.callee
        for e in edges(model)
        if callpolicy.max_tries(e.call) > 1
    }


def _required(schema: PayloadSchema | None) -> set[str]:
    """The top-level required property names of a payload schema."""
    names = (schema or {}).get("required")
    return {str(n) for n in names} if isinstance(names, list) else set()


def _payload_changes(
    subject: str, what: str, old: PayloadSchema | None, new: PayloadSchema | None, *, reader: bool
) -> list[tuple[str, str]]:
    """(kind, message) of the breaking changes between two versions of one payload schema:
    a reader loses required fields, a writer (the caller of a request) gains some."""
    if old is None or new is None:
        return []
    if reader:
        gone = sorted(_required(old) - _required(new))
        return [
            ("removed-required-field", f"{what} of {subject} no longer requires {f}, which readers rely on")
            for f in gone
        ]
    added = sorted(_required(new) - _required(old))
    return [
        ("new-required-field", f"{what} of {subject} now requires {f}, which callers do not send")
        for f in added
    ]


def _operation_changes(old: LoadedModel, new: LoadedModel) -> list[Change]:
    before, after = _operations(old.model), _operations(new.model)
    retried = _retried(new.model)
    out: list[Change] = []
    for ref, (ai, api) in before.items():
        sname, _, oname = ref.partition(".")
        op_path = ("services", sname, "apis", ai, "operations", oname)
        if ref not in after:
            out.append(
                Change(
                    "removed-operation",
                    ref,
                    f"operation {ref} ({api.protocol}) was removed",
                    old.locate(*op_path, key=True),
                )
            )
            continue
        nai, napi = after[ref]
        api_path = ("services", sname, "apis", nai)
        if napi.protocol != api.protocol:
            out.append(
                Change(
                    "changed-protocol",
                    ref,
                    f"operation {ref} moved from {api.protocol} to {napi.protocol}",
                    new.locate(*api_path, "protocol"),
                )
            )
        elif napi.call_port != api.call_port:
            field = "service_port" if napi.service_port is not None else "port"
            out.append(
                Change(
                    "changed-port",
                    ref,
                    f"callers of {ref} dialled port {api.call_port}; it is now {napi.call_port}",
                    new.locate(*api_path, field),
                )
            )
        old_op, new_op = api.operations[oname], napi.operations[oname]
        for field, reader in (("request", False), ("response", True)):
            for kind, message in _payload_changes(
                ref, f"the {field}", getattr(old_op, field), getattr(new_op, field), reader=reader
            ):
                out.append(Change(kind, ref, message, new.locate(*api_path, "operations", oname, field)))
        if old_op.idempotent and not new_op.idempotent and ref in retried:
            out.append(
                Change(
                    "no-longer-idempotent",
                    ref,
                    f"operation {ref} is no longer idempotent, but a caller retries it",
                    new.locate(*api_path, "operations", oname),
                )
            )
    return out


def _topic_changes(old: LoadedModel, new: LoadedModel) -> list[Change]:
    out: list[Change] = []
    for name, topic in old.model.topics.items():
        readers = consumer_handlers(old.model, name)
        if name not in new.model.topics:
            if readers:
                who = ", ".join(sorted({c.service for c in readers}))
                out.append(
                    Change(
                        "removed-topic",
                        name,
                        f"topic {name} was removed; {who} consumed it",
                        old.locate("topics", name, key=True),
                    )
                )
            continue
        now = new.model.topics[name]
        still_read = consumer_handlers(new.model, name)
        if still_read and publishers(old.model, name) and not publishers(new.model, name):
            who = ", ".join(sorted({c.service for c in still_read}))
            out.append(
                Change(
                    "topic-without-producer",
                    name,
                    f"nothing publishes topic {name} any more, but {who} still consumes it",
                    new.locate("topics", name, key=True),
                )
            )
        if now.key != topic.key and still_read:
            out.append(
                Change(
                    "changed-key",
                    name,
                    f"topic {name} is keyed by {now.key} instead of {topic.key}; consumers "
                    "relying on per-key order break",
                    new.locate("topics", name, "key") if now.key else new.locate("topics", name),
                )
            )
        if still_read:
            changes = _payload_changes(name, "the message", topic.message, now.message, reader=True)
            for kind, message in changes:
                out.append(Change(kind, name, message, new.locate("topics", name, "message")))
        if now.partitions < topic.partitions:
            out.append(
                Change(
                    "fewer-partitions",
                    name,
                    f"topic {name} goes from {topic.partitions} to {now.partitions} partitions; "
                    "Kafka never removes partitions",
                    new.locate("topics", name, "partitions"),
                )
            )
    return out


def breaking_changes(old: LoadedModel, new: LoadedModel) -> list[Change]:
    """Every breaking change from ``old`` to ``new``, operations first, then topics."""
    return _operation_changes(old, new) + _topic_changes(old, new)
