"""The Istio target: schema-valid resources, golden files, and routes/authorization that
say exactly what the call-policy and authorization modules say."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from emit.helpers import HERE, check_golden, fixture_model
from meshwright.authorization import allowed_callers
from meshwright.callpolicy import RETRY_ON_RENDERING, mesh_route_policy
from meshwright.emit import emit_all
from meshwright.emit.istio import notes as istio_notes
from meshwright.emit.registry import emit_target, network_view
from meshwright.emit.yamltext import load_all
from meshwright.graph import edges
from meshwright.model import Model, load_model
from meshwright.model.types import Mesh

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCHEMAS = HERE / "schemas" / "istio"
KINDS = {
    "VirtualService": "networking_virtualservice_v1",
    "DestinationRule": "networking_destinationrule_v1",
    "Gateway": "networking_gateway_v1",
    "AuthorizationPolicy": "security_authorizationpolicy_v1",
    "PeerAuthentication": "security_peerauthentication_v1",
    "EnvoyFilter": "networking_envoyfilter_v1alpha3",
}
OBJ = dict[str, Any]

MESH_RETRIES = """
meshwright: 1
system: meshy
platform: {mesh: istio}
services:
  web:
    expose: public
    apis: [{name: Web, protocol: http, port: 8080, operations: {Home: {}}}]
    calls:
      - to: api.Get
        timeout: 900ms
        mesh_retries: {attempts: 3, per_try_timeout: 250ms, retry_on: [unavailable, timeout]}
      - to: api.Put
        timeout: 2s
        retries: {attempts: 3, per_try_timeout: 500ms}
  batch:
    apis: [{name: Batch, protocol: http, port: 8081, operations: {Run: {}}}]
    calls:
      - to: api.Get
        timeout: 1s
        mesh_retries: {attempts: 2, per_try_timeout: 300ms, retry_on: [5xx], backoff: {base: 10ms}}
  api:
    authorization: [{allow: [web], operations: [Get, Put]}]
    apis: [{name: pkg.Api, protocol: grpc, port: 7070, operations: {Get: {}, Put: {}}}]
entrypoints:
  - {operation: web.Home, rate: 10/s}
"""


def _meshy(tmp_path: Path) -> Model:
    path = tmp_path / "mesh.yaml"
    path.write_text(MESH_RETRIES, encoding="utf-8")
    return load_model(path).model


def _models(tmp_path: Path) -> dict[str, Model]:
    return {
        "shop": load_model(EXAMPLES / "shop").model,
        "minishop": fixture_model(),
        "meshy": _meshy(tmp_path),
    }


@pytest.fixture(params=["shop", "minishop", "meshy"])
def model(request: pytest.FixtureRequest, tmp_path: Path) -> Model:
    return _models(tmp_path)[request.param]


def _docs(model: Model) -> list[OBJ]:
    return [d for a in emit_target("istio", model) if a.path.endswith(".yaml") for d in load_all(a.content)]


def _seconds(text: str) -> float:
    m = re.fullmatch(r"(\d+)(ms|s)", text)
    assert m, text
    return int(m[1]) / (1000 if m[2] == "ms" else 1)


def test_golden_files() -> None:
    check_golden("istio-minishop", emit_target("istio", fixture_model()))
    # examples/shop selects Istio (platform.mesh), so its golden files under
    # golden/shop/istio/ are checked by test_examples through emit_all.
    assert any(a.path.startswith("istio/") for a in emit_all(load_model(EXAMPLES / "shop").model))


def test_build_selects_istio_only_by_platform_mesh() -> None:
    assert fixture_model().platform.mesh is Mesh.none
    assert not any(a.path.startswith("istio/") for a in emit_all(fixture_model()))


def test_every_resource_is_valid_against_the_istio_crd_schema(model: Model) -> None:
    kinds = set()
    for doc in _docs(model):
        kinds.add(doc["kind"])
        if doc["kind"] == "Namespace":
            assert doc["metadata"]["labels"]["istio-injection"] == "enabled"
            continue
        schema = json.loads((SCHEMAS / f"{KINDS[doc['kind']]}.json").read_text(encoding="utf-8"))
        jsonschema.Draft7Validator(schema).validate(doc)
        assert doc["apiVersion"].endswith("/v1alpha3" if doc["kind"] == "EnvoyFilter" else "/v1")
    assert {"VirtualService", "DestinationRule", "AuthorizationPolicy", "PeerAuthentication"} <= kinds


def _routes(model: Model) -> dict[tuple[str, str], list[OBJ]]:
    out: dict[tuple[str, str], list[OBJ]] = {}
    for d in _docs(model):
        if d["kind"] == "VirtualService" and "gateways" not in d["spec"]:
            out[(d["metadata"]["name"], "")] = d["spec"]["http"]
    return out


def test_every_route_says_exactly_the_mesh_route_policy(model: Model) -> None:
    view = network_view(model)
    routes = _routes(model)
    notes = next(a.content for a in emit_target("istio", model) if a.path == "NOTES.md")
    checked = 0
    for e in edges(view):
        callee = view.services[e.callee_service]
        api = callee.api_of(e.call.target_operation)
        if api is None:
            continue
        want_match: OBJ = {
            "sourceLabels": {"app.kubernetes.io/name": e.caller_service},
            "port": api.call_port,
        }
        if api.protocol == "grpc":
            want_match["uri"] = {"exact": f"/{api.name}/{e.call.target_operation}"}
        [route] = [r for r in routes[(e.callee_service, "")] if r.get("match") == [want_match]]
        p = mesh_route_policy(e.call)
        retries = route["retries"]
        if retries["attempts"] != p.retries or ("timeout" in route) != (p.timeout is not None):
            assert f"{e.caller} -> {e.callee} shares the route" in notes
            continue
        checked += 1
        assert retries["attempts"] == p.retries
        if p.timeout is not None:
            assert _seconds(route["timeout"]) == pytest.approx(p.timeout)
        if p.retries == 0:
            assert retries == {"attempts": 0}
            continue
        assert (_seconds(retries["perTryTimeout"]) if "perTryTimeout" in retries else None) == (
            pytest.approx(p.per_try_timeout) if p.per_try_timeout is not None else None
        )
        want_on = {
            t
            for w in p.retry_on
            for t in (
                *RETRY_ON_RENDERING[w][Mesh.istio].retry_on,
                *map(str, RETRY_ON_RENDERING[w][Mesh.istio].status_codes),
            )
        }
        assert set(retries["retryOn"].split(",")) == want_on
        for w in p.retry_on:
            if not RETRY_ON_RENDERING[w][Mesh.istio].exact:
                assert f"{e.caller} -> {e.callee}: retry_on '{w}'" in notes
    assert checked > 0
    for http in routes.values():
        assert http[-1]["retries"] == {"attempts": 0} and "match" not in http[-1]


def test_mesh_retries_are_rendered_and_inexact_parts_are_said(tmp_path: Path) -> None:
    model = _meshy(tmp_path)
    api = _routes(model)[("api", "")]
    by_name = {r["name"]: r for r in api}
    get = by_name["web-home-to-api-get"]
    assert get["retries"] == {"attempts": 2, "perTryTimeout": "250ms", "retryOn": "unavailable,503,reset"}
    assert get["timeout"] == "900ms"
    assert get["match"][0]["sourceLabels"] == {"app.kubernetes.io/name": "web"}
    batch = by_name["batch-run-to-api-get"]
    assert batch["retries"] == {"attempts": 1, "perTryTimeout": "300ms", "retryOn": "5xx"}
    text = next(a.content for a in emit_target("istio", model) if a.path == "api.yaml")
    assert "# web.Home -> api.Get: retry_on 'timeout' is rendered as 'reset'" in text
    assert "# batch.Run -> api.Get: mesh_retries.backoff cannot be set" in text


def test_application_retries_only_switch_istio_retries_off(tmp_path: Path) -> None:
    model = _meshy(tmp_path)
    put = {r["name"]: r for r in _routes(model)[("api", "")]}["web-home-to-api-put"]
    assert put["retries"] == {"attempts": 0}
    # the route gives up when the application try would: its per_try_timeout
    assert put["timeout"] == "500ms"
    shop = load_model(EXAMPLES / "shop").model
    app_only = [e for e in edges(shop) if e.call.retries is not None and e.call.mesh_retries is None]
    assert app_only
    for e in app_only:
        assert mesh_route_policy(e.call).retries == 0
        routes = [
            r
            for r in _routes(shop)[(e.callee_service, "")]
            if "match" in r
            and r["match"][0]["sourceLabels"]["app.kubernetes.io/name"] == e.caller_service
            and r["match"][0]
            .get("uri", {"exact": "/" + e.call.target_operation})["exact"]
            .endswith("/" + e.call.target_operation)
        ]
        assert len(routes) == 1 and routes[0]["retries"] == {"attempts": 0}


def test_authorization_allows_exactly_the_permitted_calls(model: Model) -> None:
    view = network_view(model)
    ns = view.platform.namespace or view.system
    policies = {
        d["metadata"]["name"]: d["spec"]
        for d in _docs(model)
        if d["kind"] == "AuthorizationPolicy" and d["metadata"]["name"] != "allow-nothing"
    }
    assert any(d["kind"] == "AuthorizationPolicy" and d["spec"] == {} for d in _docs(model))
    for name, svc in view.services.items():
        spec = policies[name]
        assert spec["action"] == "ALLOW"
        got: dict[str, set[str]] = {}
        for rule in spec["rules"]:
            if "from" not in rule:
                assert rule["to"] == [
                    {
                        "operation": {
                            "ports": [str(svc.runtime.metrics_port)],
                            "methods": ["GET"],
                            "paths": ["/metrics", "/healthz"],
                        }
                    }
                ]
                continue
            [principal] = rule["from"][0]["source"]["principals"]
            if "istio-system" in principal:
                continue
            assert principal.startswith(f"cluster.local/ns/{ns}/sa/")
            caller = principal.rsplit("/", 1)[1]
            ops: set[str] = set()
            for to in rule["to"]:
                op = to["operation"]
                if "paths" in op:
                    ops |= {p.rsplit("/", 1)[1] for p in op["paths"]}
                else:
                    [port] = op["ports"]
                    ops |= {
                        o
                        for a in svc.apis
                        if a.protocol == "http" and str(a.listen_port) == port
                        for o in a.operations
                    }
            got[caller] = ops
        want = {c: set(ops) for c, ops in allowed_callers(view, name).items()}
        for caller, ops in want.items():
            api_protocols = {svc.api_of(o).protocol for o in ops}  # type: ignore[union-attr]
            if api_protocols == {"grpc"}:
                assert got[caller] == ops, (name, caller)
            else:
                assert got[caller] >= ops, (name, caller)
        assert set(got) == set(want), name


def test_denied_calls_get_no_allow_rule(tmp_path: Path) -> None:
    model = _meshy(tmp_path)
    spec = next(
        d["spec"]
        for d in _docs(model)
        if d["kind"] == "AuthorizationPolicy" and d["metadata"]["name"] == "api"
    )
    principals = [r["from"][0]["source"]["principals"][0] for r in spec["rules"] if "from" in r]
    assert principals == ["cluster.local/ns/meshy/sa/web"]


def test_mtls_false_is_permissive_and_said(tmp_path: Path) -> None:
    path = tmp_path / "mesh.yaml"
    path.write_text(
        MESH_RETRIES.replace("platform: {mesh: istio}", "platform: {mesh: istio, mtls: false}"),
        encoding="utf-8",
    )
    model = load_model(path).model
    pa = next(d for d in _docs(model) if d["kind"] == "PeerAuthentication")
    assert pa["spec"] == {"mtls": {"mode": "PERMISSIVE"}}
    assert all(
        d["spec"]["trafficPolicy"]["tls"]["mode"] == "DISABLE"
        for d in _docs(model)
        if d["kind"] == "DestinationRule"
    )
    assert "PERMISSIVE" in next(a.content for a in emit_target("istio", model) if a.path == "NOTES.md")


RATE_LIMITS = """
meshwright: 1
system: limited
platform: {mesh: istio}
services:
  web:
    expose: public
    rate_limit: {rate: 30/s, burst: 12}
    runtime: {replicas: 3}
    apis:
      - {name: Web, protocol: http, port: 8080, operations: {Home: {}, Search: {}}}
      - {name: shop.Api, protocol: grpc, port: 7070, operations: {Buy: {}, Look: {}}}
    calls: [{to: api.Get, timeout: 300ms}]
  api:
    apis: [{name: pkg.Api, protocol: grpc, port: 7070, operations: {Get: {}}}]
entrypoints:
  - {name: home, operation: web.Home, rate: 10/s, rate_limit: 25/s}
  - {name: search, operation: web.Search, rate: 5/s, rate_limit: {rate: 2.5/s, burst: 4}}
  - {name: buy, operation: web.Buy, rate: 1/s, rate_limit: 0.5/s}
  - {name: admin, operation: api.Get, rate: 1/s, public: false, rate_limit: 5/s}
"""


def _limited(tmp_path: Path) -> Model:
    path = tmp_path / "limited.yaml"
    path.write_text(RATE_LIMITS, encoding="utf-8")
    return load_model(path).model


def _bucket_rate(config: OBJ) -> float:
    tb = config["token_bucket"]
    return float(tb["tokens_per_fill"]) / _seconds(tb["fill_interval"])


def test_rate_limits_become_local_rate_limits(tmp_path: Path) -> None:
    model = _limited(tmp_path)
    docs = _docs(model)
    for doc in docs:
        if doc["kind"] in KINDS:
            schema = json.loads((SCHEMAS / f"{KINDS[doc['kind']]}.json").read_text(encoding="utf-8"))
            jsonschema.Draft7Validator(schema).validate(doc)
    ingress = next(
        d for d in docs if d["kind"] == "VirtualService" and d["metadata"]["name"] == "web-ingress"
    )
    routes = {r["name"]: r for r in ingress["spec"]["http"]}
    # the rate-limited gRPC entrypoint has its own route, by method path, before the API's prefix route
    assert routes["web-buy"]["match"] == [{"uri": {"exact": "/shop.Api/Buy"}}]
    names = [r["name"] for r in ingress["spec"]["http"]]
    assert names.index("web-buy") < names.index("web-shop-api") < names.index("web")
    assert "match" not in ingress["spec"]["http"][-1]
    gw = next(d for d in docs if d["kind"] == "EnvoyFilter" and d["metadata"]["namespace"] == "istio-system")
    assert gw["spec"]["workloadSelector"] == {"labels": {"istio": "ingressgateway"}}
    per_route = {
        p["match"]["routeConfiguration"]["vhost"]["route"]["name"]: p["patch"]["value"][
            "typed_per_filter_config"
        ]["envoy.filters.http.local_ratelimit"]
        for p in gw["spec"]["configPatches"]
        if p["applyTo"] == "HTTP_ROUTE"
    }
    assert set(per_route) == {"web", "web-buy"}
    assert _bucket_rate(per_route["web-buy"]) == pytest.approx(0.5)
    # two HTTP entrypoints share the HTTP API's route: one bucket of both limits
    assert _bucket_rate(per_route["web"]) == pytest.approx(27.5)
    assert per_route["web"]["token_bucket"]["max_tokens"] == 25 + 4
    # the service's limit: its share per replica on the sidecar's inbound API ports
    side = next(d for d in docs if d["kind"] == "EnvoyFilter" and d["metadata"]["name"] == "web-rate-limit")
    assert side["spec"]["workloadSelector"] == {"labels": {"app.kubernetes.io/name": "web"}}
    patches = side["spec"]["configPatches"]
    assert sorted(p["match"]["listener"]["portNumber"] for p in patches) == [7070, 8080]
    for p in patches:
        config = p["patch"]["value"]["typed_config"]
        assert p["match"]["context"] == "SIDECAR_INBOUND"
        assert _bucket_rate(config) == pytest.approx(10.0)
        assert config["token_bucket"]["max_tokens"] == 4
    notes = {(n.path, n.message.split(":")[0]) for n in istio_notes(model)}
    assert (("entrypoints", 3, "rate_limit"), "entrypoint admin") in notes
    assert (("services", "web", "rate_limit"), "web") in notes
    assert any(p == ("entrypoints", 0, "rate_limit") for p, _ in notes)


def test_every_note_names_the_model_path_it_comes_from(model: Model) -> None:
    for n in istio_notes(model):
        assert n.mesh == "istio"
        node: Any = model
        for i, part in enumerate(n.path):
            if isinstance(part, int):
                node = node[part]
            elif isinstance(node, dict):
                node = node[part]
            else:
                field = getattr(node, part)
                if field is None:
                    assert i == len(n.path) - 1 or n.path[i + 1] in ("max_queue", "half_open_requests"), n
                    break
                node = field
        call_path = n.path[: n.path.index("calls") + 2] if "calls" in n.path else None
        if call_path is not None:
            call: Any = model
            for part in call_path:
                call = (
                    call[part]
                    if isinstance(part, int)
                    else (call[part] if isinstance(call, dict) else getattr(call, part))
                )
            assert f"-> {call.target_service}" in n.message, n


def test_notes_locate_calls_behind_an_event_api(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(
        """
meshwright: 1
system: events
platform: {mesh: istio, broker: kafka}
topics: {orders: {}}
services:
  worker:
    consumes: [{topic: orders, operation: OnOrder}]
    apis:
      - {name: Events, protocol: event, operations: {OnOrder: {}}}
      - name: Http
        protocol: http
        port: 8080
        operations:
          Run:
            calls: [{to: api.Get, timeout: 1s, mesh_retries: {attempts: 2, backoff: {base: 10ms}}}]
  api:
    apis: [{name: Api, protocol: http, port: 8080, operations: {Get: {idempotent: true}}}]
  src:
    publishes: [orders]
""",
        encoding="utf-8",
    )
    model = load_model(path).model
    [backoff] = [n for n in istio_notes(model) if "backoff" in n.message]
    assert backoff.path == (
        "services",
        "worker",
        "apis",
        1,
        "operations",
        "Run",
        "calls",
        0,
        "mesh_retries",
        "backoff",
    )


def test_the_istio_namespace_is_the_prod_overlay_namespace() -> None:
    shop = load_model(EXAMPLES / "shop").model
    files = {a.path: a.content for a in emit_all(shop)}
    [istio_ns] = [d for d in load_all(files["istio/mesh.yaml"]) if d["kind"] == "Namespace"]
    [prod] = load_all(files["kubernetes/overlays/prod/namespace.yaml"])
    [dev] = load_all(files["kubernetes/overlays/dev/namespace.yaml"])
    assert istio_ns == prod
    assert prod["metadata"]["labels"]["istio-injection"] == "enabled"
    # dev runs without sidecars: no Istio policy names its namespace
    assert "istio-injection" not in dev["metadata"]["labels"]
    istio_namespaces = {
        d["metadata"].get("namespace", d["metadata"]["name"])
        for path, text in files.items()
        if path.startswith("istio/") and path.endswith(".yaml")
        for d in load_all(text)
    }
    assert dev["metadata"]["name"] not in istio_namespaces
    assert istio_namespaces == {prod["metadata"]["name"], "istio-system"} or istio_namespaces == {
        prod["metadata"]["name"]
    }


def test_no_route_is_left_to_istio_default_retries(model: Model, tmp_path: Path) -> None:
    """Istio retries a route without ``retries`` twice; every route meshwright writes says its
    retries (why the mesh rules have no 'Istio default retries on top of application
    retries' rule: it cannot happen in these files)."""
    for m in (model, _limited(tmp_path)):
        routes = [r for d in _docs(m) if d["kind"] == "VirtualService" for r in d["spec"]["http"]]
        assert routes and all("retries" in r for r in routes)
