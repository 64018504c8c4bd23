"""Unusual but valid models: every target still produces valid files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest

from emit.helpers import HERE, helm_lint, helm_render, kubectl_kustomize, write
from meshwright.emit import emit_all
from meshwright.emit.kubernetes import base_files
from meshwright.emit.yamltext import load_all
from meshwright.errors import ModelError
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


def test_workers_without_apis_are_probed_on_the_metrics_port_and_reach_the_broker(tmp_path: Path) -> None:
    """A worker has no API, yet it gets the health and metrics port every workload serves:
    probes, a Service with the `metrics` port for Prometheus, and a Docker HEALTHCHECK."""
    model = load_text(WORKER_ONLY).model
    out = write(tmp_path, emit_all(model))
    objs = {(o["kind"], o["metadata"]["name"]): o for o in kubectl_kustomize(out / "kubernetes" / "base")}
    [port] = objs["Service", "invoicer"]["spec"]["ports"]
    assert (port["name"], port["port"], port["targetPort"]) == ("metrics", 9090, "metrics")
    deployment = objs["Deployment", "invoicer"]
    assert deployment["metadata"]["namespace"] == "billing-system"
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["ports"] == [{"name": "metrics", "containerPort": 9090, "protocol": "TCP"}]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "metrics"}, probe
    egress = objs["NetworkPolicy", "invoicer"]["spec"]["egress"]
    peers = {r["to"][0]["podSelector"]["matchLabels"].get("app.kubernetes.io/name") for r in egress[1:]}
    assert peers == {"rabbitmq", "cache"}  # spanner is managed elsewhere: no rule
    [scrape] = objs["NetworkPolicy", "invoicer"]["spec"]["ingress"]  # nobody calls it: Prometheus only
    assert scrape["from"][0]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "prometheus"}
    assert scrape["ports"] == [{"port": 9090, "protocol": "TCP"}]
    [doc] = load_all((out / "compose" / "compose.yaml").read_text(encoding="utf-8"))
    telemetry = {"otel-collector", "jaeger", "prometheus", "grafana"}  # default platform.telemetry
    assert set(doc["services"]) == {"invoicer", "scheduler", "rabbitmq", "cache"} | telemetry
    assert doc["services"]["invoicer"]["healthcheck"]["test"][-1] == "http://127.0.0.1:9090/healthz"
    dockerfile = (out / "docker" / "invoicer" / "Dockerfile").read_text(encoding="utf-8")
    assert "EXPOSE 9090\n" in dockerfile and "http://127.0.0.1:9090/healthz" in dockerfile


def test_metrics_port_is_configurable_and_never_an_api_port() -> None:
    text = WORKER_ONLY.replace("runtime: {replicas: 0}", "runtime: {replicas: 0, metrics_port: 9500}")
    model = load_text(text).model
    [service] = [o for o in base_files(model)["invoicer.yaml"] if o["kind"] == "Service"]
    assert service["spec"]["ports"][0]["port"] == 9500
    clash = WORKER_ONLY.replace(
        "    runtime: {replicas: 0}\n",
        "    runtime: {replicas: 0}\n    apis: [{name: Admin, port: 9090, operations: {Get: {}}}]\n",
    )
    with pytest.raises(ModelError) as err:
        load_text(clash, "m.yaml")
    [diag] = err.value.diagnostics
    assert "9090" in diag.message and "health and metrics port" in diag.message
    assert diag.location.line == 9 and "metrics_port" in diag.hint
