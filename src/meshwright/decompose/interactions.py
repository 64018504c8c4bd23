"""What crosses service boundaries once classes are assigned: operations, calls and their volumes.

An *operation* of a service is a method of one of its classes that is invoked from outside it (by
another service or by the outside world, ``Root``). A runtime call from service S to another
service is attributed to the operation of S it happened inside: the nearest enclosing call that
entered S. Volumes are the numbers of calls seen in the traces.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from meshwright.decompose.monolith import ENTRY, Monolith

OpRef = tuple[str, str]
"""(class, method) of an operation."""


@dataclass
class Interactions:
    """``invocations[(service, op)]``: times the operation was invoked from outside its service;
    ``entry[(service, op)]``: of those, from the outside world;
    ``calls[(service, op, target service, target op)]``: cross-service calls made inside it."""

    invocations: dict[tuple[str, OpRef], int] = field(default_factory=lambda: defaultdict(int))
    entry: dict[tuple[str, OpRef], int] = field(default_factory=lambda: defaultdict(int))
    calls: dict[tuple[str, OpRef, str, OpRef], int] = field(default_factory=lambda: defaultdict(int))

    def operations(self, service: str) -> list[OpRef]:
        return sorted(op for svc, op in self.invocations if svc == service)


def interactions(mono: Monolith, partition: Mapping[str, str]) -> Interactions:
    """Operations and cross-service calls of the services ``partition`` defines."""
    out = Interactions()
    op_of: list[tuple[str, OpRef] | None] = [None] * len(mono.events)
    for index, event in enumerate(mono.events):
        callee_svc = partition.get(event.callee)
        if callee_svc is None:
            continue
        caller_svc = ENTRY if event.caller == ENTRY else partition.get(event.caller)
        op: OpRef = (event.callee, event.callee_method)
        if caller_svc != callee_svc:
            out.invocations[(callee_svc, op)] += 1
            if caller_svc == ENTRY:
                out.entry[(callee_svc, op)] += 1
            op_of[index] = (callee_svc, op)
            if caller_svc not in (None, ENTRY):
                inside = op_of[event.parent] if event.parent >= 0 else None
                if inside is not None and inside[0] == caller_svc:
                    out.calls[(caller_svc, inside[1], callee_svc, op)] += 1
                else:  # the caller's frame was not seen entering: it becomes an operation too
                    frame: OpRef = (event.caller, event.caller_method)
                    out.invocations[(caller_svc, frame)] += 1
                    out.calls[(caller_svc, frame, callee_svc, op)] += 1
        else:
            op_of[index] = op_of[event.parent] if event.parent >= 0 else None
    return out
