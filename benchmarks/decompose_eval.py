"""Score `meshwright decompose` against the published baselines of the Mono2Micro study.

For JPetStore and DayTrader (data in benchmarks/data/mono2micro, see SOURCE.md there) this
decomposes the application from its Mono2Micro flow files alone, loads the published partitions
of Bunch, CoGCN, FoSCI, MEM and (DayTrader only) Mono2Micro, scores every partition with the same
code (meshwright.decompose.metrics) and prints one table per application: each baseline's median
over its published partitions, ours, and whether ours beats every baseline's median.

    .venv/bin/python benchmarks/decompose_eval.py [--methods]

``--methods`` also scores each clustering method (leiden, spectral, hdbscan) on its own.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import sys
from pathlib import Path

from meshwright.decompose.metrics import METRIC_NAMES, Scores, better, parse_volumes, score

DATA = Path(__file__).parent / "data" / "mono2micro"
APPS = ("jpetstore", "daytrader")
BASELINES = ("Bunch", "CoGCN", "FoSCI", "MEM", "Mono2Micro")


def _k_of(path: Path) -> int:
    numbers = re.findall(r"\d+", path.stem)
    return int(numbers[0])


def load_baselines(app_dir: Path) -> dict[str, list[dict[str, object]]]:
    """Every published partition of every baseline, ``{baseline: [partition, ...]}``."""
    globs = {
        "Bunch": "bunch_output/*.json",
        "CoGCN": "cogcn_output/vertical_cluster_assignment__*.json",
        "MEM": "mem_output/vertical_clustering__*.json",
        "Mono2Micro": "mono2micro_output/vertical_cluster_assignment_*.json",
    }
    out: dict[str, list[dict[str, object]]] = {}
    for name, pattern in globs.items():
        files = sorted(app_dir.glob(pattern), key=_k_of)
        out[name] = [json.loads(f.read_text()) for f in files]
    fosci = []
    for f in sorted(app_dir.glob("fosci_output/*_n_candidate_*_repeat_*.csv")):
        with f.open(newline="") as fh:
            fosci.append({row[0]: row[1] for row in csv.reader(fh) if row})
    out["FoSCI"] = fosci
    return out


def load_metric_inputs(app_dir: Path) -> tuple[dict[tuple[str, str], float], dict[str, list[str]]]:
    """The call volumes and use cases every partition is scored on (the published files)."""
    out_dir = app_dir / "mono2micro_output"
    volumes = parse_volumes(json.loads((out_dir / "runtime_call_volume.json").read_text()))
    use_cases = json.loads((out_dir / "bcs_per_class.json").read_text())
    return volumes, use_cases


def medians(scores: list[Scores]) -> dict[str, float]:
    return {m: statistics.median(getattr(s, m) for s in scores) for m in (*METRIC_NAMES, "K")}


def ours(app_dir: Path, methods: tuple[str, ...]) -> dict[str, str]:
    """Our partition of the application, from its flow files alone."""
    from meshwright.decompose import decompose, read_inputs

    return decompose(read_inputs(app_dir / "mono2micro_input"), methods=methods).partition


def evaluate(app: str, variants: dict[str, tuple[str, ...]]) -> tuple[list[str], dict[str, object]]:
    """Table lines for one application and a summary of how ours compares."""
    app_dir = DATA / app
    volumes, use_cases = load_metric_inputs(app_dir)
    published = load_baselines(app_dir)
    base_scores = {
        name: [score(p, volumes, use_cases) for p in parts]
        for name, parts in published.items()
        if parts
    }
    base_medians = {name: medians(s) for name, s in base_scores.items()}
    ks = [s.K for scores in base_scores.values() for s in scores if s.K > 1]
    k_range = (min(ks), max(ks))
    head = f"| {'method':<22} | {'n':>3} | {'K':>5} | " + " | ".join(f"{m:>6}" for m in METRIC_NAMES)
    lines = [f"### {app} (baselines: median over their published partitions)", "", head + " |",
             "|" + "---|" * (3 + len(METRIC_NAMES))]
    for name in BASELINES:
        if name not in base_medians:
            empty = " | ".join(f"{'n/a':>6}" for _ in METRIC_NAMES)
            lines.append(f"| {name:<22} | {0:>3} | {'n/a':>5} | {empty} |")
            continue
        med = base_medians[name]
        lines.append(
            f"| {name:<22} | {len(base_scores[name]):>3} | {med['K']:>5g} | "
            + " | ".join(f"{med[m]:>6.3f}" for m in METRIC_NAMES) + " |"
        )
    summary: dict[str, object] = {"k_range": k_range}
    for label, methods in variants.items():
        s = score(ours(app_dir, methods), volumes, use_cases)
        wins = [
            m for m in METRIC_NAMES
            if all(better(m, getattr(s, m), med[m]) for med in base_medians.values())
        ]
        mark = " ".join(wins) or "-"
        lines.append(
            f"| {'ours: ' + label:<22} | {1:>3} | {s.K:>5} | "
            + " | ".join(f"{getattr(s, m):>6.3f}" for m in METRIC_NAMES) + " |"
        )
        summary[label] = {"K": s.K, "wins": wins, "k_in_range": k_range[0] <= s.K <= k_range[1], "mark": mark}
    return lines, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", action="store_true", help="also score each clustering method")
    args = parser.parse_args(argv)
    variants: dict[str, tuple[str, ...]] = {"default (leiden)": ("leiden",)}
    if args.methods:
        variants |= {"spectral": ("spectral",), "hdbscan": ("hdbscan",),
                     "all three pooled": ("leiden", "spectral", "hdbscan")}
    ok = True
    for app in APPS:
        lines, summary = evaluate(app, variants)
        print("\n".join(lines))
        lo, hi = summary["k_range"]  # type: ignore[misc]
        print(f"\nbaselines' K range (non-degenerate): {lo}..{hi}")
        for label in variants:
            info = summary[label]
            assert isinstance(info, dict)
            goal = len(info["wins"]) >= 3 and info["k_in_range"]
            ok = ok and (goal or label != "default (leiden)")
            print(f"ours ({label}): K={info['K']}, better than every baseline's median on "
                  f"{len(info['wins'])}/5 ({info['mark']}); goal {'met' if goal else 'NOT met'}")
        print()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
