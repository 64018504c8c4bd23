"""Counts that describe a model at a glance."""

from __future__ import annotations

from meshwright.model.types import Model
from meshwright.wording import plural

_SINGULAR = {"services": "service", "contexts": "context", "operations": "operation", "calls": "call",
             "topics": "topic", "entrypoints": "entrypoint", "sagas": "saga"}


def summarize(model: Model) -> dict[str, int]:
    """Number of services, contexts, operations, calls, topics, entrypoints and sagas."""
    return {
        "services": len(model.services),
        "contexts": len(model.contexts),
        "operations": sum(1 for s in model.services.values() for _ in s.operations()),
        "calls": sum(len(s.all_calls()) for s in model.services.values()),
        "topics": len(model.topics),
        "entrypoints": len(model.entrypoints),
        "sagas": len(model.sagas),
    }


def describe(counts: dict[str, int]) -> str:
    """"14 services, 6 contexts, 1 saga": the counts of :func:`summarize` in words."""
    return ", ".join(plural(n, _SINGULAR.get(k, k), k) for k, n in counts.items())
