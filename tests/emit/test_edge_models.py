"""Unusual but valid models: every target still produces valid files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest

from emit.helpers import HERE, helm_lint, helm_render, kubectl_kustomize, write
from meshwright.emit import emit_all
from meshwright.emit.yamltext import load_all
from meshwright.model import load_text

COMPOSE = jsonschema.Draft201909Validator(
    json.loads((HERE / "schemas" / "compose_spec.json").read_text(encoding="utf-8"))
)

WORKER_ONLY = """\
meshwright: 1
system: Billing_System
platform: {broker: rabbitmq}
services:
  invoicer:
    consumes: [invoice-due]
    datastores: {ledger: spanner, cache: {kind: redis}}
    runtime: {replicas: 0}
  scheduler:
    language: rust
    publishes: [invoice-due]
    runtime: {autoscale: {min: 0, max: 3}}
topics:
  invoice-due: {}
"""


@pytest.mark.parametrize("text", [WORKER_ONLY, "meshwright: 1\nsystem: empty\n"], ids=["workers", "empty"])
def test_every_target_is_valid(text: str, tmp_path: Path) -> None:
    model = load_text(text).model
    out = write(tmp_path, emit_all(model))
    base = kubectl_kustomize(out / "kubernetes" / "base")
    for layer in ("base", "overlays/dev", "overlays/prod"):
        for obj in kubectl_kustomize(out / "kubernetes" / layer):
            kubernetes_validate.validate(obj, kubernetes_validate.latest_version(), strict=True)
    [chart] = (out / "helm").iterdir()
    result = helm_lint(chart)
    assert not result["Errors"] and all(m["Severity"] < 2 for m in result["Messages"]), result

    def key(o: dict[str, object]) -> tuple[str, str]:
        return (str(o["kind"]), str(o["metadata"]["name"]))  # type: ignore[index]

    ns = base[0]["metadata"]["namespace"]
    assert sorted(helm_render(chart, ns), key=key) == sorted(base, key=key)
    [doc] = load_all((out / "compose" / "compose.yaml").read_text(encoding="utf-8"))
    COMPOSE.validate(doc)


def test_workers_without_apis_get_no_service_and_reach_the_broker(tmp_path: Path) -> None:
    model = load_text(WORKER_ONLY).model
    out = write(tmp_path, emit_all(model))
    objs = {(o["kind"], o["metadata"]["name"]): o for o in kubectl_kustomize(out / "kubernetes" / "base")}
    assert ("Service", "invoicer") not in objs
    assert objs["Deployment", "invoicer"]["metadata"]["namespace"] == "billing-system"
    egress = objs["NetworkPolicy", "invoicer"]["spec"]["egress"]
    peers = {r["to"][0]["podSelector"]["matchLabels"].get("app.kubernetes.io/name") for r in egress[1:]}
    assert peers == {"rabbitmq", "cache"}  # spanner is managed elsewhere: no rule
    [doc] = load_all((out / "compose" / "compose.yaml").read_text(encoding="utf-8"))
    assert set(doc["services"]) == {"invoicer", "scheduler", "rabbitmq", "cache"}
    assert "HEALTHCHECK NONE" in (out / "docker" / "invoicer" / "Dockerfile").read_text(encoding="utf-8")
