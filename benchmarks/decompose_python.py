"""Agreement of `meshwright decompose` with a real modular Python application's own apps.

Decomposes the Python source of django-oscar (its Django apps are its bounded contexts) from
source alone and compares the proposed services with the apps (``oscar.apps.<app>``) by the
adjusted Rand index and MoJoFM; units outside ``oscar/apps`` are proposed too but not compared.
The peer is a random partition with the same service sizes, measured in the same run.

    .venv/bin/pip download --no-deps django-oscar -d /tmp/oscar
    unzip -q /tmp/oscar/django_oscar-*.whl -d /tmp/oscar/src
    .venv/bin/python benchmarks/decompose_python.py /tmp/oscar/src/oscar
"""

from __future__ import annotations

import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from meshwright.decompose import decompose
from meshwright.decompose.python_source import read_python


def app_of(unit: str) -> str | None:
    parts = unit.split(".")
    return parts[2] if len(parts) > 3 and parts[1] == "apps" else None


def mojofm(proposed: dict[str, str], truth: dict[str, str]) -> float:
    """MoJoFM (Wen & Tzerpos): 1 − mno(A, B) / max mno(·, B), with mno approximated by the
    greedy move count (each proposed cluster is matched to its majority app; every other class
    moves); 100 % means identical up to joins."""
    groups: dict[str, list[str]] = defaultdict(list)
    for unit, svc in proposed.items():
        groups[svc].append(unit)
    moves = sum(len(m) - Counter(truth[u] for u in m).most_common(1)[0][1] for m in groups.values())
    joins = len(groups) - len({Counter(truth[u] for u in m).most_common(1)[0][0] for m in groups.values()})
    worst = len(truth) - len(set(truth.values()))
    return 1.0 - (moves + joins) / max(worst, 1)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    mono = read_python(Path(argv[0]))
    dec = decompose(mono)
    truth = {u: a for u in dec.partition if (a := app_of(u))}
    ours = {u: dec.partition[u] for u in truth}
    units = sorted(truth)
    ari = adjusted_rand_score([truth[u] for u in units], [ours[u] for u in units])
    labels = [ours[u] for u in units]
    random.Random(0).shuffle(labels)
    rnd = dict(zip(units, labels, strict=True))
    ari_rnd = adjusted_rand_score([truth[u] for u in units], [rnd[u] for u in units])
    print(f"{len(dec.partition)} units ({len(units)} inside oscar/apps, {len(set(truth.values()))} apps), "
          f"{len(set(dec.partition.values()))} services proposed")
    print(f"adjusted Rand index vs apps: ours {ari:.3f}, random partition of the same sizes {ari_rnd:.3f}")
    print(f"MoJoFM vs apps: ours {mojofm(ours, truth):.1%}, random {mojofm(rnd, truth):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
