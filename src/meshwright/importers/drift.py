"""Drift: where the running system (its manifests, compose file, Istio files) differs from
the model — a service, an edge, a datastore, an image, replicas, a port, a timeout.

The running side is imported exactly as `meshwright import` does it, then compared with
the model as loaded (``defaults.call`` merged into every call). Only what the running
side can show is compared: timeouts of an edge only when its Istio configuration sets
them (an application's own deadlines are not in manifests).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meshwright.importers.builder import ModelBuilder
from meshwright.importers.writer import write
from meshwright.model import LoadedModel, Model, load_model
from meshwright.model.units import format_duration


@dataclass(frozen=True)
class Difference:
    """One way the running system differs from the model."""

    kind: str
    subject: str
    model: str
    running: str
    where: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "model": self.model, "running": self.running,
                "where": self.where}


def _edges(model: Model) -> dict[tuple[str, str], Any]:
    out: dict[tuple[str, str], Any] = {}
    for name, svc in model.services.items():
        for call in svc.all_calls():
            out.setdefault((name, call.target_service), call)
    return out


def _ports(model: Model, name: str) -> set[tuple[int, int]]:
    return {(a.listen_port, a.call_port) for a in model.services[name].network_apis()}


def diff(loaded: LoadedModel, builder: ModelBuilder) -> list[Difference]:
    """Every difference between the model and what ``builder`` imported."""
    with tempfile.TemporaryDirectory(prefix="meshwright-diff-") as tmp:
        written = write(builder, Path(tmp))
        running = load_model(tmp).model
    evidence = {(e.caller, e.callee): e for e in written.edges}
    model = loaded.model
    out: list[Difference] = []

    def at(*path: str | int) -> str:
        return str(loaded.locate(*path))

    for name in sorted(set(model.services) - set(running.services)):
        out.append(Difference("service", name, "declared", "not running", at("services", name)))
    for name in sorted(set(running.services) - set(model.services)):
        out.append(Difference("service", name, "absent", "running", builder.services[name].where))
    ours, theirs = _edges(model), _edges(running)
    shared = set(model.services) & set(running.services)
    for pair in sorted(set(ours) - set(theirs)):
        if set(pair) <= shared:
            out.append(Difference("edge", f"{pair[0]} → {pair[1]}", "calls", "no evidence of the call",
                                  at("services", pair[0])))
    for pair in sorted(set(theirs) - set(ours)):
        if set(pair) <= shared:
            out.append(Difference("edge", f"{pair[0]} → {pair[1]}", "no call", "calls",
                                  evidence[pair].evidence[0].text()))
    for pair in sorted(set(ours) & set(theirs)):
        edge = evidence[pair]
        if "timeout" in edge.policy and ours[pair].timeout != theirs[pair].timeout:
            out.append(Difference("timeout", f"{pair[0]} → {pair[1]}", _duration(ours[pair].timeout),
                                  _duration(theirs[pair].timeout), ", ".join(edge.policy_from)))
    for name in sorted(shared):
        mine, real = model.services[name], running.services[name]
        where = builder.services[name].where
        if real.image is not None and mine.image != real.image:
            out.append(Difference("image", name, str(mine.image), real.image, where))
        if builder.services[name].replicas is not None and mine.runtime.replicas != real.runtime.replicas:
            out.append(Difference("replicas", name, str(mine.runtime.replicas), str(real.runtime.replicas),
                                  where))
        if real.apis and _ports(model, name) != _ports(running, name):
            out.append(Difference("ports", name, _port_text(_ports(model, name)),
                                  _port_text(_ports(running, name)), where))
        for store in sorted(set(mine.datastores) ^ set(real.datastores)):
            declared = store in mine.datastores
            out.append(Difference("datastore", f"{name} → {store}", "uses" if declared else "absent",
                                  "not used" if declared else "uses", where))
    return out


def _duration(seconds: float | None) -> str:
    return "none" if seconds is None else format_duration(seconds)


def _port_text(ports: set[tuple[int, int]]) -> str:
    return ", ".join(f"{p}" if p == s else f"{s}→{p}" for p, s in sorted(ports)) or "none"
