"""Service intentions: a ``*`` → ``*`` deny intention (deny by default), and per Consul
service an intention whose sources and L7 permissions are exactly
:func:`meshwright.authorization.allowed_callers` (call graph ∩ authorization): each allowed
caller may call the operations it calls and may call (gRPC method path, or ``POST`` on the
HTTP operation's path). Public entrypoint operations are allowed from the ingress gateway.
"""

from __future__ import annotations

from meshwright.authorization import allowed_callers, public_operations
from meshwright.emit.consul.entries import Entry, Obj
from meshwright.emit.consul.naming import INGRESS_GATEWAY, consul_services, operation_match
from meshwright.emit.mesh_notes import MeshNote
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Api, Model


def deny_by_default() -> Entry:
    """The wildcard intention refusing every call no other intention allows."""
    return Entry(
        "service-intentions",
        "*",
        {"Sources": [{"Name": "*", "Action": "deny", "Description": "deny by default"}]},
        ["deny by default: calls no other intention allows are refused"],
    )


def _permissions(api: Api, operations: list[str]) -> list[Obj]:
    return [{"Action": "allow", "HTTP": operation_match(api, op)} for op in operations]


def edge_rate_limits(model: Model, service: str, api: Api) -> list[MeshNote]:
    """Notes for the ``rate_limit`` of entrypoints into ``api`` of ``service``: Consul's
    ingress gateway has none, so the consul target does not render them."""
    return [
        MeshNote(
            "consul",
            ("entrypoints", i, "rate_limit"),
            f"entrypoint {e.label}: rate_limit is not rendered by the consul target "
            "(Consul's ingress gateway has no rate limit); enforce it at the gateway",
        )
        for i, e in enumerate(model.entrypoints)
        if e.rate_limit is not None
        and e.operation.partition(".")[::2] in {(service, o) for o in api.operations}
    ]


def service_intentions(model: Model, service: str) -> tuple[list[Entry], list[MeshNote]]:
    """One intention per Consul service of ``service`` that anyone may call, and notes for
    the edge rate limits of its entrypoints."""
    callers = allowed_callers(model, service)
    public = public_operations(model, service)
    out: list[Entry] = []
    notes: list[MeshNote] = []
    for name, api in consul_services(model, service):
        edge_notes = edge_rate_limits(model, service, api)
        notes.extend(edge_notes)
        sources: list[Obj] = []
        for caller, ops in callers.items():
            mine = [o for o in ops if o in api.operations]
            if mine:
                sources.append(
                    {
                        "Name": dns_name(caller),
                        "Description": f"{caller} calls {', '.join(mine)} (call graph ∩ authorization)",
                        "Permissions": _permissions(api, mine),
                    }
                )
        edge = [o for o in public if o in api.operations]
        if edge:
            sources.append(
                {
                    "Name": INGRESS_GATEWAY,
                    "Description": f"public entrypoints call {', '.join(edge)}",
                    "Permissions": _permissions(api, edge),
                }
            )
        if sources:
            out.append(
                Entry(
                    "service-intentions",
                    name,
                    {"Sources": sources},
                    [
                        "allowed: exactly the calls of the model its authorization permits",
                        *(n.message for n in edge_notes),
                    ],
                )
            )
    return out, notes
