"""etcd target (``platform.discovery: etcd``): the one definition of the key layout under
which meshwright publishes each service's configuration and endpoints.

Every key lives under ``/meshwright/<system>/`` (the system name as a DNS label); every
value is a JSON document::

    /meshwright/<system>/services/<service>/runtime                 replicas, concurrency, …
    /meshwright/<system>/services/<service>/endpoints/<api>         protocol, host, ports, operations
    /meshwright/<system>/services/<service>/calls/<operation>/<to>  the call's policy
    /meshwright/<system>/.owned                                     the keys meshwright wrote

A call's policy is rendered from :mod:`meshwright.callpolicy` only (``semantics(call)``
for the application layer and the call's shape, ``mesh_route_policy(call)`` for the
proxy), never worked out here. The second call of one operation to the same target gets
``<to>#2`` and so on. ``.owned`` lists every other key of the layout, so ``meshwright
publish etcd`` deletes exactly the keys it wrote earlier that the model no longer has.

``meshwright emit etcd`` writes ``keys.json``: ``{"prefix": ..., "keys": [{"key": ...,
"value": ...}]}``, values as JSON text, the ``.owned`` record last.
"""

from __future__ import annotations

import json
from typing import Any

from meshwright.callpolicy import MeshRoutePolicy, RetryLayer, mesh_route_policy, semantics
from meshwright.emit.kubernetes.labels import namespace
from meshwright.emit.registry import target
from meshwright.emit.wiring import dns_name
from meshwright.graph import edges
from meshwright.model.types import Autoscale, Backoff, Discovery, Model, RetryBudget
from meshwright.pipeline import Artifact

Obj = dict[str, Any]
OWNED = ".owned"
"""The key (under the prefix) listing the keys meshwright wrote."""


def prefix(model: Model) -> str:
    """``/meshwright/<system>/``: every key of the model lives under it."""
    return f"/meshwright/{dns_name(model.system)}/"


def _backoff(b: Backoff | None) -> Obj | None:
    if b is None:
        return None
    return {"base": b.base, "max": b.max, "multiplier": b.multiplier, "jitter": b.jitter}


def _budget(b: RetryBudget | None) -> Obj | None:
    return None if b is None else {"ratio": b.ratio, "min_per_second": b.min_per_second}


def _autoscale(a: Autoscale | None) -> Obj | None:
    if a is None:
        return None
    return {
        "min": a.min,
        "max": a.max,
        "cpu_target": a.cpu_target,
        "reaction": a.reaction,
        "scale_down_stabilization": a.scale_down_stabilization,
    }


def _layer(layer: RetryLayer) -> Obj | None:
    if not layer.declared:
        return None
    return {
        "attempts": layer.attempts,
        "max_tries": layer.max_tries,
        "per_try_timeout": layer.per_try_timeout,
        "retry_on": list(layer.words),
        "retried_failures": sorted(str(k) for k in layer.retry_on),
        "backoff": _backoff(layer.backoff),
        "budget": _budget(layer.budget),
    }


def _mesh(policy: MeshRoutePolicy) -> Obj:
    return {
        "retries": policy.retries,
        "per_try_timeout": policy.per_try_timeout,
        "retry_on": list(policy.retry_on),
        "timeout": policy.timeout,
        "backoff": _backoff(policy.backoff),
        "budget": _budget(policy.budget),
    }


def _clean(value: Any) -> Any:
    """Floats rounded to nanoseconds (durations parsed from text carry binary noise)."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _value(obj: Obj) -> str:
    return json.dumps(_clean(obj), sort_keys=True, separators=(",", ":"))


def key_values(model: Model) -> list[tuple[str, str]]:
    """Every key and JSON value of the model's layout, ``.owned`` last."""
    root = prefix(model)
    ns = namespace(model)
    out: list[tuple[str, str]] = []
    for name, svc in model.services.items():
        base = f"{root}services/{dns_name(name)}/"
        rt = svc.runtime
        runtime = {
            "replicas": rt.replicas,
            "concurrency": rt.concurrency,
            "queue_limit": rt.queue_limit,
            "load_balancing": rt.load_balancing,
            "metrics_port": rt.metrics_port,
            "autoscale": _autoscale(rt.autoscale),
        }
        out.append((f"{base}runtime", _value(runtime)))
        for api in svc.apis:
            if not api.networked:
                continue
            endpoint = {
                "protocol": api.protocol,
                "host": f"{dns_name(name)}.{ns}.svc.cluster.local",
                "port": api.call_port,
                "container_port": api.listen_port,
                "operations": sorted(api.operations),
            }
            out.append((f"{base}endpoints/{api.name}", _value(endpoint)))
    seen: dict[str, int] = {}
    for e in edges(model):
        service, _, op = e.caller.partition(".")
        key = f"{root}services/{dns_name(service)}/calls/{op}/{e.call.to}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key += f"#{seen[key]}"
        sem = semantics(e.call)
        policy = {
            "to": sem.to,
            "timeout": sem.timeout,
            "per_request": sem.per_request,
            "parallel": sem.parallel,
            "fallback": sem.fallback,
            "local_fallback": sem.local_fallback,
            "max_tries": sem.max_tries,
            "retries": _layer(sem.app),
            "mesh": _mesh(mesh_route_policy(e.call)),
        }
        out.append((key, _value(policy)))
    out.append((root + OWNED, json.dumps([k for k, _ in out], separators=(",", ":"))))
    return out


def document(model: Model) -> str:
    """``keys.json``: the prefix and every key/value, as ``meshwright publish etcd`` loads them."""
    keys = [{"key": k, "value": v} for k, v in key_values(model)]
    return json.dumps({"prefix": prefix(model), "keys": keys}, indent=2) + "\n"


def selects(model: Model) -> bool:
    """``build`` writes the etcd layout when ``platform.discovery`` is ``etcd``."""
    return model.platform.discovery is Discovery.etcd


@target("etcd", "etcd key layout of each service's configuration, calls and endpoints", selects=selects)
def emit(model: Model) -> list[Artifact]:
    """``keys.json`` for ``meshwright publish etcd`` (or any etcd client)."""
    return [Artifact("keys.json", document(model))]
