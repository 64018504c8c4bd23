"""Write a decomposition as a meshwright model directory, plus ``partition.json``.

The model has one bounded context per proposed service (an architect merges contexts by hand),
one HTTP API per service whose operations are the methods other services or the outside world
invoke (``expose: public`` when the outside world invokes any), the cross-service calls of
each operation with their volume (``per_request`` = calls seen ÷ invocations of the
operation), and an entrypoint per operation the outside world invoked, at
the rate the traces show. Datastores appear only when table access was extracted (``reads`` /
``writes`` of classes); runtime traces do not show it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from meshwright.decompose.interactions import Interactions, OpRef, interactions
from meshwright.decompose.propose import Decomposition
from meshwright.decompose.report import explain
from meshwright.errors import UsageError

API_PORT = 8080
MIN_RATE = 0.001
"""Entry rates below this many per second are written as this (a model's rate must be > 0)."""


def _op_names(inter: Interactions, service: str) -> dict[OpRef, str]:
    ops = inter.operations(service)
    plain = defaultdict(list)
    for cls, method in ops:
        plain[_ident(method)].append((cls, method))
    out: dict[OpRef, str] = {}
    for cls, method in ops:
        name = _ident(method)
        out[(cls, method)] = name if len(plain[name]) == 1 else f"{_ident(cls)}_{name}"
    return out


def _ident(text: str) -> str:
    return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", text)).strip("_") or "op"


def _rate(per_second: float) -> str:
    value = max(per_second, MIN_RATE)
    return f"{value:.4g}/s"


def model_data(dec: Decomposition, system: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The root document and one document per service (name → ``{name: service}``)."""
    inter = interactions(dec.monolith, dec.partition)
    services = dec.services()
    names = {svc: _op_names(inter, svc) for svc in services}
    seconds = dec.monolith.seconds or 1.0
    explanations = {e["service"]: e for e in explain(dec, inter)}
    docs: dict[str, dict[str, Any]] = {}
    for svc, classes in services.items():
        operations: dict[str, Any] = {}
        for op in inter.operations(svc):
            calls = []
            invoked = inter.invocations[(svc, op)]
            for (src, src_op, dst, dst_op), n in sorted(inter.calls.items()):
                if src == svc and src_op == op:
                    calls.append(
                        {"to": f"{dst}.{names[dst][dst_op]}", "per_request": round(n / invoked, 4)}
                    )
            body: dict[str, Any] = {"idempotent": False}
            if calls:
                body["calls"] = calls
            operations[names[svc][op]] = body
        reads = sorted({t for c in classes for t in dec.monolith.classes[c].reads})
        writes = sorted({t for c in classes for t in dec.monolith.classes[c].writes})
        entry: dict[str, Any] = {
            "context": svc,
            "description": explanations[svc]["summary"],
        }
        if any(svc == s for s, _ in inter.entry):
            entry["expose"] = "public"  # the outside world invokes it
        if operations:
            entry["apis"] = [{"name": f"{svc}-api", "protocol": "http", "port": API_PORT,
                              "operations": operations}]
        if reads or writes:
            entry["datastores"] = {f"{svc}-db": {"kind": "sql"}}
            for body in operations.values():
                if writes:
                    body["writes"] = [f"{svc}-db"]
        docs[svc] = {svc: entry}
    contexts = {
        svc: {"description": "Proposed around " + ", ".join(explanations[svc]["core_classes"][:3])}
        for svc in services
    }
    entrypoints = [
        {"name": f"{svc}-{names[svc][op]}".lower().replace("_", "-"),
         "operation": f"{svc}.{names[svc][op]}", "rate": _rate(n / seconds)}
        for (svc, op), n in sorted(inter.entry.items())
    ]
    root: dict[str, Any] = {
        "meshwright": 1,
        "system": system,
        "description": "Services proposed by `meshwright decompose` from "
        + (", ".join(dec.monolith.sources) or "the input"),
        "contexts": contexts,
    }
    if entrypoints:
        root["entrypoints"] = entrypoints
    return root, docs


def write_model(dec: Decomposition, out: Path, system: str, force: bool = False) -> list[Path]:
    """Write ``mesh.yaml``, ``services/*.yaml`` and ``partition.json`` under ``out``."""
    if out.exists() and any(out.iterdir()) and not force:
        raise UsageError(f"{out} exists and is not empty; pass --force to overwrite it")
    root, docs = model_data(dec, system)
    (out / "services").mkdir(parents=True, exist_ok=True)
    for old in (out / "services").glob("*.yaml"):
        old.unlink()
    written = [out / "mesh.yaml"]
    header = "# Proposed by `meshwright decompose`; validate with `meshwright validate .`\n"
    (out / "mesh.yaml").write_text(header + _dump(root), encoding="utf-8")
    for svc, doc in docs.items():
        path = out / "services" / f"{svc}.yaml"
        path.write_text(_dump(doc), encoding="utf-8")
        written.append(path)
    partition = out / "partition.json"
    partition.write_text(json.dumps(dict(sorted(dec.partition.items())), indent=2) + "\n", encoding="utf-8")
    written.append(partition)
    return written


def _dump(data: Any) -> str:
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return text
