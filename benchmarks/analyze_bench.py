"""Benchmark: `meshwright analyze` of synthetic 1,000- and 10,000-service models.

    python -m benchmarks.analyze_bench [--sizes 1000 10000] [--process-repeat 3]
                                       [--services 1000] [--seed 7] [--repeat 3]

First the whole process as a user runs it (``benchmarks.whole_process``: a fresh interpreter
per run, start-up included, next to PyYAML's CSafeLoader loading the same files in a fresh
process). Then the in-process split: the best-of-N wall time of load+validate
(``load_text``) and of ``analyze`` with default options (10,000 Monte Carlo samples per
operation), the time of each section, and the ratio analyze / (load + validate) measured in
the same run. Goals (whole process): < 2 s at 1,000 services, < 10 s at 10,000.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from benchmarks import whole_process
from benchmarks.generate import generate
from meshwright import memo
from meshwright.analysis import AnalysisOptions, analyze
from meshwright.analysis.amplification import path_amplification
from meshwright.analysis.availability import composed_availability
from meshwright.analysis.capacity import capacity
from meshwright.analysis.cost import cost
from meshwright.analysis.latency import latency_distributions
from meshwright.analysis.timeouts import call_budgets
from meshwright.model import Model, load_text


def best(fn: Callable[[], Any], repeat: int, fresh: Callable[[], None] = lambda: None) -> float:
    """Best-of-``repeat`` wall time of ``fn()`` (``fresh()`` runs untimed before each)."""
    times = []
    for _ in range(repeat):
        fresh()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    whole_process.add_arguments(parser)
    args = parser.parse_args(argv)

    whole_process.compare("analyze", args.sizes, args.seed, args.process_repeat)
    print(f"in-process split at {args.services} services (warm interpreter, best of {args.repeat}):")

    text = generate(args.services, args.seed)
    load = best(lambda: load_text(text, "bench.yaml"), args.repeat)
    model: Model = load_text(text, "bench.yaml").model
    clear = memo.clear  # every timing starts without memoised graph walks
    total = best(lambda: analyze(model), args.repeat, clear)
    result = analyze(model)
    ops = sum(1 for s in model.services.values() for _ in s.operations())
    calls = len(result.budgets)
    entry = result.entrypoints
    samples = AnalysisOptions().samples
    sections = {
        "availability": lambda: composed_availability(model),
        "latency (Monte Carlo)": lambda: latency_distributions(model, entry, samples),
        "timeout budgets": lambda: call_budgets(model),
        "amplification": lambda: path_amplification(model),
        "capacity": lambda: capacity(model),
        "cost": lambda: cost(model),
    }
    print(f"model: {args.services} services, {ops} operations, {calls} calls, "
          f"{len(entry)} entrypoints (seed {args.seed})")
    print(f"load + validate:          {load * 1000:8.0f} ms")
    print(f"analyze (all sections):   {total * 1000:8.0f} ms   goal < 2000 ms")
    for name, fn in sections.items():
        print(f"  {name:22}  {best(fn, args.repeat, clear) * 1000:8.0f} ms")
    print(f"ratio analyze / (load + validate): {total / load:.2f}")
    print(result.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
