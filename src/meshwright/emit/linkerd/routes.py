"""Linkerd 2.16 retry and timeout annotations of one call, rendered from
:func:`meshwright.callpolicy.mesh_route_policy`.

Nothing here decides what a call does: the route policy says how many retries the caller's
proxy makes after the first try, on which ``retry_on`` words, with which per-try and route
timeouts; :data:`meshwright.callpolicy.RETRY_ON_RENDERING` says how Linkerd spells each
word. This module writes that down as ``retry.linkerd.io/*`` and ``timeout.linkerd.io/*``
annotations (read by Linkerd's policy controller on an HTTPRoute or GRPCRoute whose parent
is the callee's Service) and returns a note for every part Linkerd cannot express exactly.

What Linkerd reads (policy controller, 2.16+):

- ``retry.linkerd.io/limit``: retries after the first try (default 1), so the model's
  ``mesh_retries.attempts`` − 1; ``0`` reads as *unset*, so mesh retries off is written as
  no retry annotation at all (Linkerd retries nothing without one).
- ``retry.linkerd.io/timeout``: the per-try timeout; a try that hits it is retried
  whatever the conditions say.
- ``retry.linkerd.io/http`` (HTTPRoute): ``5xx``, ``gateway-error``, codes; and
  ``retry.linkerd.io/grpc`` (GRPCRoute): gRPC status names. Comma-separated, no spaces.
- ``timeout.linkerd.io/request``: the whole request, retries included (not retried).
- Between retries the proxy waits its own fixed backoff (25 ms growing to 250 ms, full
  jitter); a route has no retry budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from meshwright.callpolicy import RETRY_ON_RENDERING, Failure, MeshRoutePolicy, retried_kinds
from meshwright.model.types import Mesh

Protocol = Literal["grpc", "http"]
Note = tuple[tuple[str, ...], str]
"""A note: the field under the call it concerns (``("mesh_retries", "backoff")``) and the text."""

HTTP_CONDITIONS = frozenset({"5xx", "gateway-error"})
"""Words ``retry.linkerd.io/http`` accepts besides status codes and ranges."""

GRPC_CONDITIONS = frozenset(
    {"cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"}
)
"""The gRPC status names ``retry.linkerd.io/grpc`` accepts."""

PROXY_BACKOFF = "25ms growing to 250ms, full jitter"
"""The backoff Linkerd's proxy waits between annotation-configured retries (not settable)."""


def duration(seconds: float) -> str:
    """A Linkerd duration: whole seconds as ``2s``, else milliseconds (``250ms``)."""
    ms = max(1, round(seconds * 1000))
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


@dataclass(frozen=True)
class RouteAnnotations:
    """The annotations of one Linkerd route and what Linkerd cannot say of its policy."""

    annotations: dict[str, str]
    notes: tuple[Note, ...] = field(default=())


def conditions(policy: MeshRoutePolicy, protocol: Protocol) -> tuple[list[str], list[Note]]:
    """The retry conditions of ``policy`` for an HTTP or gRPC route, and a note per
    ``retry_on`` word Linkerd renders inexactly."""
    out: list[str] = []
    notes: list[Note] = []
    for word in policy.retry_on:
        spelled = RETRY_ON_RENDERING[word][Mesh.linkerd]
        if protocol == "grpc":
            tokens = [t for t in spelled.retry_on if t in GRPC_CONDITIONS]
        else:
            tokens = [t for t in spelled.retry_on if t in HTTP_CONDITIONS]
            tokens += [str(c) for c in spelled.status_codes]
        out.extend(t for t in tokens if t not in out)
        timeout_only = retried_kinds([word]) == {Failure.timeout}
        if not spelled.exact or (not tokens and not timeout_only):
            shown = ",".join(tokens) or "nothing"
            notes.append(
                (
                    ("mesh_retries", "retry_on"),
                    f"retry_on '{word}' is rendered as '{shown}' on a {protocol} route, "
                    "not exactly the same failures in Linkerd",
                )
            )
    return out, notes


def render_policy(policy: MeshRoutePolicy, protocol: Protocol) -> RouteAnnotations:
    """The annotations of a :class:`MeshRoutePolicy` on an HTTP or gRPC route."""
    ann: dict[str, str] = {}
    if policy.timeout is not None:
        ann["timeout.linkerd.io/request"] = duration(policy.timeout)
    if policy.retries == 0:
        return RouteAnnotations(ann)
    notes: list[Note] = []
    ann["retry.linkerd.io/limit"] = str(policy.retries)
    if policy.per_try_timeout is not None:
        ann["retry.linkerd.io/timeout"] = duration(policy.per_try_timeout)
        if Failure.timeout not in retried_kinds(policy.retry_on):
            notes.append(
                (
                    ("mesh_retries", "per_try_timeout"),
                    "Linkerd retries a try that hits retry.linkerd.io/timeout, "
                    "though retry_on does not retry timeouts",
                )
            )
    conds, more = conditions(policy, protocol)
    notes.extend(more)
    if conds:
        ann[f"retry.linkerd.io/{protocol}"] = ",".join(conds)
    if policy.backoff is not None:
        notes.append(
            (
                ("mesh_retries", "backoff"),
                f"mesh_retries.backoff cannot be set on a Linkerd route (the proxy waits {PROXY_BACKOFF})",
            )
        )
    else:
        notes.append(
            (
                ("mesh_retries",),
                f"mesh_retries has no backoff, but Linkerd's proxy waits {PROXY_BACKOFF} before each retry",
            )
        )
    if policy.budget is not None:
        notes.append(
            (
                ("mesh_retries", "budget"),
                "mesh_retries.budget cannot be set on a Linkerd route "
                "(ServiceProfiles have a per-service retryBudget: `meshwright emit linkerd-profiles`)",
            )
        )
    return RouteAnnotations(ann, tuple(notes))
