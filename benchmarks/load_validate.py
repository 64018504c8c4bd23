"""Time `meshwright validate` as a user runs it, then `load_model` (parse with positions +
validate) in process, on generated models.

    python -m benchmarks.load_validate [--sizes 1000 10000] [--process-repeat 3]
                                       [--services 1000] [--seed 1] [--repeat 5] [--profile]

First the whole process (``benchmarks.whole_process``: a fresh interpreter per run,
start-up included, next to PyYAML's CSafeLoader loading the same files in a fresh
process, model seed 7 as the other benchmarks). Then the in-process comparison below.

The model is written as a directory (mesh.yaml + services/part-NNN.yaml) to a temporary
directory. Each contender reads the same files from disk; the best of ``--repeat`` runs
counts. Peers measured in the same run:

- ruamel.yaml round-trip load (``YAML(typ="rt")``) of the files, no validation: the
  position-keeping parser a located loader could be built on;
- PyYAML ``yaml.safe_load`` (and its libyaml ``CSafeLoader``), if installed: plain parsing;
- rapidyaml ``parse_in_arena`` (the C++ tree our fast path starts from, no Python data).

The phase rows split our time into parsing with positions, merging defaults, type
validation and reference checks. ``--profile`` prints the top functions under cProfile.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib.metadata
import io
import os
import platform
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

if __package__ in (None, ""):  # run as a file: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import whole_process
from benchmarks.generate import write_model
from meshwright.model import load_model
from meshwright.model import loader as _loader
from meshwright.model import source as _source
from meshwright.model.references import check_references
from meshwright.model.types import Model
from meshwright.model.units import UNITS_REQUIRED

GOAL_SECONDS = 1.0


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, float]:
    """The fastest of ``repeat`` runs of ``fn``: (wall-clock seconds, CPU seconds of this
    process). CPU time is the steadier number on a machine shared with other work."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def model_files(root: Path) -> list[Path]:
    return [root / "mesh.yaml", *sorted((root / "services").glob("*.yaml"))]


def ruamel_rt(files: list[Path]) -> None:
    yaml = YAML(typ="rt")
    for f in files:
        yaml.load(f.read_text(encoding="utf-8"))


def phases(root: Path) -> dict[str, float]:
    """Seconds spent in each phase of one `load_model` run, by calling the loader's
    internal steps in its order; empty if the loader no longer has them."""
    out: dict[str, float] = {}
    read = getattr(_loader, "_read", None)
    if read is None or not hasattr(_loader, "apply_defaults"):
        return out
    t0 = time.perf_counter()
    raw, smap, _ = read(root)
    t1 = time.perf_counter()
    with getattr(_source, "no_gc", contextlib.nullcontext)():  # as load_model validates
        _loader.apply_defaults(raw, smap)
        t2 = time.perf_counter()
        Model.model_validate(raw, context={UNITS_REQUIRED: True})
        t3 = time.perf_counter()
        check_references(raw, smap)
        t4 = time.perf_counter()
    out["parse YAML with positions + merge fragments"] = t1 - t0
    out["merge defaults.call into calls"] = t2 - t1
    out["validate types (pydantic)"] = t3 - t2
    out["check references"] = t4 - t3
    return out


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"pydantic {_version('pydantic')}, ruamel.yaml {_version('ruamel.yaml')}, "
        f"PyYAML {_version('PyYAML')}, rapidyaml {_version('rapidyaml')}"
    )


def run(services: int, seed: int, repeat: int) -> list[tuple[str, tuple[float, float]]]:
    """Rows of (contender, best (wall, CPU) seconds); ours first, then peers, then phases."""
    with tempfile.TemporaryDirectory() as tmp:
        root = write_model(Path(tmp) / "model", services, seed)
        files = model_files(root)
        rows = [("meshwright load_model (parse + validate)", best_of(repeat, lambda: load_model(root)))]
        rt = best_of(repeat, lambda: ruamel_rt(files))
        rows.append(("ruamel.yaml YAML(typ='rt').load, no validation", rt))
        try:
            import yaml as pyyaml
        except ImportError:
            pyyaml = None
        if pyyaml is not None:
            rows.append(
                (
                    "PyYAML yaml.safe_load, no validation",
                    best_of(repeat, lambda: [pyyaml.safe_load(f.read_text(encoding="utf-8")) for f in files]),
                )
            )
            if hasattr(pyyaml, "CSafeLoader"):
                rows.append(
                    (
                        "PyYAML CSafeLoader (libyaml), no validation",
                        best_of(
                            repeat,
                            lambda: [
                                pyyaml.load(f.read_text(encoding="utf-8"), Loader=pyyaml.CSafeLoader)
                                for f in files
                            ],
                        ),
                    )
                )
        try:
            import ryml
        except ImportError:
            ryml = None
        if ryml is not None:
            rows.append(
                (
                    "rapidyaml parse_in_arena (C++ tree only)",
                    best_of(repeat, lambda: [ryml.parse_in_arena(f.read_bytes()) for f in files]),
                )
            )
        split = min((phases(root) for _ in range(repeat)), key=lambda p: sum(p.values()))
        rows.extend((f"  phase: {name}", (secs, secs)) for name, secs in split.items())
    return rows


def profile(services: int, seed: int, top: int = 25) -> str:
    """cProfile of one `load_model` run, top functions by own time."""
    with tempfile.TemporaryDirectory() as tmp:
        root = write_model(Path(tmp) / "model", services, seed)
        load_model(root)  # warm imports and caches
        prof = cProfile.Profile()
        prof.enable()
        load_model(root)
        prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time load + validate of a generated model.")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one load")
    whole_process.add_arguments(parser)
    args = parser.parse_args(argv)

    whole_process.compare("validate", args.sizes, 7, args.process_repeat)
    print()

    rows = run(args.services, args.seed, args.repeat)
    ours_wall, ours_cpu = rows[0][1]
    print(f"load + validate, {args.services} services (directory model), best of {args.repeat}")
    print(f"machine: {machine()}")
    print(f"{'contender':58} {'wall s':>7} {'CPU s':>7} {'ours/it (CPU)':>14}")
    for name, (wall, cpu) in rows:
        if name.startswith("  phase"):
            print(f"{name:58} {wall:7.3f}")
        else:
            print(f"{name:58} {wall:7.3f} {cpu:7.3f} {ours_cpu / cpu:13.2f}x")
    verdict = "meets" if ours_wall < GOAL_SECONDS else "misses"
    print(f"goal < {GOAL_SECONDS:g} s wall: {verdict} ({ours_wall:.3f} s wall, {ours_cpu:.3f} s CPU)")
    if args.profile:
        print(profile(args.services, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
