"""Who may call whom: the call graph ∩ each callee's ``authorization``.

A service without ``authorization`` rules accepts every caller (no policy, the platform's
default). A service with rules accepts a call from service ``C`` to its operation ``O``
only when some rule lists ``C`` (or ``"*"``) in ``allow`` and ``O`` (or ``"*"``) in
``operations``. A call is *permitted* when its callee accepts it.

This module is the one definition of that set: the NetworkPolicies, the review (a call
the callee does not accept is a finding) and every mesh policy (Istio
AuthorizationPolicy, Linkerd, Consul intentions) read it from here, so what the model
calls, what it allows and what the platform lets through never disagree.
"""

from __future__ import annotations

from collections import defaultdict

from meshwright.graph import Edge, edges, incoming_edges, outgoing_edges
from meshwright.model.types import Model, Service

ANY = "*"


def accepts(svc: Service, caller: str, operation: str) -> bool:
    """True when ``svc``'s authorization lets service ``caller`` call its ``operation``."""
    if not svc.authorization:
        return True
    return any(
        (ANY in rule.allow or caller in rule.allow)
        and (ANY in rule.operations or operation in rule.operations)
        for rule in svc.authorization
    )


def permitted(model: Model, edge: Edge) -> bool:
    """True when the callee of ``edge`` accepts the call (see :func:`accepts`)."""
    callee = model.services.get(edge.callee_service)
    return callee is not None and accepts(callee, edge.caller_service, edge.call.target_operation)


_last: tuple[Model, list[Edge], list[Edge]] | None = None
"""The last model split and its result: emitters ask once per service, and models are
immutable, so the answer for the same model object never changes."""


def split_edges(model: Model) -> tuple[list[Edge], list[Edge]]:
    """Every call edge of the model as (permitted, denied), each in model order."""
    global _last
    if _last is not None and _last[0] is model:
        return list(_last[1]), list(_last[2])
    allowed: list[Edge] = []
    denied: list[Edge] = []
    for e in edges(model):
        (allowed if permitted(model, e) else denied).append(e)
    _last = (model, allowed, denied)
    return list(allowed), list(denied)


def permitted_edges(model: Model) -> list[Edge]:
    """The calls of the model that their callee accepts: call graph ∩ authorization."""
    return split_edges(model)[0]


def denied_edges(model: Model) -> list[Edge]:
    """The calls of the model that their callee's authorization does not allow."""
    return split_edges(model)[1]


def allowed_callers(model: Model, service: str) -> dict[str, list[str]]:
    """Services that call ``service`` and may → the operations of ``service`` they call and
    may call (sorted), by caller name. Calls of a service to itself are included."""
    ops: dict[str, set[str]] = defaultdict(set)
    for e in incoming_edges(model, service):
        if permitted(model, e):
            ops[e.caller_service].add(e.call.target_operation)
    return {caller: sorted(ops[caller]) for caller in sorted(ops)}


def permitted_calls_between(model: Model, caller: str, callee: str) -> list[Edge]:
    """The permitted calls from service ``caller`` to service ``callee``, in model order."""
    return [e for e in outgoing_edges(model, caller) if e.callee_service == callee and permitted(model, e)]


def public_operations(model: Model, service: str) -> list[str]:
    """Operations of ``service`` that public entrypoints call from outside (through the
    edge: a mesh's ingress gateway or the Gateway API); none unless the service is public."""
    if model.services[service].expose != "public":
        return []
    return sorted(
        {
            e.operation.split(".", 1)[1]
            for e in model.entrypoints
            if e.public and e.operation.split(".", 1)[0] == service
        }
    )
