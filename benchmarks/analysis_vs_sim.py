"""Analysis against simulation on one 100-service model: the same latency numbers, and how
much faster the analysis gets them.

A seeded layered system (5 layers of 4, 12, 20, 28, 36 services; each service calls 1–3
services of the next layer, sequentially or as a parallel fan-out; round robin or least
requests; exponential, lognormal or deterministic service times in every layer (least
requests over deterministic service is in the analysis' domain since it is modelled as
join the shortest queue, ``analysis.jsq``; ``--deterministic-round-robin`` balances the
deterministic services round robin, the model this benchmark used before); replicas sized for a
utilisation of 0.3–0.7 including the time spent waiting on callees) is analyzed
(``latency_distributions`` with every queueing model, caches cleared, best of
``--repeat``) and simulated (``--duration`` seconds, fixed seed). For every entrypoint
the mean, p50 and p99 must agree within 10 %; the script prints each, the worst relative
difference and the speed ratio simulation / analysis in CPU time of this process (the
machine may be shared: wall time would count other processes' work).

    python benchmarks/analysis_vs_sim.py [--quick] [--seed 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from typing import Any

from meshwright import memo
from meshwright.analysis import queueing
from meshwright.analysis.capacity import capacity
from meshwright.analysis.latency import latency_distributions
from meshwright.model import load_text
from meshwright.model.types import Model
from meshwright.simulate import SimOptions, simulate

LAYERS = (4, 12, 20, 28, 36)
TOLERANCE = 0.10
ENTRY_RATE = 50.0
DETERMINISTIC_ROUND_ROBIN = False
"""Balance every deterministic service round robin (the same draws otherwise): the model
of this benchmark before least requests was modelled as join the shortest queue."""


def build(seed: int) -> str:
    """YAML text of the benchmark model."""
    rng = random.Random(seed)
    names = [[f"s{layer}x{i}" for i in range(n)] for layer, n in enumerate(LAYERS)]
    lines = ["meshwright: 1", "system: bench", "services:"]
    specs: dict[str, dict[str, Any]] = {}
    # every service below the front layer gets one caller, then 0–2 more calls at random
    first_caller = {c: rng.choice(names[layer]) for layer in range(len(names) - 1)
                    for c in names[layer + 1]}
    for layer, row in enumerate(names):
        for name in row:
            kind = rng.choice(("exponential", "lognormal", "deterministic"))
            mean = rng.choice((2, 4, 6, 8))
            st = f"{{mean: {mean}ms, distribution: {kind}}}" if kind != "lognormal" else (
                f"{{mean: {mean}ms, p99: {mean * 4}ms}}")
            calls: list[str] = []
            parallel = False
            if layer + 1 < len(names):
                own = [c for c in names[layer + 1] if first_caller[c] == name]
                more = rng.sample(names[layer + 1], rng.choice((0, 1, 1, 2)))
                calls = list(dict.fromkeys(own + more))
                parallel = len(calls) > 1 and rng.random() < 0.5
            lb = rng.choice(("round_robin", "least_requests"))
            if kind == "deterministic" and DETERMINISTIC_ROUND_ROBIN:
                lb = "round_robin"  # the same draws: only the balancing changes
            specs[name] = {"st": st, "calls": calls, "parallel": parallel, "mean": mean / 1000,
                           "lb": lb, "util": rng.uniform(0.3, 0.7)}
    # replicas from the rates and holding times (own work + callees' holding, no waits)
    rates = dict.fromkeys(specs, 0.0)
    for name in names[0]:
        rates[name] = ENTRY_RATE
    for row in names:
        for name in row:
            for callee in specs[name]["calls"]:
                rates[callee] += rates[name]
    holding: dict[str, float] = {}
    for row in reversed(names):
        for name in row:
            spec = specs[name]
            down = [holding[c] for c in spec["calls"]]
            extra = (max(down) if spec["parallel"] else sum(down)) if down else 0.0
            holding[name] = spec["mean"] + extra
    for row in names:
        for name in row:
            spec = specs[name]
            load = rates[name] * holding[name]
            conc = 4
            replicas = max(1, round(load / (spec["util"] * conc)))
            lines.append(f"  {name}:")
            lines.append("    availability: 100")
            lines.append(f"    runtime: {{replicas: {replicas}, concurrency: {conc}, "
                         f"load_balancing: {spec['lb']}}}")
            op = f"{{Op: {{service_time: {spec['st']}}}}}"
            lines.append(f"    apis: [{{name: A, port: 80, operations: {op}}}]")
            if spec["calls"]:
                par = ", parallel: fan" if spec["parallel"] else ""
                lines.append("    calls: [" + ", ".join(f"{{to: {c}.Op{par}}}" for c in spec["calls"]) + "]")
    lines.append("entrypoints:")
    lines.extend(f"  - {{operation: {name}.Op, rate: {ENTRY_RATE}}}" for name in names[0])
    return "\n".join(lines) + "\n"


def analyse(model: Model, entries: list[str]) -> dict[str, Any]:
    memo._CACHE.clear()  # every run computes from scratch: no memoised analysis or queue
    queueing.erlang_k_wait_probability.cache_clear()
    queueing.erlang_k_bounded_arrivals.cache_clear()
    queueing.erlang_k_deterministic_wait.cache_clear()
    return latency_distributions(model, entries, 10_000, 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--duration", type=float, default=600.0, help="simulated seconds")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="150 simulated seconds")
    parser.add_argument("--deterministic-round-robin", action="store_true",
                        help="balance deterministic services round robin (the earlier model)")
    args = parser.parse_args()
    global DETERMINISTIC_ROUND_ROBIN
    DETERMINISTIC_ROUND_ROBIN = args.deterministic_round_robin
    duration = 150.0 if args.quick else args.duration
    model = load_text(build(args.seed), "bench.yaml").model
    entries = [ep.operation for ep in model.entrypoints]
    times = []
    for _ in range(args.repeat):
        t0 = time.process_time()
        ours = analyse(model, entries)
        times.append(time.process_time() - t0)
    t_analysis = min(times)
    caps = capacity(model)
    utils = sorted(c.queue.utilisation for c in caps.values())
    t0 = time.process_time()
    sim = simulate(model, None, SimOptions(duration=duration, seed=1, intrinsic_failures=False))
    t_sim = time.process_time() - t0
    print(f"model: {len(model.services)} services, utilisation {utils[0]:.2f}–{utils[-1]:.2f}, "
          f"{sum(ep.rate for ep in model.entrypoints):g} req/s; simulated {duration:g} s")
    print(f"{'entrypoint':<10} {'mean a/s ms':>16} {'p50 a/s ms':>16} {'p99 a/s ms':>16}")
    worst = 0.0
    for op in entries:
        e = sim.totals["entrypoints"][op]
        a = ours[op]
        cells = []
        for key, value in (("mean_latency", a.mean), ("p50", a.p50), ("p99", a.p99)):
            s = e[key]
            worst = max(worst, abs(value - s) / s)
            cells.append(f"{value * 1000:7.1f}/{s * 1000:7.1f}")
        print(f"{op:<10} " + " ".join(f"{c:>16}" for c in cells))
    ratio = t_sim / t_analysis
    print(f"worst relative difference {worst:.1%} (tolerance {TOLERANCE:.0%})")
    print(f"CPU time: analysis {t_analysis * 1000:.1f} ms (best of {args.repeat}), simulation "
          f"{t_sim:.1f} s: analysis {ratio:,.0f}x faster")
    return 0 if worst <= TOLERANCE and ratio >= 1000 else 1


if __name__ == "__main__":
    sys.exit(main())
