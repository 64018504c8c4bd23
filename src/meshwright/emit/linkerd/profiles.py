"""ServiceProfiles, for clusters whose Linkerd reads retries and timeouts from profiles
(pre-2.16 style): per callee a profile with a route per gRPC method or HTTP API, marked
``isRetryable`` when the calls on it have mesh retries, its ``timeout`` from the route
policy, and a ``retryBudget`` from the model's ``mesh_retries.budget``.

Profiles say less than the model: a retryable route is retried until its timeout or the
budget runs out (no attempt limit, no per-try timeout, no retry_on, Linkerd's own
backoff), a route without timeout gets Linkerd's default of 10 s, and the budget is one
per callee. Each difference is a note. Policies come only from
:func:`meshwright.callpolicy.mesh_route_policy`.
"""

from __future__ import annotations

import re

from meshwright.callpolicy import mesh_route_policy
from meshwright.emit.kubernetes.labels import namespace
from meshwright.emit.linkerd.outbound import Rendered, incoming, note, route_key
from meshwright.emit.linkerd.routes import duration
from meshwright.emit.mesh_notes import MeshNote
from meshwright.emit.wiring import dns_name
from meshwright.graph import Edge
from meshwright.model.types import Api, Model, RetryBudget

BUDGET_TTL = "10s"
"""The window of a retry budget: the model's budgets count the last 10 s (callpolicy)."""


def _route(api: Api, key: tuple[str, str]) -> tuple[str, dict[str, str]]:
    if key[1]:
        path = f"/{api.name}/{key[1]}"
        return f"POST {path}", {"method": "POST", "pathRegex": re.escape(path)}
    return f"{api.name} (every path of port {api.call_port})", {"pathRegex": ".*"}


def service_profile(model: Model, service: str) -> tuple[Rendered | None, list[MeshNote]]:
    """The callee's ServiceProfile (None without modelled calls to it) and the notes."""
    groups: dict[tuple[str, str], list[tuple[Edge, Api]]] = {}
    for edge, api in incoming(model, service):
        groups.setdefault(route_key(api, edge), []).append((edge, api))
    if not groups:
        return None, []
    notes: list[MeshNote] = []
    comments: list[str] = []

    def say(edge: Edge, sub: tuple[str, ...], text: str) -> None:
        n = note(edge, sub, text)
        notes.append(n)
        comments.append(n.message)

    routes = []
    budget: tuple[Edge, RetryBudget] | None = None
    for key, calls in groups.items():
        first, api = calls[0]
        policy = mesh_route_policy(first.call)
        name, condition = _route(api, key)
        route: dict[str, object] = {"name": name, "condition": condition}
        if policy.retries > 0:
            route["isRetryable"] = True
            say(
                first,
                ("mesh_retries", "attempts"),
                f"a retryable ServiceProfile route is retried until its timeout or the budget runs out, "
                f"not at most {policy.retries} times; per_try_timeout, retry_on and backoff cannot be set",
            )
        if policy.timeout is not None:
            route["timeout"] = duration(policy.timeout)
        else:
            say(
                first,
                ("timeout",),
                "no route timeout in the model, but a ServiceProfile route times out after 10s",
            )
        for other, _ in calls[1:]:
            if mesh_route_policy(other.call) != policy:
                say(
                    other,
                    (),
                    f"shares the ServiceProfile route '{name}' with {first.caller}, whose policy it uses",
                )
        for e, _ in calls:
            b = mesh_route_policy(e.call).budget
            if b is None:
                continue
            if budget is None:
                budget = (e, b)
            elif b != budget[1]:
                say(
                    e,
                    ("mesh_retries", "budget"),
                    f"uses the profile's one retryBudget, from {budget[0].caller}",
                )
        routes.append(route)
    spec: dict[str, object] = {"routes": routes}
    if budget is not None:
        spec["retryBudget"] = {
            "retryRatio": budget[1].ratio / 100.0,
            "minRetriesPerSecond": round(budget[1].min_per_second),
            "ttl": BUDGET_TTL,
        }
        if budget[1].min_per_second != round(budget[1].min_per_second):
            say(
                budget[0],
                ("mesh_retries", "budget", "min_per_second"),
                "minRetriesPerSecond is an integer: rounded",
            )
    elif any(mesh_route_policy(e.call).retries > 0 for calls in groups.values() for e, _ in calls):
        first = next(
            e for calls in groups.values() for e, _ in calls if mesh_route_policy(e.call).retries > 0
        )
        say(
            first,
            ("mesh_retries",),
            "no retry budget in the model, but Linkerd's default (20%, 10 per second) applies",
        )
    obj = {
        "apiVersion": "linkerd.io/v1alpha2",
        "kind": "ServiceProfile",
        "metadata": {
            "name": f"{dns_name(service)}.{namespace(model)}.svc.cluster.local",
            "namespace": namespace(model),
        },
        "spec": spec,
    }
    return Rendered(obj, comments), notes
