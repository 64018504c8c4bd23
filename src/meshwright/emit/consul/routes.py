"""Consul router destinations of one call, rendered from
:func:`meshwright.callpolicy.mesh_route_policy`.

Nothing here decides what a call does: the route policy says how many retries the caller's
proxy makes after the first try (Consul's ``NumRetries`` counts retries, as the policy
does; the model's attempts include the first try), on which ``retry_on`` words, and the
route timeout; :data:`meshwright.callpolicy.RETRY_ON_RENDERING` says how Consul spells each
word. This module writes that down as a ``Destination`` and returns, with the model path
it comes from, every part Consul cannot express: per-try timeouts, backoff, budgets, words
Consul retries more broadly, and a call without a timeout (Envoy's 15 s route default
applies, Consul cannot switch it off).

``NumRetries = 0`` and ``RetryOnConnectFailure = false`` are always written when the mesh
does not retry: a router destination without ``NumRetries`` retries once in Consul.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meshwright.callpolicy import RETRY_ON_RENDERING, MeshRoutePolicy, mesh_route_policy
from meshwright.emit.istio.routes import duration
from meshwright.emit.mesh_notes import Path
from meshwright.model.types import Call, Mesh

Obj = dict[str, Any]

CONNECT_FAILURE = "connect-failure"
"""Written as ``RetryOnConnectFailure = true`` rather than a ``RetryOn`` condition."""

ENVOY_ROUTE_TIMEOUT = "15s"
"""The route timeout Envoy applies when Consul sets none (Consul cannot disable it)."""


@dataclass(frozen=True)
class Inexact:
    """A part of a call's policy Consul renders differently, below the call's model path."""

    subpath: Path
    message: str


@dataclass(frozen=True)
class Destination:
    """The retry and timeout fields of a router ``Destination``, and what Consul cannot say."""

    fields: Obj
    inexact: tuple[Inexact, ...] = field(default=())

    def apply(self, destination: Obj) -> Obj:
        """``destination`` with these fields set."""
        return {**destination, **self.fields}


def retry_conditions(policy: MeshRoutePolicy) -> tuple[Obj, tuple[Inexact, ...]]:
    """``RetryOnConnectFailure``, ``RetryOn`` and ``RetryOnStatusCodes`` of the policy's
    words, and a note per word Consul renders inexactly."""
    conditions: list[str] = []
    codes: list[int] = []
    notes: list[Inexact] = []
    for i, word in enumerate(policy.retry_on):
        spelled = RETRY_ON_RENDERING[word][Mesh.consul]
        conditions.extend(c for c in spelled.retry_on if c not in conditions)
        codes.extend(c for c in spelled.status_codes if c not in codes)
        if not spelled.exact:
            shown = ",".join((*spelled.retry_on, *map(str, spelled.status_codes))) or "nothing"
            notes.append(
                Inexact(
                    ("mesh_retries", "retry_on", i),
                    f"retry_on '{word}' is rendered as '{shown}', not exactly the same failures in Consul",
                )
            )
    out: Obj = {"RetryOnConnectFailure": CONNECT_FAILURE in conditions}
    rest = [c for c in conditions if c != CONNECT_FAILURE]
    if rest:
        out["RetryOn"] = rest
    if codes:
        out["RetryOnStatusCodes"] = codes
    return out, tuple(notes)


def render_policy(policy: MeshRoutePolicy) -> Destination:
    """The router destination fields of a :class:`MeshRoutePolicy`."""
    fields: Obj = {}
    notes: list[Inexact] = []
    if policy.timeout is not None:
        fields["RequestTimeout"] = duration(policy.timeout)
    else:
        notes.append(
            Inexact(
                ("timeout",),
                f"the call has no timeout: Consul's proxy applies Envoy's default route timeout "
                f"({ENVOY_ROUTE_TIMEOUT})",
            )
        )
    fields["NumRetries"] = policy.retries
    if policy.retries == 0:
        fields["RetryOnConnectFailure"] = False
        return Destination(fields, tuple(notes))
    conditions, word_notes = retry_conditions(policy)
    fields.update(conditions)
    notes.extend(word_notes)
    if policy.per_try_timeout is not None:
        notes.append(
            Inexact(
                ("mesh_retries", "per_try_timeout"),
                "mesh_retries.per_try_timeout cannot be set on a Consul route: each try may run "
                "until the route timeout",
            )
        )
    if policy.backoff is not None:
        notes.append(
            Inexact(
                ("mesh_retries", "backoff"),
                "mesh_retries.backoff cannot be set on a Consul route "
                "(Envoy's own 25ms base backoff applies)",
            )
        )
    if policy.budget is not None:
        notes.append(
            Inexact(
                ("mesh_retries", "budget"),
                "mesh_retries.budget cannot be set on a Consul route (no retry budget in Consul)",
            )
        )
    return Destination(fields, tuple(notes))


def render_call(call: Call) -> Destination:
    """The router destination fields of one call (see :func:`render_policy`)."""
    return render_policy(mesh_route_policy(call))


NO_POLICY = Destination({"NumRetries": 0, "RetryOnConnectFailure": False})
"""Traffic the model describes no call for: no mesh retries (Consul's default 1 switched off)."""
