"""The Consul target: schema-valid custom resources, HCL that says what the JSON entries say,
golden files, and routers/intentions that say exactly what the call-policy and
authorization modules say."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2 import SerializationOptions
from typer.testing import CliRunner

from emit.crd_schemas import validate_resource
from emit.helpers import check_golden, fixture_model
from meshwright.authorization import allowed_callers
from meshwright.callpolicy import RETRY_ON_RENDERING, mesh_route_policy
from meshwright.cli import app
from meshwright.emit import emit_all
from meshwright.emit.consul import notes
from meshwright.emit.mesh_notes import MeshNote
from meshwright.emit.registry import emit_target, network_view
from meshwright.emit.stage import emit_stage
from meshwright.emit.yamltext import load_all
from meshwright.graph import edges
from meshwright.model import Model, load_model
from meshwright.model.types import Discovery, Mesh
from meshwright.pipeline import Artifact, BuildContext

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OBJ = dict[str, Any]
PLAIN = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)

MESH_RETRIES = """
meshwright: 1
system: meshy
platform: {mesh: consul}
services:
  web:
    expose: public
    apis: [{name: Web, protocol: http, port: 8080, operations: {Home: {}}}]
    calls:
      - to: api.Get
        timeout: 900ms
        mesh_retries: {attempts: 3, per_try_timeout: 250ms, retry_on: [unavailable, timeout, connect_failure]}
      - to: api.Put
        timeout: 2s
        retries: {attempts: 3, per_try_timeout: 500ms}
      - to: admin.Flush
        bulkhead: {max_concurrent: 4, max_queue: 2}
        circuit_breaker: {consecutive_errors: 3, window: 5s, open_for: 20s}
  batch:
    runtime: {load_balancing: power_of_two}
    apis: [{name: Batch, protocol: http, port: 8081, operations: {Run: {}}}]
    calls:
      - to: api.Get
        timeout: 1s
        mesh_retries: {attempts: 2, retry_on: [5xx], backoff: {base: 10ms}, budget: 20}
  api:
    authorization: [{allow: [web], operations: [Get, Put]}]
    apis: [{name: pkg.Api, protocol: grpc, port: 7070, operations: {Get: {}, Put: {}}}]
  admin:
    apis: [{name: Admin, protocol: http, port: 8090, operations: {Flush: {}}}]
entrypoints:
  - {operation: web.Home, rate: 10/s}
"""


def _meshy(tmp_path: Path, text: str = MESH_RETRIES) -> Model:
    path = tmp_path / "mesh.yaml"
    path.write_text(text, encoding="utf-8")
    return load_model(path).model


def _on_consul(model: Model) -> Model:
    """The model with ``platform.mesh: consul``."""
    return model.model_copy(update={"platform": model.platform.model_copy(update={"mesh": Mesh.consul})})


def _example(name: str) -> Model:
    return _on_consul(load_model(EXAMPLES / name).model)


@pytest.fixture(params=["shop", "online-boutique", "minishop", "meshy"])
def model(request: pytest.FixtureRequest, tmp_path: Path) -> Model:
    if request.param == "minishop":
        return fixture_model()
    if request.param == "meshy":
        return _meshy(tmp_path)
    return _example(request.param)


def _files(model: Model) -> dict[str, str]:
    return {a.path: str(a.content) for a in emit_target("consul", model)}


def _resources(model: Model) -> list[OBJ]:
    return [d for p, text in _files(model).items() if p.startswith("kubernetes/") for d in load_all(text)]


def _entries(model: Model) -> dict[tuple[str, str], OBJ]:
    out = {}
    for path, text in _files(model).items():
        if path.startswith("config/") and path.endswith(".json"):
            entry = json.loads(text)
            out[(entry["Kind"], entry["Name"])] = entry
    return out


def _seconds(text: str) -> float:
    m = re.fullmatch(r"(\d+)(ms|s)", text)
    assert m, text
    return int(m[1]) / (1000 if m[2] == "ms" else 1)


def _match(api_name: str, protocol: str, operation: str) -> OBJ:
    """The HTTP match of an operation, written out independently of the emitter."""
    path = f"/{api_name}/{operation}"
    return {"pathExact": path} if protocol == "grpc" else {"pathExact": path, "methods": ["POST"]}


def test_golden_files() -> None:
    check_golden("consul-shop", emit_target("consul", _example("shop")))
    check_golden("consul-online-boutique", emit_target("consul", _example("online-boutique")))


def test_build_selects_consul_by_mesh_or_discovery() -> None:
    shop = load_model(EXAMPLES / "shop").model
    assert shop.platform.mesh is Mesh.istio
    assert not any(a.path.startswith("consul/") for a in emit_all(shop))
    assert any(a.path.startswith("consul/kubernetes/") for a in emit_all(_on_consul(shop)))
    by_discovery = shop.model_copy(
        update={"platform": shop.platform.model_copy(update={"discovery": Discovery.consul})}
    )
    assert any(a.path.startswith("consul/config/") for a in emit_all(by_discovery))


def test_every_resource_is_valid_against_the_consul_crd_schema(model: Model) -> None:
    kinds = set()
    for doc in _resources(model):
        validate_resource(doc)
        kinds.add(doc["kind"])
    assert {
        "ProxyDefaults",
        "ServiceDefaults",
        "ServiceResolver",
        "ServiceRouter",
        "ServiceIntentions",
    } <= kinds


def test_hcl_entries_say_what_the_json_entries_say(model: Model) -> None:
    files = _files(model)
    hcl = sorted(p for p in files if p.endswith(".hcl"))
    assert hcl and sorted(p for p in files if p.endswith(".json")) == [p[:-4] + ".json" for p in hcl]
    for path in hcl:
        parsed = hcl2.loads(files[path], serialization_options=PLAIN)
        assert parsed == json.loads(files[path[:-4] + ".json"]), path


def _folded(value: Any, opaque: bool = False) -> Any:
    """Field names case-folded (``PathExact`` and ``pathExact`` alike), values untouched;
    ProxyDefaults ``Config`` keeps its keys, which are the proxy's own."""
    if isinstance(value, dict):
        return {
            (k if opaque else k.lower()): _folded(v, opaque or k.lower() == "config")
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_folded(v, opaque) for v in value]
    return value


def test_config_entries_and_custom_resources_are_the_same_entries(model: Model) -> None:
    from_crds: dict[tuple[str, str], OBJ] = {}
    for doc in _resources(model):
        kind = re.sub(r"(?<!^)([A-Z])", r"-\1", doc["kind"]).lower()
        spec = dict(doc["spec"])
        intention = kind == "service-intentions"
        name = spec.pop("destination")["name"] if intention else doc["metadata"]["name"]
        from_crds[(kind, name)] = spec
    entries = _entries(model)
    assert set(from_crds) == set(entries)
    for key, entry in entries.items():
        body = {k: v for k, v in entry.items() if k not in ("Kind", "Name")}
        assert _folded(body) == _folded(from_crds[key]), key


def _routers(model: Model) -> dict[str, list[OBJ]]:
    return {
        d["metadata"]["name"]: d["spec"]["routes"] for d in _resources(model) if d["kind"] == "ServiceRouter"
    }


def _consul_name(model: Model, service: str, operation: str) -> tuple[str, Any]:
    apis = model.services[service].apis
    for i, api in enumerate(apis):
        if operation in api.operations:
            suffix = "" if i == 0 else "-" + re.sub(r"[^a-z0-9-]+", "-", api.name.lower())
            return service + suffix, api
    raise AssertionError(operation)


def test_every_route_says_exactly_the_mesh_route_policy(model: Model) -> None:
    view = network_view(model)
    routers = _routers(model)
    text = _files(model)["NOTES.md"]
    checked = 0
    for e in edges(view):
        if view.services[e.callee_service].api_of(e.call.target_operation) is None:
            continue
        name, api = _consul_name(view, e.callee_service, e.call.target_operation)
        [route] = [
            r
            for r in routers[name]
            if r["match"]["http"] == _match(api.name, api.protocol, e.call.target_operation)
        ]
        dest = route["destination"]
        p = mesh_route_policy(e.call)
        timeout = _seconds(dest["requestTimeout"]) if "requestTimeout" in dest else None
        if dest["numRetries"] != p.retries or timeout != (pytest.approx(p.timeout) if p.timeout else None):
            assert f"the call {e.caller} -> {e.callee} shares the route" in text
            continue
        checked += 1
        if p.timeout is None:
            assert f"{e.caller} -> {e.callee}: the call has no timeout" in text
        if p.retries == 0:
            assert dest["numRetries"] == 0 and dest["retryOnConnectFailure"] is False
            assert "retryOn" not in dest and "retryOnStatusCodes" not in dest
            continue
        words = [RETRY_ON_RENDERING[w][Mesh.consul] for w in p.retry_on]
        tokens = {t for w in words for t in w.retry_on}
        assert dest["retryOnConnectFailure"] == ("connect-failure" in tokens)
        assert set(dest.get("retryOn", [])) == tokens - {"connect-failure"}
        assert set(dest.get("retryOnStatusCodes", [])) == {c for w in words for c in w.status_codes}
        if p.per_try_timeout is not None:
            assert f"{e.caller} -> {e.callee}: mesh_retries.per_try_timeout cannot be set" in text
    assert checked > 0
    for routes in routers.values():
        assert routes[-1]["match"] == {"http": {"pathPrefix": "/"}}
        assert routes[-1]["destination"]["numRetries"] == 0
        assert routes[-1]["destination"]["retryOnConnectFailure"] is False


def test_mesh_retries_count_retries_and_inexact_parts_are_said(tmp_path: Path) -> None:
    model = _meshy(tmp_path)
    [get, put, rest] = _routers(model)["api"]
    assert get["match"]["http"] == {"pathExact": "/pkg.Api/Get"}
    # attempts 3 = the first try + 2 retries
    assert get["destination"] == {
        "service": "api",
        "requestTimeout": "900ms",
        "numRetries": 2,
        "retryOnConnectFailure": True,
        "retryOn": ["unavailable", "reset"],
        "retryOnStatusCodes": [503],
    }
    # application retries only: the route gives up when the application try would
    assert put["destination"] == {
        "service": "api",
        "requestTimeout": "500ms",
        "numRetries": 0,
        "retryOnConnectFailure": False,
    }
    assert rest["match"] == {"http": {"pathPrefix": "/"}}
    hcl = _files(model)["config/4-service-router-api.hcl"]
    assert "# web.Home -> api.Get: retry_on 'timeout' is rendered as 'reset'" in hcl
    assert "# web.Home -> api.Get: mesh_retries.per_try_timeout cannot be set" in hcl
    assert "# the call batch.Run -> api.Get shares the route of web.Home -> api.Get" in hcl


def test_notes_name_the_model_path_they_come_from(tmp_path: Path) -> None:
    model = _meshy(tmp_path)
    found = notes(network_view(model))
    assert all(isinstance(n, MeshNote) and n.mesh == "consul" for n in found)
    paths = {n.path for n in found}
    assert ("services", "web", "calls", 0, "mesh_retries", "per_try_timeout") in paths
    assert ("services", "web", "calls", 0, "mesh_retries", "retry_on", 1) in paths
    assert ("services", "batch", "calls", 0) in paths  # shares web's route
    assert ("services", "web", "calls", 2, "timeout") in paths  # admin.Flush: no timeout
    assert ("services", "web", "calls", 2, "circuit_breaker", "half_open_requests") in paths
    for n in found:
        node: Any = model
        *parents, last = n.path
        for key in parents:
            node = node[key] if isinstance(key, int) or isinstance(node, dict) else getattr(node, key)
            assert node is not None, n
        assert (last < len(node)) if isinstance(last, int) else hasattr(node, str(last)), n
        assert n.message in _files(model)["NOTES.md"]
    # batch's own budget and backoff are not rendered either: its call shares web's route
    assert not any(p[:2] == ("services", "batch") and "budget" in p for p in paths)


def test_budget_and_backoff_are_said_when_the_route_is_the_calls_own(tmp_path: Path) -> None:
    model = _meshy(
        tmp_path, MESH_RETRIES.replace("authorization: [{allow: [web], operations: [Get, Put]}]", "")
    )
    only_batch = model.model_copy(
        update={"services": {k: v for k, v in model.services.items() if k != "web"}}
    )
    paths = {n.path for n in notes(network_view(only_batch))}
    assert ("services", "batch", "calls", 0, "mesh_retries", "backoff") in paths
    assert ("services", "batch", "calls", 0, "mesh_retries", "budget") in paths


def test_bulkheads_and_breakers_become_the_callers_upstream_config(tmp_path: Path) -> None:
    model = _meshy(tmp_path)
    entries = _entries(model)
    web = entries[("service-defaults", "web")]
    assert web["Protocol"] == "http"
    assert web["UpstreamConfig"]["Overrides"] == [
        {
            "Name": "admin",
            "Limits": {"MaxConnections": 4, "MaxPendingRequests": 2, "MaxConcurrentRequests": 4},
            "PassiveHealthCheck": {
                "Interval": "5s",
                "MaxFailures": 3,
                "EnforcingConsecutive5xx": 100,
                "MaxEjectionPercent": 100,
                "BaseEjectionTime": "20s",
            },
        }
    ]
    assert entries[("service-defaults", "api")] == {
        "Kind": "service-defaults",
        "Name": "api",
        "Protocol": "grpc",
    }
    assert entries[("service-resolver", "batch")]["LoadBalancer"] == {
        "Policy": "least_request",
        "LeastRequestConfig": {"ChoiceCount": 2},
    }
    assert entries[("service-resolver", "api")]["LoadBalancer"] == {"Policy": "round_robin"}


def _sources(model: Model) -> dict[str, list[OBJ]]:
    return {
        d["spec"]["destination"]["name"]: d["spec"]["sources"]
        for d in _resources(model)
        if d["kind"] == "ServiceIntentions"
    }


def test_intentions_allow_exactly_the_permitted_calls(model: Model) -> None:
    view = network_view(model)
    intentions = _sources(model)
    assert intentions["*"] == [{"name": "*", "action": "deny", "description": "deny by default"}]
    for service in view.services:
        want = allowed_callers(view, service)
        got: dict[str, set[str]] = {}
        for api in view.services[service].apis:
            name, _ = _consul_name(view, service, next(iter(api.operations)))
            for source in intentions.get(name, []):
                assert "action" not in source  # L7: the permissions decide
                if source["name"] == "ingress-gateway":
                    assert view.services[service].expose == "public"
                    continue
                for perm in source["permissions"]:
                    assert perm["action"] == "allow"
                    op = perm["http"]["pathExact"].rsplit("/", 1)[1]
                    assert perm["http"] == _match(api.name, api.protocol, op)
                    got.setdefault(source["name"], set()).add(op)
        assert got == {caller: set(ops) for caller, ops in want.items()}, service


def test_denied_calls_get_no_source(tmp_path: Path) -> None:
    sources = _sources(_meshy(tmp_path))
    assert [s["name"] for s in sources["api"]] == ["web"]
    assert [s["name"] for s in sources["web"]] == ["ingress-gateway"]
    assert "batch" not in sources  # nothing calls it


def test_mtls_false_is_permissive_and_said(tmp_path: Path) -> None:
    model = _meshy(
        tmp_path, MESH_RETRIES.replace("platform: {mesh: consul}", "platform: {mesh: consul, mtls: false}")
    )
    [proxy] = [d for d in _resources(model) if d["kind"] == "ProxyDefaults"]
    assert proxy["spec"]["mutualTLSMode"] == "permissive"
    assert ("platform", "mtls") in {n.path for n in notes(network_view(model))}
    strict = [d for d in _resources(_meshy(tmp_path)) if d["kind"] == "ProxyDefaults"]
    assert strict[0]["spec"]["mutualTLSMode"] == "strict"
    assert strict[0]["spec"]["config"] == {"protocol": "tcp", "local_request_timeout_ms": 0}


def test_a_service_with_two_apis_is_two_consul_services() -> None:
    shop = _example("shop")
    entries = _entries(shop)
    assert entries[("service-defaults", "catalog")]["Protocol"] == "grpc"
    assert entries[("service-defaults", "catalog-catalogadmin")]["Protocol"] == "http"
    assert ("service-router", "catalog-catalogadmin") in entries


def test_online_boutique_calls_without_timeouts_are_said() -> None:
    model = _example("online-boutique")
    view = network_view(model)
    without = [e for e in edges(view) if mesh_route_policy(e.call).timeout is None]
    assert without
    paths = {n.path for n in notes(view)}
    for e in without:
        assert (*e.path, "timeout") in paths


def test_artifacts_are_text() -> None:
    arts: list[Artifact] = emit_target("consul", fixture_model())
    assert all(isinstance(a.content, str) and a.content.endswith("\n") for a in arts)


def test_build_summary_counts_the_notes(tmp_path: Path) -> None:
    path = tmp_path / "mesh.yaml"
    path.write_text(MESH_RETRIES, encoding="utf-8")
    loaded = load_model(path)
    result = emit_stage(BuildContext(loaded=loaded))
    count = len(notes(network_view(loaded.model)))
    assert count > 0
    assert f"consul: {count} model policies Consul cannot express exactly (consul/NOTES.md)" in result.summary
    assert any(a.path == "consul/NOTES.md" for a in result.artifacts)


def test_emit_consul_command_writes_the_files(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app, ["emit", "consul", str(EXAMPLES / "shop"), "-o", str(tmp_path), "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    files = json.loads(done.stdout)["files"]
    assert "kubernetes/mesh.yaml" in files and "config/1-proxy-defaults-global.hcl" in files
    assert (tmp_path / "config" / "4-service-router-catalog.json").is_file()


@pytest.mark.parametrize("name", ["shop", "online-boutique"])
def test_notes_are_the_same_for_the_model_and_its_network_view(name: str) -> None:
    # the mesh rules read notes from the loaded model, build from the network view
    model = _example(name)
    assert notes(model) == notes(network_view(model))


def test_rate_limits_are_per_instance_and_said(tmp_path: Path) -> None:
    text = MESH_RETRIES.replace(
        "  admin:\n",
        "  admin:\n    rate_limit: {rate: 100/s, burst: 30}\n    runtime: {replicas: 4}\n",
    ).replace("{operation: web.Home, rate: 10/s}", "{operation: web.Home, rate: 10/s, rate_limit: 50/s}")
    model = _meshy(tmp_path, text)
    admin = _entries(model)[("service-defaults", "admin")]
    assert admin["RateLimits"] == {"InstanceLevel": {"RequestsPerSecond": 25, "RequestsMaxBurst": 25}}
    found = {n.path: n.message for n in notes(network_view(model))}
    assert "per instance over 4 replica(s)" in found[("services", "admin", "rate_limit")]
    assert "not rendered by the consul target" in found[("entrypoints", 0, "rate_limit")]
    assert "rateLimits" in next(
        d["spec"]
        for d in _resources(model)
        if d["kind"] == "ServiceDefaults" and d["metadata"]["name"] == "admin"
    )


def test_every_note_is_also_a_comment_in_the_files(model: Model) -> None:
    files = _files(model)
    for suffix in (".hcl", ".yaml"):
        comments = {
            line[2:]
            for path, text in files.items()
            if path.endswith(suffix)
            for line in text.splitlines()
            if line.startswith("# ")
        }
        for n in notes(network_view(model)):
            assert any(len(c) > 20 and n.message.endswith(c) for c in comments), (suffix, n)
