"""``service_port``: callers dial the Kubernetes Service port, pods and policies keep the
container port, and compose (which has no Services) dials the container port."""

from __future__ import annotations

from typing import Any

from meshwright.emit import emit_target
from meshwright.emit.kubernetes import base_files
from meshwright.emit.yamltext import load_all
from meshwright.model import Model, load_text

OBJ = dict[str, Any]

MODEL = """
meshwright: 1
system: ports
services:
  web:
    language: go
    expose: public
    apis:
      - name: Web
        protocol: http
        port: 8080
        service_port: 80
        operations: {Home: {}}
    calls:
      - to: mail.Send
      - to: stock.Get
  mail:
    language: python
    apis:
      - name: Mail
        protocol: grpc
        port: 8080
        service_port: 5000
        operations: {Send: {}}
  stock:
    language: go
    apis:
      - name: Stock
        protocol: grpc
        port: 7070
        operations: {Get: {}}
"""


def _model() -> Model:
    return load_text(MODEL, "ports.yaml").model


def _objects(model: Model, kind: str) -> dict[str, OBJ]:
    return {
        o["metadata"]["name"]: o for objs in base_files(model).values() for o in objs if o["kind"] == kind
    }


def _env(deployment: OBJ) -> dict[str, str]:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {v["name"]: v["value"] for v in container.get("env", [])}


def test_service_listens_on_service_port_and_targets_the_named_container_port() -> None:
    model = _model()
    services, deployments = _objects(model, "Service"), _objects(model, "Deployment")
    mail_port, metrics = services["mail"]["spec"]["ports"]
    assert (mail_port["port"], mail_port["targetPort"]) == (5000, "grpc-8080")
    assert (metrics["name"], metrics["port"], metrics["targetPort"]) == ("metrics", 9090, "metrics")
    [container] = deployments["mail"]["spec"]["template"]["spec"]["containers"]
    assert container["ports"] == [
        {"name": "grpc-8080", "containerPort": 8080, "protocol": "TCP"},
        {"name": "metrics", "containerPort": 9090, "protocol": "TCP"},
    ]
    stock_port, _ = services["stock"]["spec"]["ports"]
    assert (stock_port["port"], stock_port["targetPort"]) == (7070, "grpc-7070")  # default: port


def test_kubernetes_callers_dial_the_service_port() -> None:
    env = _env(_objects(_model(), "Deployment")["web"])
    assert env["MAIL_ADDR"] == "mail:5000"
    assert env["STOCK_ADDR"] == "stock:7070"


def test_network_policies_keep_container_ports() -> None:
    policies = _objects(_model(), "NetworkPolicy")
    mail_ingress = policies["mail"]["spec"]["ingress"]  # web, then Prometheus on the metrics port
    assert [p["port"] for rule in mail_ingress for p in rule["ports"]] == [8080, 9090]
    web_ingress = policies["web"]["spec"]["ingress"]  # public: anyone, on the pod's port
    assert [p["port"] for rule in web_ingress for p in rule["ports"]] == [8080, 9090]
    egress_ports = {p["port"] for rule in policies["web"]["spec"]["egress"] for p in rule["ports"]}
    assert 8080 in egress_ports and 5000 not in egress_ports


def test_compose_callers_dial_the_container_port() -> None:
    [artifact] = [a for a in emit_target("compose", _model()) if a.path == "compose.yaml"]
    [doc] = load_all(str(artifact.content))
    assert doc["services"]["web"]["environment"]["MAIL_ADDR"] == "mail:8080"
    assert doc["services"]["web"]["ports"] == ["127.0.0.1:8080:8080"]
