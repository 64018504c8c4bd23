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
