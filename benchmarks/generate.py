"""Seeded generator of synthetic meshwright systems, for benchmarks and scale tests.

    generate(n_services, seed) -> str          YAML text of one valid model file
    write_model(path, n_services, seed) -> Path a model directory (mesh.yaml + services/)

As a script: ``python -m benchmarks.generate 1000 --seed 7 -o /tmp/big`` writes a model
directory; without ``-o`` it prints one model file. The same arguments always give the
same text.

Shape of a generated system: N services in ~N/10 bounded contexts; each service has 1-2
APIs with 2-4 operations and its own datastore. Services sit in five layers whose sizes
grow 1:3:5:7:9 and only call services of deeper layers, so the call graph is a DAG of
depth ≤ 4. Every operation below the front layer has a caller, and there are ~5 calls
per service in all; several calls of one operation form a parallel fan-out behind
bulkheads. Timeouts are derived bottom-up so every caller's per-try timeout covers what
the callee may spend; only calls into the three deepest layers retry (retry
amplification ≤ 2³ = 8); replicas are sized for the arrival rate. ~N/5 Kafka topics each
have a producer (writing through an outbox) and idempotent consumers with a dead-letter
topic per context. The front layer (the first ~N/25 services) takes the external
traffic, is public and carries SLOs.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

LAYER_WEIGHTS = (1, 3, 5, 7, 9)
"""Relative sizes of the call-graph layers; calls go from a layer to a deeper one only."""
LAYERS = len(LAYER_WEIGHTS)
RETRY_HOPS = 3
"""Only calls into the deepest RETRY_HOPS layers retry, bounding retry amplification."""
SERVICES_PER_FILE = 50
"""Services per fragment file in the directory form."""
TARGET_UTILIZATION = 0.5
"""Replicas are sized so busy request slots and cores stay under this share."""
CONCURRENCY, CPU, SCALE_OUT = 32, 0.5, 3
"""Per replica: requests served at once and cores; autoscaling goes up to SCALE_OUT × replicas."""

_VERBS = ("Get", "List", "Search", "Update", "Create", "Delete")
_IDEMPOTENT = {"Get", "List", "Search", "Update", "Delete"}
_STORES = ("postgres", "postgres", "redis", "mongodb", "cassandra")
_LANGUAGES = ("go", "java", "python", "node", "dotnet")


@dataclass
class _Op:
    name: str
    idempotent: bool
    mean_ms: int
    p99_ms: int
    calls: list[tuple[str, str]] = field(default_factory=list)  # (service, operation)
    worst_ms: int = 0  # p99 plus the longest its calls may take
    typical_ms: int = 0  # p99 along the slowest path, without timeouts
    rate: float = 0.0  # requests per second arriving here
    availability: float = 1.0  # composed over its calls, as a fraction


@dataclass
class _Svc:
    name: str
    index: int
    layer: int
    context: str
    ops: dict[str, _Op]
    n_apis: int
    replicas: int = 2
    callers: set[str] = field(default_factory=set)

    @property
    def availability(self) -> float:
        """Intrinsic availability in percent: the deepest layer is a little less reliable."""
        return 99.99 if self.layer < LAYERS - 1 else 99.95


def _ms(value: float) -> str:
    return f"{math.ceil(value)}ms"


def _layers(n: int) -> list[int]:
    """Layer of each service index: a few front services fan out to ever broader layers."""
    total = sum(LAYER_WEIGHTS)
    bounds = [math.ceil(n * sum(LAYER_WEIGHTS[: k + 1]) / total) for k in range(LAYERS)]
    return [next(k for k, b in enumerate(bounds) if i < b) for i in range(n)]


def _services(n: int, rng: random.Random) -> list[_Svc]:
    width = max(4, len(str(n - 1)))
    n_contexts = max(1, round(n / 10))
    layers = _layers(n)
    out = []
    for i in range(n):
        ops: dict[str, _Op] = {}
        for k in range(rng.randint(2, 4)):
            verb = _VERBS[0] if k == 0 else rng.choice(_VERBS)
            mean = rng.randint(1, 20)
            ops[f"{verb}{k}"] = _Op(
                name=f"{verb}{k}",
                idempotent=verb in _IDEMPOTENT,
                mean_ms=mean,
                p99_ms=math.ceil(mean * rng.uniform(3.0, 8.0)),
            )
        out.append(
            _Svc(
                name=f"svc{i:0{width}d}",
                index=i,
                layer=layers[i],
                context=f"ctx{i * n_contexts // n:03d}",
                ops=ops,
                n_apis=rng.randint(1, 2),
            )
        )
    return out


def _wire_calls(svcs: list[_Svc], calls_per_service: int, rng: random.Random) -> None:
    """Every operation below the front layer gets a caller in a shallower layer (so all
    traffic reaches it), then random calls, mostly into the next layer, bring the total
    to calls_per_service × number of services."""
    by_layer: dict[int, list[_Svc]] = {}
    for svc in svcs:
        by_layer.setdefault(svc.layer, []).append(svc)
    made = 0

    def add(op: _Op, target: _Svc, operation: str) -> None:
        nonlocal made
        if (target.name, operation) not in op.calls:
            op.calls.append((target.name, operation))
            made += 1

    shallower: list[_Op] = []
    for layer in sorted(by_layer):
        if shallower:
            for target in by_layer[layer]:
                for operation in target.ops:
                    add(rng.choice(shallower), target, operation)
        shallower.extend(o for s in by_layer[layer] for o in s.ops.values())
    callers = [s for s in svcs if s.layer < max(by_layer)]
    target_total = calls_per_service * len(svcs)
    for _ in range(20 * target_total):  # bounded: duplicates are skipped, not retried forever
        if not callers or made >= target_total:
            break
        svc = rng.choice(callers)
        deeper = [k for k in sorted(by_layer) if k > svc.layer]
        layer = deeper[0] if rng.random() < 0.6 else rng.choice(deeper)
        target = rng.choice(by_layer[layer])
        add(rng.choice(list(svc.ops.values())), target, rng.choice(list(target.ops)))


def _retries(callee_layer: int) -> bool:
    return callee_layer >= LAYERS - RETRY_HOPS


def _call(svcs: dict[str, _Svc], op: _Op, callee: tuple[str, str]) -> dict[str, Any]:
    """A call whose timeout covers the callee's worst case (and its retries, if any)."""
    target = svcs[callee[0]]
    cop = target.ops[callee[1]]
    per_try = math.ceil(cop.worst_ms * 1.2) + 5
    call: dict[str, Any] = {"to": f"{callee[0]}.{callee[1]}"}
    if cop.idempotent and _retries(target.layer):
        call["timeout"] = _ms(2 * per_try + 10)
        call["retries"] = {
            "attempts": 2,
            "per_try_timeout": _ms(per_try),
            "backoff": {"base": "10ms", "max": "50ms"},
        }
    else:
        call["timeout"] = _ms(per_try)
    if len(op.calls) > 1:
        call["parallel"] = "fanout"
        call["bulkhead"] = 32
    return call


def _timeout_ms(svcs: dict[str, _Svc], callee: tuple[str, str]) -> int:
    target = svcs[callee[0]]
    cop = target.ops[callee[1]]
    per_try = math.ceil(cop.worst_ms * 1.2) + 5
    return 2 * per_try + 10 if cop.idempotent and _retries(target.layer) else per_try


def _size(svcs: list[_Svc], by_name: dict[str, _Svc], entry: list[tuple[_Svc, _Op, float]]) -> None:
    """Times and availabilities bottom-up, arrival rates top-down, then replicas."""
    for svc in reversed(svcs):
        for op in svc.ops.values():
            slowest = max((_timeout_ms(by_name, c) for c in op.calls), default=0)
            op.worst_ms = op.p99_ms + slowest
            op.typical_ms = op.p99_ms + max(
                (by_name[s].ops[o].typical_ms for s, o in op.calls), default=0
            )
            # Independent failures; a retried call fails only if both tries fail.
            op.availability = svc.availability / 100
            for s, o in op.calls:
                fail = 1 - by_name[s].ops[o].availability
                op.availability *= 1 - fail ** (2 if "retries" in _call(by_name, op, (s, o)) else 1)
    for _, op, rate in entry:
        op.rate += rate
    for svc in svcs:  # callers come before callees: index order is a topological order
        for op in svc.ops.values():
            for s, o in op.calls:
                by_name[s].ops[o].rate += op.rate
                by_name[s].callers.add(svc.name)
    for svc in svcs:
        # Busy request slots ≈ arrival rate × time held (a slot waits for downstream calls
        # too); busy cores ≈ arrival rate × own service time.
        slots = sum(op.rate * op.typical_ms / 1000 for op in svc.ops.values())
        cores = sum(op.rate * op.mean_ms / 1000 for op in svc.ops.values())
        svc.replicas = max(
            2,
            math.ceil(slots / (CONCURRENCY * TARGET_UTILIZATION)),
            math.ceil(cores / (CPU * TARGET_UTILIZATION)),
        )


def build(n_services: int, seed: int, calls_per_service: int = 5) -> dict[str, Any]:
    """The generated model as plain data (what ``generate`` dumps)."""
    if n_services < 1:
        raise ValueError("n_services must be at least 1")
    rng = random.Random(seed)
    svcs = _services(n_services, rng)
    by_name = {s.name: s for s in svcs}
    _wire_calls(svcs, calls_per_service, rng)

    front = [s for s in svcs if s.layer == 0]  # the first few services take external traffic
    n_entry = len(front)
    entry = [(s, op, float(rng.choice((5, 10, 20, 50)))) for s in front for op in s.ops.values()]
    _size(svcs, by_name, entry)

    topics: dict[str, Any] = {}
    publishes: dict[str, list[tuple[str, str]]] = {}  # service -> [(operation, topic)]
    consumes: dict[str, list[dict[str, Any]]] = {}
    contexts = sorted({s.context for s in svcs})
    for ctx in contexts:
        topics[f"{ctx}-dlq"] = {"partitions": 1, "retention": "30d", "dead_letter": True}
    for k in range(max(1, n_services // 5)):
        name = f"topic{k:04d}"
        producer = rng.choice(svcs)
        publishes.setdefault(producer.name, []).append((rng.choice(list(producer.ops)), name))
        others = [s for s in svcs if s is not producer] or [producer]
        group = rng.sample(others, k=min(len(others), rng.randint(1, 2)))
        # at least as many partitions as the largest consumer group may have members
        partitions = max(rng.choice((3, 6, 12)), *(c.replicas * SCALE_OUT for c in group))
        topics[name] = {"partitions": partitions, "key": "id"}
        for consumer in group:
            consumes.setdefault(consumer.name, []).append(
                {
                    "topic": name,
                    "group": consumer.name,
                    "dead_letter": f"{consumer.context}-dlq",
                    "idempotent": True,
                }
            )

    services: dict[str, Any] = {}
    for svc in svcs:
        services[svc.name] = _service(svc, by_name, publishes.get(svc.name, []),
                                      consumes.get(svc.name, []), svc.index < n_entry, rng)

    return {
        "meshwright": 1,
        "system": f"synthetic-{n_services}-{seed}",
        "description": f"Generated by benchmarks/generate.py (n={n_services}, seed={seed})",
        "platform": {"mesh": "istio", "broker": "kafka", "secrets": "vault"},
        "defaults": {"call": {"circuit_breaker": {"consecutive_errors": 5, "open_for": "30s"}}},
        "contexts": {c: {"owner": f"team-{c}"} for c in contexts},
        "services": services,
        "topics": topics,
        "entrypoints": [
            {"operation": f"{s.name}.{op.name}", "rate": f"{rate:g}/s"} for s, op, rate in entry
        ],
    }


def _service(
    svc: _Svc,
    by_name: dict[str, _Svc],
    publishes: list[tuple[str, str]],
    consumes: list[dict[str, Any]],
    is_entry: bool,
    rng: random.Random,
) -> dict[str, Any]:
    store = f"{svc.name}-db"
    published: dict[str, list[str]] = {}
    for op_name, topic in publishes:
        published.setdefault(op_name, []).append(topic)
    names = list(svc.ops)
    split = math.ceil(len(names) / svc.n_apis)
    apis = []
    for a in range(svc.n_apis):
        operations: dict[str, Any] = {}
        for name in names[a * split : (a + 1) * split]:
            op = svc.ops[name]
            body: dict[str, Any] = {
                "idempotent": op.idempotent,
                "service_time": {"mean": _ms(op.mean_ms), "p99": _ms(op.p99_ms)},
            }
            if op.calls:
                body["calls"] = [_call(by_name, op, c) for c in op.calls]
            if not name.startswith(("Get", "List", "Search")) or name in published:
                body["writes"] = [store]
            if name in published:
                body["publishes"] = published[name]
                body["outbox"] = True
            operations[name] = body
        if operations:
            grpc = a == 0
            apis.append(
                {
                    "name": f"{svc.name.capitalize()}{'Grpc' if grpc else 'Http'}",
                    "protocol": "grpc" if grpc else "http",
                    "port": 50051 if grpc else 8080,
                    "operations": operations,
                }
            )
    replicas = svc.replicas
    out: dict[str, Any] = {
        "context": svc.context,
        "image": f"registry.example/synthetic/{svc.name}:1.0.{svc.index % 10}",
        "language": rng.choice(_LANGUAGES),
        "runtime": {
            "replicas": replicas,
            "cpu": f"{round(CPU * 1000)}m",
            "memory": "256Mi",
            "memory_limit": "512Mi",
            "concurrency": CONCURRENCY,
            "autoscale": {"min": replicas, "max": replicas * SCALE_OUT, "cpu_target": 70},
        },
        "availability": svc.availability,
        "apis": apis,
        "datastores": {store: {"kind": rng.choice(_STORES)}},
        "secrets": [f"{store}-password"],
    }
    if consumes:
        out["consumes"] = consumes
    if svc.callers:
        out["authorization"] = [{"allow": sorted(svc.callers)}]
    if is_entry:
        out["expose"] = "public"
        out["rate_limit"] = {"rate": f"{math.ceil(sum(o.rate for o in svc.ops.values()) * 3)}/s"}
        slowest = max(op.typical_ms for op in svc.ops.values())
        # an objective the design can meet: 0.05 points below the weakest composed
        # availability of its operations, rounded down, at most 99.9
        weakest = min(op.availability for op in svc.ops.values()) * 100
        objective = min(99.9, math.floor((weakest - 0.05) * 100) / 100)
        out["slo"] = {"availability": objective, "latency": {"p99": _ms(slowest * 1.5)}}
    return out


def _yaml() -> YAML:
    yaml = YAML(typ="safe")
    yaml.default_flow_style = None  # leaf mappings and lists in flow style: compact, readable
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.width = 110
    return yaml


def _dump(data: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def generate(n_services: int, seed: int, calls_per_service: int = 5) -> str:
    """YAML text of a valid model with ``n_services`` services; same seed, same text."""
    return _dump(build(n_services, seed, calls_per_service))


def write_model(path: str | Path, n_services: int, seed: int, calls_per_service: int = 5) -> Path:
    """Write a model directory: ``mesh.yaml`` and ``services/part-NNN.yaml`` of 50 services each."""
    root = Path(path)
    data = build(n_services, seed, calls_per_service)
    services = data.pop("services")
    (root / "services").mkdir(parents=True, exist_ok=True)
    (root / "mesh.yaml").write_text(_dump(data), encoding="utf-8")
    names = list(services)
    for part, start in enumerate(range(0, len(names), SERVICES_PER_FILE)):
        chunk = {n: services[n] for n in names[start : start + SERVICES_PER_FILE]}
        (root / "services" / f"part-{part:03d}.yaml").write_text(_dump(chunk), encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("services", type=int, help="number of services")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--calls", type=int, default=5, help="calls per service (default 5)")
    parser.add_argument("-o", "--out", type=Path, help="write a model directory here")
    args = parser.parse_args(argv)
    if args.out:
        write_model(args.out, args.services, args.seed, args.calls)
        print(f"wrote {args.out}/mesh.yaml and {args.out}/services/")
    else:
        sys.stdout.write(generate(args.services, args.seed, args.calls))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
