"""Istio retries and timeouts of one call, rendered from :func:`meshwright.callpolicy.mesh_route_policy`.

Nothing here decides what a call does: the route policy says how many retries the caller's
proxy makes after the first try, on which ``retry_on`` words, with which per-try and route
timeouts; :data:`meshwright.callpolicy.RETRY_ON_RENDERING` says how Istio spells each word.
This module only writes that down in VirtualService terms, and returns a note for every part
Istio cannot express exactly (a word Istio retries more broadly, backoff, budgets), with the
path of the call's field it concerns (relative to the call).

``retries: {attempts: 0}`` is always written when the mesh does not retry: a route without
``retries`` retries twice in Istio.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meshwright.callpolicy import RETRY_ON_RENDERING, MeshRoutePolicy, mesh_route_policy
from meshwright.model.types import Call, Mesh

Obj = dict[str, Any]
SubPath = tuple[str | int, ...]
Remark = tuple[SubPath, str]
"""A note on one call: the path of the field it concerns, relative to the call, and the text."""


def duration(seconds: float) -> str:
    """An Istio duration: whole seconds as ``2s``, else milliseconds (``250ms``)."""
    ms = max(1, round(seconds * 1000))
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


@dataclass(frozen=True)
class RouteRendering:
    """The ``retries`` and ``timeout`` of an Istio HTTP route, and what Istio cannot say."""

    retries: Obj
    timeout: str | None
    notes: tuple[Remark, ...] = field(default=())

    def apply(self, route: Obj) -> Obj:
        """``route`` with these retries and timeout set."""
        out = dict(route)
        if self.timeout is not None:
            out["timeout"] = self.timeout
        out["retries"] = self.retries
        return out


def retry_on(policy: MeshRoutePolicy) -> tuple[str, tuple[Remark, ...]]:
    """Istio ``retryOn`` for the policy's words, and a note per word Istio renders inexactly."""
    conditions: list[str] = []
    notes: list[Remark] = []
    for word in policy.retry_on:
        spelled = RETRY_ON_RENDERING[word][Mesh.istio]
        for token in (*spelled.retry_on, *(str(c) for c in spelled.status_codes)):
            if token not in conditions:
                conditions.append(token)
        if not spelled.exact:
            shown = ",".join((*spelled.retry_on, *(str(c) for c in spelled.status_codes))) or "nothing"
            notes.append(
                (
                    ("mesh_retries", "retry_on"),
                    f"retry_on '{word}' is rendered as '{shown}', not exactly the same failures in Istio",
                )
            )
    return ",".join(conditions), tuple(notes)


def render_policy(policy: MeshRoutePolicy) -> RouteRendering:
    """The route retries and timeout of a :class:`MeshRoutePolicy`."""
    timeout = duration(policy.timeout) if policy.timeout is not None else None
    if policy.retries == 0:
        return RouteRendering({"attempts": 0}, timeout)
    retries: Obj = {"attempts": policy.retries}
    if policy.per_try_timeout is not None:
        retries["perTryTimeout"] = duration(policy.per_try_timeout)
    on, notes = retry_on(policy)
    retries["retryOn"] = on
    extra = list(notes)
    if policy.backoff is not None:
        extra.append(
            (
                ("mesh_retries", "backoff"),
                "mesh_retries.backoff cannot be set on an Istio route "
                "(Envoy's own 25ms base backoff applies)",
            )
        )
    if policy.budget is not None:
        extra.append(
            (
                ("mesh_retries", "budget"),
                "mesh_retries.budget cannot be set on an Istio route (no retry budget in Istio)",
            )
        )
    return RouteRendering(retries, timeout, tuple(extra))


def render_call(call: Call) -> RouteRendering:
    """The route retries and timeout of one call (see :func:`render_policy`)."""
    return render_policy(mesh_route_policy(call))


NO_POLICY = RouteRendering({"attempts": 0}, None)
"""Traffic the model describes no call for: no mesh retries (Istio's default 2 switched off)."""
