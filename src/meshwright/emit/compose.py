"""Compose target: ``compose.yaml`` that runs the whole system locally.

Every service runs from its image, hardened like its Kubernetes pod (non-root, read-only
root file system, no capabilities); the broker and the datastores run beside it with
health checks, and each container waits for the healthy containers it needs. Secrets are
files under ``./secrets/`` that you provide; their values never appear. The telemetry
``platform.telemetry`` selects runs beside them (:mod:`.compose_telemetry`), and every
service gets its OpenTelemetry environment (:mod:`.telemetry_env`), as on Kubernetes.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from meshwright.emit import compose_telemetry, infra
from meshwright.emit.conventions import METRICS_PORT_ENV, RUN_AS, metrics_port
from meshwright.emit.docker import healthcheck
from meshwright.emit.kubernetes.labels import image
from meshwright.emit.registry import target
from meshwright.emit.telemetry_env import telemetry_env
from meshwright.emit.wiring import (
    address_env,
    call_graph,
    callees,
    container_port,
    dns_name,
    env_name,
    uses_broker,
)
from meshwright.emit.yamltext import dump
from meshwright.model.types import Model, Service
from meshwright.pipeline import Artifact

Obj = dict[str, Any]

_HEALTH_TIMING = {"interval": "10s", "timeout": "3s", "retries": 5, "start_period": "20s"}


def _health(test: list[str] | tuple[str, ...]) -> Obj:
    return {"test": list(test), **_HEALTH_TIMING}


def _memory(size: int) -> str:
    """A compose byte value: mebibytes when round, else bytes."""
    return f"{size // 1024**2}m" if size % 1024**2 == 0 else f"{size}b"


def _limits(svc: Service) -> Obj:
    rt = svc.runtime
    limits: Obj = {}
    cpu = rt.cpu_limit if rt.cpu_limit is not None else rt.cpu
    if cpu is not None:
        limits["cpus"] = f"{round(cpu, 3):g}"
    memory = rt.memory_limit if rt.memory_limit is not None else rt.memory
    if memory is not None:
        limits["memory"] = _memory(memory)
    return limits


def _host_ports(model: Model) -> dict[tuple[str, int], int]:
    """Host port of each public (service, port): the port itself, the next free on a clash."""
    taken: set[int] = set()
    out: dict[tuple[str, int], int] = {}
    for name, svc in sorted(model.services.items()):
        if svc.expose != "public":
            continue
        for port in sorted({a.listen_port for a in svc.apis}):
            host = port
            while host in taken:
                host += 1
            taken.add(host)
            out[name, port] = host
    return out


def _depends_on(model: Model, name: str, svc: Service) -> Obj:
    """Containers to wait for: callees (unless they call back), broker, datastores."""
    g = call_graph(model)
    deps: list[str] = [
        dns_name(c) for c in callees(model, name) if model.services[c].apis and not nx.has_path(g, c, name)
    ]
    if infra.broker(model.platform.broker) is not None and uses_broker(model, svc):
        deps.append(model.platform.broker.value)
    deps += [dns_name(n) for n, ds in svc.datastores.items() if infra.datastore(ds.kind) is not None]
    waits: Obj = {d: {"condition": "service_healthy"} for d in set(deps)}
    waits |= compose_telemetry.waits_for(model)
    return dict(sorted(waits.items()))


def _service(model: Model, name: str, svc: Service, host_ports: dict[tuple[str, int], int]) -> Obj:
    out: Obj = {"image": image(model, name, svc)}
    env = {
        **dict(sorted(svc.config.items())),
        METRICS_PORT_ENV: str(metrics_port(svc)),
        **address_env(model, name, port_of=container_port),
        **telemetry_env(model, name),
    }
    env.update({f"{env_name(s.name)}_FILE": f"/run/secrets/{dns_name(s.name)}" for s in svc.secrets})
    if env:
        out["environment"] = env
    ports = sorted({a.listen_port for a in svc.apis})
    if ports:
        out["expose"] = [str(p) for p in ports]
    published = [f"127.0.0.1:{host_ports[name, p]}:{p}" for p in ports if (name, p) in host_ports]
    if published:
        out["ports"] = published
    out["healthcheck"] = _health(healthcheck(svc))
    deps = _depends_on(model, name, svc)
    if deps:
        out["depends_on"] = deps
    if svc.secrets:
        out["secrets"] = [dns_name(s.name) for s in svc.secrets]
    out.update(
        {
            "user": f"{RUN_AS}:{RUN_AS}",
            "read_only": True,
            "tmpfs": ["/tmp"],
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges:true"],
            "restart": "unless-stopped",
        }
    )
    limits = _limits(svc)
    if limits:
        out["deploy"] = {"resources": {"limits": limits}}
    return out


def _infra(facts: infra.Infra) -> Obj:
    out: Obj = {"image": facts.image}
    if facts.local_env:
        out["environment"] = dict(facts.local_env)
    out["expose"] = [str(facts.port)]
    out["healthcheck"] = _health(facts.healthcheck)
    out["restart"] = "unless-stopped"
    return out


def compose(model: Model) -> Obj:
    """The compose document as a dict."""
    host_ports = _host_ports(model)
    services: Obj = {
        dns_name(n): _service(model, n, s, host_ports) for n, s in sorted(model.services.items())
    }
    broker = infra.broker(model.platform.broker)
    if broker is not None and any(uses_broker(model, s) for s in model.services.values()):
        services[model.platform.broker.value] = _infra(broker)
    for svc in model.services.values():
        for ds_name, ds in svc.datastores.items():
            facts = infra.datastore(ds.kind)
            if facts is not None:
                services.setdefault(dns_name(ds_name), _infra(facts))
    taken = set(host_ports.values())
    services |= compose_telemetry.services(model, taken)
    out: Obj = {"services": dict(sorted(services.items()))}
    secrets = sorted({dns_name(s.name) for svc in model.services.values() for s in svc.secrets})
    if secrets:
        out["secrets"] = {s: {"file": f"./secrets/{s}"} for s in secrets}
    return out


@target("compose", "compose.yaml running the system locally with its broker and datastores")
def emit(model: Model) -> list[Artifact]:
    """``compose.yaml``, run with ``docker compose -p <system> up``, and the files its
    telemetry containers read (``telemetry/``)."""
    doc = compose(model)
    uis = [
        f"{name} http://127.0.0.1:{svc['ports'][0].split(':')[1]}"
        for name, svc in doc["services"].items()
        if name in compose_telemetry.UI_PORTS
    ]
    header = (
        f"# {model.system}: generated by meshwright from the model.\n"
        f"# Run locally: docker compose -p {dns_name(model.system)} up\n"
        "# Secrets are read from ./secrets/<name> (one file each, not generated).\n"
    )
    if uis:
        header += f"# Telemetry: {', '.join(uis)}\n"
    return [Artifact("compose.yaml", header + dump(doc)), *compose_telemetry.files(model)]
