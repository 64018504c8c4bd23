"""Simulator speed against SimPy on the same models, in one run.

    python benchmarks/sim_vs_simpy.py [--quick] [--no-whole]

Two workloads: an M/M/4 queue at ρ = 0.9, and a three-tier service chain (web → api → db,
each caller holding its slot while it waits). Each runs the same simulated time in SimPy
(a process per request, the textbook way) and in meshwright; the script prints wall time,
events per second (each engine's own events), requests per second, the speed ratio, and
checks both report the same mean wait within statistical tolerance.

Whole process (as a user runs it): 100 h of the M/M/4 queue (10 h with --quick) as a
fresh interpreter each, SimPy's script against ``meshwright simulate MODEL --duration
100h``, wall and CPU seconds (user + sys of the child) and their ratios, in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import simpy
from scipy import stats

from meshwright.analysis.capacity import erlang_c
from meshwright.model import load_text
from meshwright.simulate import SimOptions, simulate
from meshwright.simulate.scenario import Scenario


@dataclass
class Run:
    engine: str
    wall: float
    events: int
    requests: int
    mean_wait: dict[str, float]

    def line(self) -> str:
        waits = ", ".join(f"{k} {1000 * v:.2f} ms" for k, v in self.mean_wait.items())
        return (f"  {self.engine:20} {self.wall:7.2f} s  {self.events / self.wall:>11,.0f} events/s  "
                f"{self.requests / self.wall:>9,.0f} requests/s   mean wait: {waits}")


# ------------------------------------------------------------------ SimPy

def simpy_chain(rate: float, tiers: list[tuple[str, int, float]], duration: float, seed: int) -> Run:
    """Requests through nested tiers; each tier is (name, servers, mean service time)."""
    env = simpy.Environment()
    rng = random.Random(seed)
    resources = [simpy.Resource(env, capacity=c) for _, c, _ in tiers]
    wait_sum = [0.0] * len(tiers)
    wait_n = [0] * len(tiers)
    done = [0]

    def visit(i: int):  # type: ignore[no-untyped-def]
        t0 = env.now
        with resources[i].request() as req:
            yield req
            wait_sum[i] += env.now - t0
            wait_n[i] += 1
            yield env.timeout(rng.expovariate(1.0 / tiers[i][2]))
            if i + 1 < len(tiers):
                yield env.process(visit(i + 1))
        if i == 0:
            done[0] += 1

    def source():  # type: ignore[no-untyped-def]
        while True:
            yield env.timeout(rng.expovariate(rate))
            env.process(visit(0))

    env.process(source())
    start = time.perf_counter()
    events = 0
    while env.peek() <= duration:
        env.step()
        events += 1
    wall = time.perf_counter() - start
    return Run("SimPy", wall, events, done[0],
               {name: wait_sum[i] / max(1, wait_n[i]) for i, (name, _, _) in enumerate(tiers)})


# ------------------------------------------------------------------ meshwright

def chain_model(rate: float, tiers: list[tuple[str, int, float]]) -> str:
    lines = ["meshwright: 1", "system: bench", "services:"]
    for i, (name, servers, mean) in enumerate(tiers):
        lines += [
            f"  {name}:",
            "    availability: 100",
            f"    runtime: {{replicas: 1, concurrency: {servers}}}",
            f"    apis: [{{name: X, port: 80, operations: {{Op: {{service_time: "
            f"{{mean: {mean}s, distribution: exponential}}}}}}}}]",
        ]
        if i + 1 < len(tiers):
            lines.append(f"    calls: [{{to: {tiers[i + 1][0]}.Op}}]")
    lines += ["entrypoints:", f"  - {{operation: {tiers[0][0]}.Op, rate: {rate}/s}}"]
    return "\n".join(lines) + "\n"


def meshwright_chain(rate: float, tiers: list[tuple[str, int, float]], duration: float, seed: int,
                     engine: str) -> tuple[Run, dict[str, float]]:
    """One run; also the 99 % batch-means half-width of each tier's mean wait."""
    model = load_text(chain_model(rate, tiers), "bench.yaml").model
    options = SimOptions(duration=duration, seed=seed, engine=engine, bucket=duration / 41)  # type: ignore[arg-type]
    start = time.perf_counter()
    r = simulate(model, Scenario(name="bench"), options)
    wall = time.perf_counter() - start
    waits = {name: r.totals["services"][name]["mean_wait"] or 0.0 for name, _, _ in tiers}
    half = {}
    for name, _, _ in tiers:
        batches = [w or 0.0 for w in r.services[name]["mean_wait"][1:]]
        n = len(batches)
        mean = sum(batches) / n
        sd = math.sqrt(sum((b - mean) ** 2 for b in batches) / (n - 1))
        half[name] = stats.t.ppf(0.995, n - 1) * sd / math.sqrt(n)
    ok = r.totals["entrypoints"][f"{tiers[0][0]}.Op"]["ok"] or 0
    return Run(f"meshwright/{engine}", wall, r.events, int(ok), waits), half


# ------------------------------------------------------------------ comparison

def compare(title: str, rate: float, tiers: list[tuple[str, int, float]], duration: float, seed: int,
            theory: dict[str, float] | None = None) -> bool:
    print(title)
    base = simpy_chain(rate, tiers, duration, seed)
    py, _ = meshwright_chain(rate, tiers, duration, seed, "python")
    comp, half = meshwright_chain(rate, tiers, duration, seed, "compiled")
    same = True
    for run in (base, py, comp):
        print(run.line())
    for name in half:
        # two independent estimates of one mean: their difference has √2 × the spread
        tol = math.sqrt(2) * half[name] + 1e-6
        for run in (base, py):
            same = same and abs(run.mean_wait[name] - comp.mean_wait[name]) <= tol
        if theory and name in theory:
            print(f"  Erlang C   mean wait {name} {1000 * theory[name]:.2f} ms")
            same = same and abs(comp.mean_wait[name] - theory[name]) <= half[name]
    print("  tolerance (99 % batch means): "
          + ", ".join(f"{k} ±{1000 * math.sqrt(2) * v:.2f} ms" for k, v in half.items()))
    print(f"  speed vs SimPy: python {base.wall / py.wall:.1f}x, compiled {base.wall / comp.wall:.1f}x"
          f"   same statistics: {'yes' if same else 'NO'}\n")
    return same


# ------------------------------------------------------------------ whole process

def _child(argv: list[str]) -> tuple[float, float, str]:
    """Run a fresh interpreter; its wall seconds, CPU seconds (user + sys) and stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):  # 1: an SLO verdict, still a finished run
        raise RuntimeError(f"{argv[:4]} failed: {proc.stderr[-2000:]}")
    return wall, cpu, proc.stdout


def whole_process(hours: float, seed: int) -> bool:
    """M/M/4 at ρ 0.9 for ``hours``: SimPy's process against ``meshwright simulate``."""
    tiers = [("q", 4, 0.040)]
    seconds = hours * 3600.0
    print(f"Whole process: M/M/4, rho = 0.9, {hours:g} h simulated (~{90 * seconds:,.0f} requests)")
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "mesh.yaml"
        model.write_text(chain_model(90.0, tiers))
        sw, sc, out = _child([sys.executable, __file__, "--simpy-child", str(seconds), str(seed)])
        simpy_wait = json.loads(out)["q"]
        mw, mc, out = _child([sys.executable, "-c", "from meshwright.cli import main; main()",
                              "simulate", str(model), "--duration", f"{seconds:g}s",
                              "--seed", str(seed), "--format", "json"])
    wait = json.loads(out)["totals"]["services"]["q"]["mean_wait"]
    print(f"  SimPy                {sw:7.2f} s wall {sc:7.2f} s CPU   mean wait {1000 * simpy_wait:.2f} ms")
    print(f"  meshwright simulate  {mw:7.2f} s wall {mc:7.2f} s CPU   mean wait {1000 * wait:.2f} ms")
    print(f"  whole process vs SimPy: {sw / mw:.1f}x wall, {sc / mc:.1f}x CPU\n")
    return abs(wait - simpy_wait) < 0.05 * simpy_wait


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (wider tolerance)")
    parser.add_argument("--no-whole", action="store_true", help="skip the whole-process runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--simpy-child", nargs=2, metavar=("SECONDS", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.simpy_child:
        run = simpy_chain(90.0, [("q", 4, 0.040)], float(args.simpy_child[0]), int(args.simpy_child[1]))
        print(json.dumps(run.mean_wait))
        return 0
    scale = 0.25 if args.quick else 1.0
    t1 = 4000.0 * scale
    ok = compare(f"M/M/4, rho = 0.9, {t1:g} s simulated (~{90 * t1:,.0f} requests)",
                 90.0, [("q", 4, 0.040)], t1, args.seed, {"q": erlang_c(90.0, 25.0, 4).wq})
    t2 = 1000.0 * scale
    tiers = [("web", 64, 0.002), ("api", 16, 0.005), ("db", 8, 0.010)]
    ok = compare(f"three tiers web -> api -> db at 600/s, {t2:g} s simulated (~{600 * t2:,.0f} requests)",
                 600.0, tiers, t2, args.seed) and ok
    if not args.no_whole:
        ok = whole_process(10.0 if args.quick else 100.0, args.seed) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
