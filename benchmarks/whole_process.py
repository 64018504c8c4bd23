"""Whole-process timing of the command line, as a user runs it: one fresh interpreter per
run (start-up and imports included), next to a peer timed in the same run.

    python -m benchmarks.whole_process check --sizes 1000 10000 [--repeat 3] [--seed 7]

The peer is a fresh interpreter that loads the same model files with PyYAML's libyaml
``CSafeLoader`` (plain parsing, no positions, no validation): the floor any YAML tool in
Python pays. CPU seconds (user + system of the child, from ``getrusage``) are the steadier
number on a shared machine; wall seconds are what a user waits. The best of ``--repeat``
runs counts. Goals (issue #18): check and analyze < 2 s at 1,000 services, < 10 s at
10,000, and at most ×12 from 1,000 to 10,000 services.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import write_model

GOAL_SECONDS = {1000: 2.0, 10000: 10.0}
GOAL_GROWTH = 12.0

PEER = (
    "import sys, pathlib, yaml\n"
    "root = pathlib.Path(sys.argv[1])\n"
    "for f in [root / 'mesh.yaml', *sorted((root / 'services').glob('*.yaml'))]:\n"
    "    yaml.load(f.read_text(encoding='utf-8'), Loader=yaml.CSafeLoader)\n"
)


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    peak_mib: float


def timed(argv: list[str], repeat: int) -> Timing:
    """Best wall and CPU seconds of ``repeat`` fresh processes running ``argv``, and the
    largest resident set one of them reached (MiB)."""
    wall = cpu = float("inf")
    peak = 0.0
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped above; keeps Popen from waiting again
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, usage.ru_utime + usage.ru_stime)
        peak = max(peak, usage.ru_maxrss / 1024)  # KiB on Linux
    return Timing(wall, cpu, peak)


def cli(command: str, model: Path) -> list[str]:
    return [sys.executable, "-m", "meshwright", command, str(model), "--format", "json"]


def peer(model: Path) -> list[str]:
    return [sys.executable, "-c", PEER, str(model)]


def compare(command: str, sizes: list[int], seed: int, repeat: int) -> dict[int, Timing]:
    """Print, per model size, ``meshwright COMMAND`` next to the peer; returns our timings."""
    ours: dict[int, Timing] = {}
    print(f"whole process: `meshwright {command} MODEL --format json`, fresh interpreter, "
          f"best of {repeat}; peer: PyYAML CSafeLoader loading the same files")
    print(f"{'services':>8} {'ours wall':>10} {'ours CPU':>9} {'peer wall':>10} {'peer CPU':>9} "
          f"{'CPU ratio':>10} {'peak MiB':>9}  goal")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            model = write_model(Path(tmp) / f"m{n}", n, seed)
            mine = timed(cli(command, model), repeat)
            base = timed(peer(model), repeat)
            ours[n] = mine
            goal = GOAL_SECONDS.get(n)
            verdict = "" if goal is None else (
                f"< {goal:g} s: {'meets' if mine.wall < goal else 'misses'} (wall)"
            )
            print(f"{n:8d} {mine.wall:10.2f} {mine.cpu:9.2f} {base.wall:10.2f} {base.cpu:9.2f} "
                  f"{mine.cpu / base.cpu:9.1f}x {mine.peak_mib:9.0f}  {verdict}")
    if len(sizes) >= 2:
        lo, hi = min(sizes), max(sizes)
        growth = ours[hi].cpu / ours[lo].cpu
        ok = "meets" if growth <= GOAL_GROWTH else "misses"
        print(f"growth {lo:,} -> {hi:,} services: x{growth:.1f} CPU "
              f"(goal at most x{GOAL_GROWTH:g}: {ok})")
    return ours


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000],
                        help="model sizes (services) timed as whole processes")
    parser.add_argument("--process-repeat", type=int, default=3,
                        help="fresh processes per size and contender (best counts)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("command", choices=["validate", "check", "analyze"])
    parser.add_argument("--seed", type=int, default=7)
    add_arguments(parser)
    args = parser.parse_args(argv)
    compare(args.command, args.sizes, args.seed, args.process_repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
