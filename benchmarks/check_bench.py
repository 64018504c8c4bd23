"""Benchmark: `meshwright check` (every rule) of synthetic 1,000- and 10,000-service models.

    python -m benchmarks.check_bench [--sizes 1000 10000] [--process-repeat 3]
                                     [--services 1000] [--seed 7] [--repeat 3]

First the whole process as a user runs it (``benchmarks.whole_process``: a fresh interpreter
per run, start-up included, next to PyYAML's CSafeLoader loading the same files in a fresh
process). Then the in-process split: the best-of-N wall time of load+validate
(``load_text``) and of ``run_check`` with every rule (analysis caches cleared before each
run, so the analyses the rules use are included), the slowest rules, and the ratio check /
(load + validate) measured in the same run. Goals (whole process): < 2 s at 1,000 services,
< 10 s at 10,000.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from benchmarks import whole_process
from benchmarks.generate import generate
from meshwright import memo
from meshwright.check import all_rules, run_check
from meshwright.model import load_text


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
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    whole_process.add_arguments(parser)
    args = parser.parse_args(argv)

    whole_process.compare("check", args.sizes, args.seed, args.process_repeat)
    print(f"in-process split at {args.services} services (warm interpreter, best of {args.repeat}):")

    text = generate(args.services, args.seed)
    load = best(lambda: load_text(text, "bench.yaml"), args.repeat)
    loaded = load_text(text, "bench.yaml")
    clear = memo.clear  # every timing starts without memoised graph walks
    total = best(lambda: run_check(loaded), args.repeat, clear)
    report = run_check(loaded)

    per_rule: list[tuple[float, str]] = []
    for rule in all_rules():
        clear()
        t0 = time.perf_counter()
        run_check(loaded, rules=[rule])
        per_rule.append((time.perf_counter() - t0, f"{rule.code} {rule.name}"))
    per_rule.sort(reverse=True)

    model = loaded.model
    ops = sum(1 for s in model.services.values() for _ in s.operations())
    print(f"model: {len(model.services)} services, {ops} operations, seed {args.seed}")
    print(f"findings: {report.counts()} ({len(report.suppressed)} suppressed), {len(report.rules)} rules")
    print(f"load + validate: {load:8.3f} s")
    print(f"check:           {total:8.3f} s   (goal < 2 s)")
    print(f"ratio check / (load + validate): {total / load:.2f}")
    print("slowest rules alone (each including the shared views it builds):")
    for seconds, name in per_rule[:5]:
        print(f"  {seconds:7.3f} s  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
