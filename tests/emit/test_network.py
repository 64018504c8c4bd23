"""NetworkPolicies: default deny, one ingress rule per real caller, egress as modelled."""

from __future__ import annotations

from typing import Any

from emit.helpers import fixture_model
from meshwright.emit.kubernetes import base_files
from meshwright.emit.kubernetes.network import service_policy

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
    assert _peers(service_policy(model, "cart")["spec"]["ingress"], "from") == {
        ("frontend", 7070),
        ("checkout", 7070),
    }
    assert _peers(service_policy(model, "payment")["spec"]["ingress"], "from") == {("checkout", 50051)}
    assert "ingress" not in service_policy(model, "email")["spec"]  # nobody calls it


def test_public_service_accepts_traffic_from_anywhere_on_its_port() -> None:
    assert _peers(service_policy(fixture_model(), "frontend")["spec"]["ingress"], "from") == {("*", 8080)}


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
