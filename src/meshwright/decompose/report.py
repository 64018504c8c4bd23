"""Explanations of proposed services and the decomposition report (JSON and Markdown).

Each service is explained by the use cases its classes take part in, its core classes (most
connected inside it), the operations other services call (its API) with their volumes, the
calls it makes to other services, the data it owns (tables, when visible) and its cohesion: the
share of its classes' runtime calls that stay inside it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from meshwright.decompose.classgraph import pair_weights
from meshwright.decompose.cluster import borda
from meshwright.decompose.interactions import Interactions, interactions
from meshwright.decompose.metrics import METRIC_NAMES
from meshwright.decompose.monolith import ENTRY

if TYPE_CHECKING:
    from meshwright.decompose.propose import Decomposition

TOP = 5


def explain(dec: Decomposition, inter: Interactions | None = None) -> list[dict[str, Any]]:
    """One explanation per service, in service-name order."""
    from meshwright.decompose.propose import core_classes

    inter = inter if inter is not None else interactions(dec.monolith, dec.partition)
    mono = dec.monolith
    weights = pair_weights(mono)
    out = []
    for svc, classes in dec.services().items():
        members = set(classes)
        cases: Counter[str] = Counter()
        for cls in classes:
            cases.update(mono.classes[cls].use_cases)
        inside = outside = 0
        for (a, b), n in mono.calls.items():
            if ENTRY in (a, b) or a == b:
                continue
            if a in members and b in members:
                inside += n
            elif a in members or b in members:
                outside += n
        api: dict[str, dict[str, int]] = defaultdict(dict)
        calls_out: Counter[str] = Counter()
        for (src, _src_op, dst, dst_op), n in inter.calls.items():
            if dst == svc:
                api[f"{dst_op[0]}.{dst_op[1]}"][src] = api[f"{dst_op[0]}.{dst_op[1]}"].get(src, 0) + n
            if src == svc:
                calls_out[dst] += n
        entry_ops = sorted(f"{c}.{m}" for (s, (c, m)) in inter.entry if s == svc)
        reads = sorted({t for c in classes for t in mono.classes[c].reads})
        writes = sorted({t for c in classes for t in mono.classes[c].writes})
        core = core_classes(dec.graph, classes, mono, weights)[:TOP]
        cohesion = inside / (inside + outside) if inside + outside else 1.0
        ranked = sorted(cases.items(), key=lambda kv: (-kv[1], kv[0]))
        top_cases = [c for c, _ in ranked[:TOP]]
        summary = (
            f"{len(classes)} class(es) around {', '.join(core[:3])}"
            + (f"; use cases {', '.join(top_cases[:3])}" if top_cases else "")
            + f"; {cohesion:.0%} of its classes' calls stay inside"
        )
        out.append(
            {
                "service": svc,
                "summary": summary,
                "classes": classes,
                "core_classes": core,
                "use_cases": [{"use_case": c, "classes": n} for c, n in ranked],
                "api": [
                    {"operation": op, "callers": dict(sorted(callers.items())),
                     "calls": sum(callers.values())}
                    for op, callers in sorted(api.items())
                ],
                "entry_operations": entry_ops,
                "calls_to": dict(sorted(calls_out.items())),
                "data": {"reads": reads, "writes": writes},
                "cohesion": round(cohesion, 4),
                "internal_calls": inside,
                "external_calls": outside,
            }
        )
    return out


def report_json(dec: Decomposition) -> dict[str, Any]:
    """The whole decomposition as JSON: how it was chosen, its scores, its services."""
    chosen = dec.clustering.chosen
    pool = dec.clustering.candidates
    ranks = borda(pool) if pool else []
    return {
        "inputs": dec.monolith.sources,
        "classes": len(dec.partition),
        "services": len(set(dec.partition.values())),
        "method": chosen.method,
        "parameter": chosen.parameter,
        "scores": {m: round(getattr(chosen.scores, m), 4) for m in METRIC_NAMES},
        "candidates": [
            {"method": c.method, "parameter": c.parameter, "K": c.scores.K,
             "modularity": round(c.modularity, 4), "mean_rank": round(r, 3),
             **{m: round(getattr(c.scores, m), 4) for m in METRIC_NAMES}}
            for c, r in zip(pool, ranks, strict=True)
        ],
        "explanations": explain(dec),
    }


def report_markdown(data: dict[str, Any]) -> str:
    """The report section as Markdown, from :func:`report_json`'s data."""
    lines = [
        "## Proposed decomposition",
        "",
        f"{data['classes']} classes into {data['services']} services, from "
        f"{', '.join(data['inputs']) or 'the input'}. Chosen by quality among "
        f"{len(data['candidates'])} candidate partitions ({data['method']}, parameter "
        f"{data['parameter']:g}): the best mean rank over SM, ICP, IFN, NED and BCP measured on "
        "the input.",
        "",
        "| metric | value | better when |",
        "| --- | ---: | --- |",
    ]
    better = {"SM": "higher"}
    for m in METRIC_NAMES:
        lines.append(f"| {m} | {data['scores'][m]:.3f} | {better.get(m, 'lower')} |")
    for exp in data["explanations"]:
        lines += ["", f"### {exp['service']}", "", exp["summary"] + ".", ""]
        lines.append(f"- core classes: {', '.join(exp['core_classes'])}")
        lines.append(f"- classes: {', '.join(exp['classes'])}")
        cases = [f"{u['use_case']} ({u['classes']})" for u in exp["use_cases"][:TOP]]
        lines.append(f"- use cases: {', '.join(cases) or 'none labelled'}")
        api = [f"{a['operation']} ← {', '.join(a['callers'])} ({a['calls']} calls)" for a in exp["api"]]
        lines.append(f"- API for other services: {'; '.join(api) or 'none'}")
        if exp["entry_operations"]:
            lines.append(f"- entry operations: {', '.join(exp['entry_operations'][:10])}"
                         + (" …" if len(exp["entry_operations"]) > 10 else ""))
        out = [f"{svc} ({n})" for svc, n in exp["calls_to"].items()]
        lines.append(f"- calls: {', '.join(out) or 'none'}")
        data_owned = exp["data"]["reads"] + exp["data"]["writes"]
        lines.append(f"- data: {', '.join(sorted(set(data_owned))) or 'no table access visible'}")
    return "\n".join(lines) + "\n"
