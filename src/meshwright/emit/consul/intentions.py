"""Service intentions: a ``*`` → ``*`` deny intention (deny by default), and per Consul
service an intention whose sources and L7 permissions are exactly
:func:`meshwright.authorization.allowed_callers` (call graph ∩ authorization): each allowed
caller may call the operations it calls and may call (gRPC method path, or ``POST`` on the
HTTP operation's path). Public entrypoint operations are allowed from the ingress gateway.
"""

from __future__ import annotations

from meshwright.authorization import allowed_callers
from meshwright.emit.consul.entries import Entry, Obj
from meshwright.emit.consul.naming import INGRESS_GATEWAY, consul_services, operation_match
from meshwright.emit.istio.security import public_operations
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


def service_intentions(model: Model, service: str) -> list[Entry]:
    """One intention per Consul service of ``service`` that anyone may call."""
    callers = allowed_callers(model, service)
    public = public_operations(model, service)
    out: list[Entry] = []
    for name, api in consul_services(model, service):
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
                    ["allowed: exactly the calls of the model its authorization permits"],
                )
            )
    return out
