"""Who talks to whom, on which port: the call graph turned into addresses.

Kubernetes NetworkPolicies, the compose file and the services' address variables all
read their connections from here, so they always agree with :mod:`meshwright.graph`.
Two ports exist per API: the container port (what pods listen on and NetworkPolicies
match) and the call port (the Kubernetes Service port callers dial, ``Api.call_port``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import networkx as nx

from meshwright.authorization import permitted_edges
from meshwright.emit import infra
from meshwright.graph import Edge, service_graph
from meshwright.model.types import Api, Model, Service

PortOf = Callable[[Api], int]


def container_port(api: Api) -> int:
    """The port the API's container listens on (what pods and NetworkPolicies see)."""
    return api.listen_port


def service_port(api: Api) -> int:
    """The port callers dial through a Kubernetes Service: ``service_port``, else the container port."""
    return api.call_port


@lru_cache(maxsize=1 << 16)  # every service's name is asked for once per resource naming it
def dns_name(text: str) -> str:
    """A DNS-1123 label for a model name: lower case, other characters become ``-``."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return name[:63].rstrip("-") or "x"


def env_name(text: str) -> str:
    """An environment variable name for a model name: ``orders-db`` → ``ORDERS_DB``."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()
    return name if name and not name[0].isdigit() else f"_{name}"


def _ports(model: Model, edges: list[Edge], port_of: PortOf) -> list[int]:
    ports: set[int] = set()
    for e in edges:
        callee = model.services[e.callee_service]
        api = callee.api_of(e.call.target_operation)
        ports.update([port_of(api)] if api else [port_of(a) for a in callee.apis])
    return sorted(ports)


_graphs: tuple[Model, nx.DiGraph, nx.DiGraph] | None = None
"""The last model's (service graph, permitted service graph): every service asks, and
models are immutable, so they are built once per model object."""


def _service_graphs(model: Model) -> tuple[nx.DiGraph, nx.DiGraph]:
    """(every call, the permitted calls) as service graphs of ``model``; do not modify."""
    global _graphs
    if _graphs is None or _graphs[0] is not model:
        _graphs = (model, service_graph(model), service_graph(model, permitted_edges(model)))
    return _graphs[1], _graphs[2]


def call_graph(model: Model) -> nx.DiGraph:
    """The service graph of every call of ``model`` (:func:`meshwright.graph.service_graph`),
    built once per model object; do not modify it."""
    return _service_graphs(model)[0]


def callees(model: Model, service: str, port_of: PortOf = container_port) -> dict[str, list[int]]:
    """Services ``service`` calls → the ports (``port_of`` each API it calls), sorted by name.
    Every call of the model counts (address variables, start order); for what the network
    lets through see :func:`permitted_callees`."""
    return _successors(model, _service_graphs(model)[0], service, port_of)


def permitted_callees(model: Model, service: str) -> dict[str, list[int]]:
    """Services ``service`` calls and may call (call graph ∩ the callees' authorization, from
    :mod:`meshwright.authorization`) → the container ports of the APIs it may call."""
    return _successors(model, _service_graphs(model)[1], service, container_port)


def _successors(model: Model, g: nx.DiGraph, service: str, port_of: PortOf) -> dict[str, list[int]]:
    return {
        callee: _ports(model, g[service][callee]["edges"], port_of)
        for callee in sorted(g.successors(service))
        if callee != service
    }


def callers(model: Model, service: str) -> dict[str, list[int]]:
    """Services that call ``service`` and may (call graph ∩ its authorization, from
    :mod:`meshwright.authorization`) → the container ports of the APIs they may call."""
    g = _service_graphs(model)[1]
    return {
        caller: _ports(model, g[caller][service]["edges"], container_port)
        for caller in sorted(g.predecessors(service))
        if caller != service
    }


def uses_broker(model: Model, svc: Service) -> bool:
    """True when the service publishes or consumes through the platform's broker."""
    if infra.broker(model.platform.broker) is None:
        return False
    publishes = bool(svc.publishes) or any(op.publishes for _, _, op in svc.operations())
    return publishes or bool(svc.consumes)


def address_env(model: Model, service: str, *, port_of: PortOf) -> dict[str, str]:
    """``<NAME>_ADDR=host:port`` for every callee, datastore and the broker, by name; a
    callee's port is ``port_of`` its API (``service_port`` behind a Kubernetes Service,
    ``container_port`` where callers reach the container directly, as in compose)."""
    svc = model.services[service]
    env: dict[str, str] = {}
    for callee, ports in callees(model, service, port_of).items():
        env[f"{env_name(callee)}_ADDR"] = f"{dns_name(callee)}:{ports[0]}"
    for name, ds in sorted(svc.datastores.items()):
        facts = infra.datastore(ds.kind)
        if facts is not None:
            env[f"{env_name(name)}_ADDR"] = f"{dns_name(name)}:{facts.port}"
    broker = infra.broker(model.platform.broker)
    if broker is not None and uses_broker(model, svc):
        env["BROKER_ADDR"] = f"{model.platform.broker.value}:{broker.port}"
    return dict(sorted(env.items()))
