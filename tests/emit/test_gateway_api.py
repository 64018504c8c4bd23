"""The Gateway API target: schema-valid resources, golden files for both examples, selection
by build (never a second edge beside Istio's), and routes carrying the edge timeout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emit.crd_schemas import validate_resource
from emit.helpers import check_golden
from meshwright.analysis.timeouts import worst_case_time
from meshwright.emit import emit_all
from meshwright.emit.gateway_api import notes as gateway_notes
from meshwright.emit.registry import emit_target, network_view
from meshwright.emit.yamltext import load_all
from meshwright.model import Model, load_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OBJ = dict[str, Any]

EDGE = """
meshwright: 1
system: edge
platform: {mesh: linkerd}
services:
  web:
    expose: public
    apis:
      - name: Web
        protocol: http
        port: 8080
        operations: {Home: {}, Slow: {service_time: {mean: 20ms, p99: 120ms}}}
    calls: [{to: api.Get, timeout: 300ms, retries: {attempts: 2, per_try_timeout: 140ms}}]
  mobile:
    expose: public
    apis: [{name: mobile.v1.Mobile, protocol: grpc, port: 7070, operations: {Feed: {}}}]
  api:
    apis:
      - name: pkg.Api
        protocol: grpc
        port: 7070
        operations: {Get: {service_time: {mean: 50ms, p99: 400ms}}}
entrypoints:
  - {name: home, operation: web.Home, rate: 10/s, rate_limit: 50/s}
  - {name: feed, operation: mobile.Feed, rate: 5/s}
"""


def _edge(tmp_path: Path, text: str = EDGE) -> Model:
    path = tmp_path / "edge.yaml"
    path.write_text(text, encoding="utf-8")
    return load_model(path).model


def _docs(model: Model) -> list[OBJ]:
    return [d for a in emit_target("gateway", model) if a.path == "gateway.yaml" for d in load_all(a.content)]


def _seconds(text: str) -> float:
    return int(text[:-2]) / 1000 if text.endswith("ms") else float(text[:-1])


def test_golden_files() -> None:
    # online-boutique (no mesh, a public frontend) selects the target: its golden files are
    # under golden/online-boutique/gateway/, checked by test_examples through emit_all
    boutique = load_model(EXAMPLES / "online-boutique").model
    assert any(a.path.startswith("gateway/") for a in emit_all(boutique))
    check_golden("gateway-shop", emit_target("gateway", load_model(EXAMPLES / "shop").model))


@pytest.mark.parametrize("name", ["shop", "online-boutique"])
def test_every_resource_is_valid_against_the_gateway_api_schema(name: str) -> None:
    docs = _docs(load_model(EXAMPLES / name).model)
    assert {d["kind"] for d in docs} == {"Gateway", "HTTPRoute"}
    for doc in docs:
        validate_resource(doc)


def test_build_never_writes_a_second_edge(tmp_path: Path) -> None:
    shop = load_model(EXAMPLES / "shop").model  # platform.mesh: istio
    paths = [a.path for a in emit_all(shop)]
    assert "istio/gateway.yaml" in paths and not any(p.startswith("gateway/") for p in paths)
    for mesh in ("linkerd", "consul", "none"):
        model = _edge(tmp_path, EDGE.replace("mesh: linkerd", f"mesh: {mesh}"))
        paths = [a.path for a in emit_all(model)]
        assert "gateway/gateway.yaml" in paths and not any(p.startswith("istio/") for p in paths)
    internal = _edge(tmp_path, EDGE.replace("expose: public", "expose: internal"))
    assert not any(a.path.startswith("gateway/") for a in emit_all(internal))


def test_routes_carry_the_edge_timeout_and_grpc_gets_a_grpc_route(tmp_path: Path) -> None:
    model = _edge(tmp_path)
    docs = _docs(model)
    for doc in docs:
        validate_resource(doc)
    [gateway] = [d for d in docs if d["kind"] == "Gateway"]
    assert gateway["spec"]["gatewayClassName"] == "eg"
    [http] = [d for d in docs if d["kind"] == "HTTPRoute"]
    [rule] = http["spec"]["rules"]
    assert rule["backendRefs"] == [{"name": "web", "port": 8080}]
    view = network_view(model)
    worst = max(worst_case_time(view, f"web.{op}") for op in ("Home", "Slow"))
    timeouts = rule["timeouts"]
    assert timeouts["request"] == timeouts["backendRequest"]
    # the edge waits as long as the slowest operation may legitimately take, and no longer
    assert worst <= _seconds(timeouts["request"]) < worst + 0.001
    assert worst > 0.28  # Home's two tries of api.Get, 140 ms each, count
    [grpc] = [d for d in docs if d["kind"] == "GRPCRoute"]
    assert grpc["spec"]["rules"] == [
        {
            "matches": [{"method": {"service": "mobile.v1.Mobile"}}],
            "backendRefs": [{"name": "mobile", "port": 7070}],
        }
    ]
    found = {n.path: n.message for n in gateway_notes(model)}
    assert "no rate-limit field" in found[("entrypoints", 0, "rate_limit")]
    assert "GRPCRoute has no timeouts field" in found[("services", "mobile", "apis", 0)]
    text = next(a.content for a in emit_target("gateway", model) if a.path == "NOTES.md")
    assert "`entrypoints[0].rate_limit`" in text


def test_consul_uses_its_api_gateway_class(tmp_path: Path) -> None:
    model = _edge(tmp_path, EDGE.replace("mesh: linkerd", "mesh: consul"))
    [gateway] = [d for d in _docs(model) if d["kind"] == "Gateway"]
    assert gateway["spec"]["gatewayClassName"] == "consul"


def test_several_public_http_services_are_said_to_overlap(tmp_path: Path) -> None:
    text = EDGE.replace(
        "  api:\n",
        "  admin:\n    expose: public\n    apis: [{name: Admin, protocol: http, port: 8081}]\n  api:\n",
    )
    model = _edge(tmp_path, text)
    assert any("oldest route wins" in n.message for n in gateway_notes(model))
    # an API without operations has no worst case to bound it: no timeout rather than a made-up one
    [admin] = [d for d in _docs(model) if d["metadata"]["name"] == "admin-admin"]
    assert "timeouts" not in admin["spec"]["rules"][0]
