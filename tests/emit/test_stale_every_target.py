"""Every emit target, emitted again after a service is removed, leaves exactly what a fresh
emit of the smaller model writes: none of the removed service's files or objects, and a
file of the user's own untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from meshwright.cli import app
from meshwright.output import MANIFEST

TWO = """\
meshwright: 1
system: pair
platform: {namespace: pair, mesh: istio, broker: BROKER, secrets: vault}
services:
  front:
    image: registry.example/pair/front:1.0.0
    language: go
    runtime: {replicas: 2}
    apis: [{name: Front, protocol: http, port: 8080, operations: {Home: {publishes: [order-placed]}}}]
    publishes: [order-placed]
    slo: {availability: 99.9}
    calls: [{to: billing.Charge, timeout: 1s}]
  billing:
    image: registry.example/pair/billing:1.0.0
    language: python
    runtime: {replicas: 2}
    apis:
      - {name: Billing, protocol: grpc, port: 7070, operations: {Charge: {}}}
      - {name: BillingHttp, protocol: http, port: 8081, operations: {Invoice: {idempotent: true}}}
      - {name: BillingEvents, protocol: event, operations: {OnOrder: {idempotent: true}}}
    consumes: [{topic: order-placed, group: billing, operation: OnOrder, idempotent: true}]
    secrets: [billing-key]
    slo: {availability: 99.9, latency: {p99: 300ms}}
    authorization: [{allow: [front]}]
topics:
  order-placed: {partitions: 6, replication: 3}
entrypoints:
  - {operation: front.Home, rate: 10/s, rate_limit: 100/s}
  - {operation: billing.Invoice, rate: 1/s, rate_limit: 10/s}
"""
"""Service billing has a file or an object in every target: a Deployment, a Dockerfile, a
consumer group, contracts for each protocol, a Vault policy, SLO rules, mesh policies, a
route at the edge, etcd keys."""


def _without_billing(text: str) -> str:
    lines = text.splitlines(keepends=True)
    start = lines.index("  billing:\n")
    end = lines.index("topics:\n")
    kept = [line for line in lines[:start] + lines[end:] if "billing" not in line]
    return "".join(kept)


TARGETS = [
    "kubernetes", "helm", "compose", "docker", "kafka", "rabbitmq", "asyncapi", "openapi",
    "protobuf", "vault", "observability", "istio", "consul", "linkerd", "linkerd-profiles",
    "etcd", "gateway",
]
runner = CliRunner()


def _emit(model: Path, text: str, target: str, out: Path) -> None:
    model.write_text(text, encoding="utf-8")
    r = runner.invoke(app, ["emit", target, str(model), "-o", str(out)])
    assert r.exit_code == 0, r.output


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_registry_lists_no_target_this_test_misses() -> None:
    from meshwright.emit.registry import targets

    assert {t.name for t in targets()} == set(TARGETS)


@pytest.mark.parametrize("target", TARGETS)
def test_emitting_after_a_service_is_removed_equals_a_fresh_emit(tmp_path: Path, target: str) -> None:
    two = TWO.replace("BROKER", "rabbitmq" if target == "rabbitmq" else "kafka")
    one = _without_billing(two)
    assert "billing" not in one and "front:" in one
    model, out, fresh = tmp_path / "mesh.yaml", tmp_path / "out", tmp_path / "fresh"
    _emit(model, two, target, out)
    before = _tree(out)
    assert any(b"billing" in data for data in before.values()), "billing must be in the first emit"
    (out / "mine.txt").write_text("mine\n", encoding="utf-8")

    _emit(model, one, target, out)
    _emit(model, one, target, fresh)
    after = _tree(out)
    assert after.pop("mine.txt") == b"mine\n"
    assert after == _tree(fresh)
    assert not [path for path, data in after.items() if b"billing" in data or "billing" in path]
    assert MANIFEST in after
