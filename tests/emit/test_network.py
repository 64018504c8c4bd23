"""NetworkPolicies: default deny, one ingress rule per real caller, egress as modelled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emit.helpers import fixture_model
from meshwright.authorization import allowed_callers, denied_edges
from meshwright.emit.conventions import METRICS_PORT
from meshwright.emit.kubernetes import base_files
from meshwright.emit.kubernetes.network import service_policy
from meshwright.model import load_model, load_text
from meshwright.model.types import Telemetry

ROOT = Path(__file__).resolve().parents[2]

OBJ = dict[str, Any]


def _peers(rules: list[OBJ], key: str) -> set[tuple[str, int]]:
    out = set()
    for rule in rules:
        names = [
            p["podSelector"]["matchLabels"].get("app.kubernetes.io/name", "*") for p in rule.get(key, [])
        ]
        for name in names or ["*"]:
            out |= {(name, p["port"]) for p in rule["ports"]}
    return out


def test_default_deny_covers_every_pod() -> None:
    deny = base_files(fixture_model())["default-deny.yaml"][0]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_ingress_allows_exactly_the_callers_on_the_called_port() -> None:
    model = fixture_model()
    scrape = ("prometheus", 9090)  # Prometheus reaches every pod's metrics port
    assert _peers(service_policy(model, "cart")["spec"]["ingress"], "from") == {
        ("frontend", 7070),
        ("checkout", 7070),
        scrape,
    }
    payment = service_policy(model, "payment")["spec"]["ingress"]
    assert _peers(payment, "from") == {("checkout", 50051), scrape}
    assert _peers(service_policy(model, "email")["spec"]["ingress"], "from") == {scrape}  # nobody calls it


def test_public_service_accepts_traffic_from_anywhere_on_its_port() -> None:
    assert _peers(service_policy(fixture_model(), "frontend")["spec"]["ingress"], "from") == {
        ("*", 8080),
        ("prometheus", 9090),
    }


def test_prometheus_reaches_the_metrics_port_only_when_it_scrapes() -> None:
    model = fixture_model()
    ingress = service_policy(model, "cart")["spec"]["ingress"]
    [scrape] = [r for r in ingress if "namespaceSelector" in r["from"][0]]
    prometheus = {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}
    assert scrape["from"] == [{"namespaceSelector": {}, "podSelector": prometheus}]
    off = model.model_copy(
        update={"platform": model.platform.model_copy(update={"telemetry": Telemetry(metrics="none")})}
    )
    callers = {("frontend", 7070), ("checkout", 7070)}
    assert _peers(service_policy(off, "cart")["spec"]["ingress"], "from") == callers
    assert "ingress" not in service_policy(off, "email")["spec"]


def test_egress_reaches_dns_callees_broker_and_datastores() -> None:
    egress = service_policy(fixture_model(), "checkout")["spec"]["egress"]
    assert egress[0]["ports"] == [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
    assert _peers(egress[1:], "to") == {
        ("cart", 7070),
        ("payment", 50051),
        ("kafka", 9092),
        ("orders-db", 5432),
    }
    consumer = service_policy(fixture_model(), "email")["spec"]["egress"]
    assert _peers(consumer[1:], "to") == {("kafka", 9092)}


AUTHZ = """meshwright: 1
system: authz
services:
  web:
    expose: public
    apis: [{name: Web, port: 8080, operations: {Home: {}}}]
    calls:
      - {to: payment.Charge, timeout: 1s}
      - {to: payment.Refund, timeout: 1s}
      - {to: ledger.Read, timeout: 1s}
  batch:
    apis: [{name: Batch, port: 8080, operations: {Run: {}}}]
    calls: [{to: ledger.Read, timeout: 1s}]
  audit:
    apis: [{name: Audit, port: 8080, operations: {Scan: {}}}]
  payment:
    apis:
      - {name: Payment, protocol: grpc, port: 50051, operations: {Charge: {}}}
      - {name: Admin, protocol: http, port: 9000, operations: {Refund: {}}}
    authorization:
      - {allow: [web], operations: [Charge]}
      - {allow: [audit]}
  ledger:
    apis: [{name: Ledger, port: 7000, operations: {Read: {}}}]
    authorization: [{allow: [batch]}]
"""


def test_policies_allow_exactly_call_graph_and_authorization() -> None:
    """web calls payment.Charge (allowed), payment.Refund (not allowed: another port) and
    ledger.Read (not allowed); audit is allowed by payment but calls nothing."""
    model = load_text(AUTHZ).model
    scrape = ("prometheus", 9090)
    assert _peers(service_policy(model, "payment")["spec"]["ingress"], "from") == {("web", 50051), scrape}
    assert _peers(service_policy(model, "ledger")["spec"]["ingress"], "from") == {("batch", 7000), scrape}
    web_egress = service_policy(model, "web")["spec"]["egress"][1:]
    assert _peers(web_egress, "to") == {("payment", 50051)}
    assert _peers(service_policy(model, "batch")["spec"]["egress"][1:], "to") == {("ledger", 7000)}
    assert _peers(service_policy(model, "audit")["spec"]["ingress"], "from") == {scrape}
    assert allowed_callers(model, "payment") == {"web": ["Charge"]}
    assert [e.callee for e in denied_edges(model)] == ["payment.Refund", "ledger.Read"]


@pytest.mark.parametrize("example", ["shop", "online-boutique"])
def test_example_ingress_is_the_allowed_callers(example: str) -> None:
    """Every ingress peer of every policy is an allowed caller from
    :func:`meshwright.authorization.allowed_callers`, on the ports of the operations it may call."""
    model = load_model(ROOT / "examples" / example).model
    for name, svc in model.services.items():
        expected = {
            (caller, api.listen_port)
            for caller, ops in allowed_callers(model, name).items()
            if caller != name
            for op in ops
            if (api := svc.api_of(op)) is not None
        }
        rules = [r for r in service_policy(model, name)["spec"].get("ingress", []) if "from" in r]
        assert _peers(rules, "from") - {("prometheus", METRICS_PORT)} == expected, name
