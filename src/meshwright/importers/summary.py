"""The summary of an import: what was inferred from where, and what is left to do."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.markup import escape

from meshwright.console import console
from meshwright.importers.builder import ModelBuilder
from meshwright.importers.writer import Written


def summarize(builder: ModelBuilder, written: Written, out: str) -> dict[str, Any]:
    """Plain data of the import (the ``--format json`` output)."""
    sources = Counter(e.source.label for edge in written.edges for e in edge.evidence)
    return {
        "system": builder.system,
        "out": out,
        "inputs": builder.inputs,
        "services": sorted(builder.services),
        "datastores": {n: {"kind": b.kind, "users": sorted({u for u, _ in written.uses.get(n, [])})}
                       for n, b in sorted(builder.backing.items()) if b.role == "datastore"},
        "brokers": {n: b.kind for n, b in sorted(builder.backing.items()) if b.role == "broker"},
        "registry": builder.registry,
        "edges": [
            {"caller": e.caller, "callee": e.callee, "port": e.port, "strongest": e.strongest.label,
             "evidence": [ev.text() for ev in e.evidence], "policy": e.policy}
            for e in written.edges
        ],
        "edge_sources": dict(sorted(sources.items())),
        "unwritten_edges": written.unwritten_edges,
        "traffic_sources": builder.traffic_sources,
        "entrypoints": [{"operation": ep.operation, "rate_per_s": ep.rate} for ep in builder.entrypoints],
        "todos": written.todos,
        "notes": builder.notes,
        "skipped": {k: len(v) for k, v in sorted(builder.skipped.items())},
        "files": sorted(written.files),
    }


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def print_summary(data: dict[str, Any]) -> None:
    """The summary for people."""
    n_edges = len(data["edges"])
    counts = ", ".join(_count(len(data[key]), word) for key, word in
                       (("services", "service"), ("datastores", "datastore"), ("brokers", "broker")))
    console.print(f"[green]✓[/] imported [bold]{data['system']}[/]: {counts}, {_count(n_edges, 'call edge')} "
                  f"→ {escape(data['out'])}/")
    if data["edge_sources"]:
        counts = ", ".join(f"{k} {v}" for k, v in data["edge_sources"].items())
        console.print(f"  evidence for the edges: {escape(counts)}")
    for edge in data["edges"]:
        port = f":{edge['port']}" if edge["port"] else ""
        console.print(f"  {edge['caller']} → {edge['callee']}{port}  [dim]{escape(edge['evidence'][0])}"
                      f"{' +' + str(len(edge['evidence']) - 1) if len(edge['evidence']) > 1 else ''}[/]")
    for name, ds in data["datastores"].items():
        users = ", ".join(ds["users"]) or "no service"
        console.print(f"  datastore {name} ({ds['kind']}) ← {users}")
    for name, kind in data["brokers"].items():
        console.print(f"  broker {name} ({kind})")
    for name, what in data["traffic_sources"].items():
        console.print(f"  traffic source {name} (not a service): {escape(what)}")
    if data["registry"]:
        console.print(f"  [yellow]discovery through {data['registry']}[/]: no call edges were guessed; "
                      "import traces (`--traces FILE`) to add them")
    for todo in data["todos"]:
        console.print(f"  [yellow]TODO[/] {escape(todo)}")
    for note in data["notes"]:
        console.print(f"  [dim]note: {escape(note)}[/]")
    if data["skipped"]:
        skipped = ", ".join(f"{k} ×{v}" for k, v in data["skipped"].items())
        console.print(f"  skipped kinds: {escape(skipped)}")
    console.print(f"next: `meshwright check {escape(data['out'])}`; the TODO comments in the files say "
                  "what to fill in")
