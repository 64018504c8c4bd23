"""The Linkerd targets: schema-valid resources, golden files for both examples, routes
that carry exactly the call-policy module's retries and timeouts, and authorization that
allows exactly call graph ∩ authorization."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cli_runner import run
from emit.crd_schemas import validate_resource
from emit.helpers import check_golden, fixture_model
from meshwright.authorization import allowed_callers
from meshwright.callpolicy import RETRY_ON_RENDERING, mesh_route_policy
from meshwright.emit import emit_all
from meshwright.emit.linkerd import notes
from meshwright.emit.linkerd.routes import GRPC_CONDITIONS, HTTP_CONDITIONS
from meshwright.emit.linkerd.security import public_operations
from meshwright.emit.registry import emit_target, network_view
from meshwright.emit.stage import emit_stage
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import load_all
from meshwright.graph import edges
from meshwright.model import Model, load_model
from meshwright.model.types import Mesh
from meshwright.pipeline import BuildContext

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OBJ = dict[str, Any]

MESH_RETRIES = """
meshwright: 1
system: meshy
platform: {mesh: linkerd}
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
      - to: files.Read
        timeout: 1s
        mesh_retries: {attempts: 2, retry_on: [5xx, rate_limited], budget: 20}
  batch:
    apis: [{name: Batch, protocol: http, port: 8081, operations: {Run: {}}}]
    calls:
      - to: api.Get
        timeout: 1s
        mesh_retries: {attempts: 2, per_try_timeout: 300ms, retry_on: [5xx], backoff: {base: 10ms}}
      - to: api.Put
  api:
    authorization: [{allow: [web], operations: [Get, Put]}]
    apis: [{name: pkg.Api, protocol: grpc, port: 7070, operations: {Get: {}, Put: {}}}]
  files:
    apis: [{name: Files, protocol: http, port: 8082, operations: {Read: {}}}]
entrypoints:
  - {operation: web.Home, rate: 10/s}
"""


def _meshy(tmp_path: Path) -> Model:
    path = tmp_path / "mesh.yaml"
    path.write_text(MESH_RETRIES, encoding="utf-8")
    return load_model(path).model


def linkerd(model: Model) -> Model:
    """The model with ``platform.mesh: linkerd``."""
    return model.model_copy(update={"platform": model.platform.model_copy(update={"mesh": Mesh.linkerd})})


def _models(tmp_path: Path) -> dict[str, Model]:
    return {
        "shop": linkerd(load_model(EXAMPLES / "shop").model),
        "online-boutique": linkerd(load_model(EXAMPLES / "online-boutique").model),
        "minishop": fixture_model(),
        "meshy": _meshy(tmp_path),
    }


@pytest.fixture(params=["shop", "online-boutique", "minishop", "meshy"])
def model(request: pytest.FixtureRequest, tmp_path: Path) -> Model:
    return _models(tmp_path)[request.param]


def _docs(model: Model, target: str = "linkerd") -> list[OBJ]:
    return [d for a in emit_target(target, model) if a.path.endswith(".yaml") for d in load_all(a.content)]


def _file(model: Model, path: str, target: str = "linkerd") -> str:
    return next(a.content for a in emit_target(target, model) if a.path == path)


def _seconds(text: str) -> float:
    m = re.fullmatch(r"(\d+)(ms|s)", text)
    assert m, text
    return int(m[1]) / (1000 if m[2] == "ms" else 1)


@pytest.mark.parametrize("name", ["shop", "online-boutique"])
def test_golden_files_of_the_examples(name: str) -> None:
    model = linkerd(load_model(EXAMPLES / name).model)
    check_golden(f"linkerd-{name}", emit_target("linkerd", model))
    check_golden(f"linkerd-profiles-{name}", emit_target("linkerd-profiles", model))


def test_build_selects_linkerd_by_platform_mesh() -> None:
    shop = load_model(EXAMPLES / "shop").model
    assert shop.platform.mesh is Mesh.istio
    assert not any(a.path.startswith("linkerd") for a in emit_all(shop))
    chosen = {a.path.split("/", 1)[0] for a in emit_all(linkerd(shop))}
    assert "linkerd" in chosen and "istio" not in chosen and "linkerd-profiles" not in chosen


@pytest.mark.parametrize("target", ["linkerd", "linkerd-profiles"])
def test_every_resource_is_valid_against_its_crd_schema(model: Model, target: str) -> None:
    kinds = set()
    for doc in _docs(model, target):
        kinds.add(doc["kind"])
        if doc["kind"] == "Namespace":
            assert doc["metadata"]["annotations"]["linkerd.io/inject"] == "enabled"
            continue
        validate_resource(doc)
    assert {"Server", "AuthorizationPolicy", "MeshTLSAuthentication"} <= kinds
    assert ("ServiceProfile" in kinds) == (target == "linkerd-profiles")


def _outbound(model: Model) -> dict[tuple[str, int, str], OBJ]:
    """Outbound routes by (Service, port, gRPC method or "" for HTTP)."""
    out: dict[tuple[str, int, str], OBJ] = {}
    for d in _docs(model):
        if d["kind"] not in ("HTTPRoute", "GRPCRoute"):
            continue
        [parent] = d["spec"]["parentRefs"]
        if parent["kind"] != "Service":
            continue
        [rule] = d["spec"]["rules"]
        method = (
            rule["matches"][0]["method"]["method"] if d["kind"] == "GRPCRoute" and "matches" in rule else ""
        )
        if d["kind"] == "GRPCRoute" and not method:
            assert "annotations" not in d["metadata"], "the catch-all route has no policy"
            continue
        out[(parent["name"], parent["port"], method)] = d
    return out


def test_every_route_carries_exactly_the_mesh_route_policy(model: Model) -> None:
    view = network_view(model)
    routes = _outbound(model)
    text = _file(model, "NOTES.md")
    checked = 0
    for e in edges(view):
        api = view.services[e.callee_service].api_of(e.call.target_operation)
        if api is None:
            continue
        grpc = api.protocol == "grpc"
        route = routes[(dns_name(e.callee_service), api.call_port, e.call.target_operation if grpc else "")]
        assert route["kind"] == ("GRPCRoute" if grpc else "HTTPRoute")
        ann = route["metadata"].get("annotations", {})
        p = mesh_route_policy(e.call)
        want_limit = str(p.retries) if p.retries else None
        if ann.get("retry.linkerd.io/limit") != want_limit or ("timeout.linkerd.io/request" in ann) != (
            p.timeout is not None
        ):
            assert f"{e.caller} -> {e.callee}: shares Linkerd's route" in text
            continue
        checked += 1
        if p.timeout is not None:
            assert _seconds(ann["timeout.linkerd.io/request"]) == pytest.approx(p.timeout)
        if p.retries == 0:
            assert not any(k.startswith("retry.linkerd.io/") for k in ann), ann
            continue
        assert int(ann["retry.linkerd.io/limit"]) == p.retries  # Linkerd counts retries
        got_try = ann.get("retry.linkerd.io/timeout")
        assert (_seconds(got_try) if got_try else None) == (
            pytest.approx(p.per_try_timeout) if p.per_try_timeout is not None else None
        )
        vocabulary = GRPC_CONDITIONS if grpc else HTTP_CONDITIONS
        want_on = {
            t
            for w in p.retry_on
            for t in (
                *(t for t in RETRY_ON_RENDERING[w][Mesh.linkerd].retry_on if t in vocabulary),
                *([] if grpc else map(str, RETRY_ON_RENDERING[w][Mesh.linkerd].status_codes)),
            )
        }
        key = f"retry.linkerd.io/{'grpc' if grpc else 'http'}"
        assert set(filter(None, ann.get(key, "").split(","))) == want_on
        assert f"retry.linkerd.io/{'http' if grpc else 'grpc'}" not in ann
    assert checked > 0


def test_mesh_retries_are_rendered_and_inexact_parts_are_said(tmp_path: Path) -> None:
    model = _meshy(tmp_path)
    routes = _outbound(model)
    get = routes[("api", 7070, "Get")]["metadata"]["annotations"]
    assert get == {
        "retry.linkerd.io/grpc": "unavailable",
        "retry.linkerd.io/limit": "2",
        "retry.linkerd.io/timeout": "250ms",
        "timeout.linkerd.io/request": "900ms",
    }
    files = routes[("files", 8082, "")]["metadata"]["annotations"]
    assert files == {
        "retry.linkerd.io/http": "5xx,429",
        "retry.linkerd.io/limit": "1",
        "timeout.linkerd.io/request": "1s",
    }
    text = _file(model, "api.yaml")
    assert "# batch.Run -> api.Get: shares Linkerd's route api-get with web.Home -> api.Get" in text
    by_path = {n.path: n.message for n in notes(model)}
    assert "budget cannot be set" in by_path[("services", "web", "calls", 2, "mesh_retries", "budget")]
    assert ("services", "batch", "calls", 0) in by_path  # the route it shares is not its own
    assert all(n.mesh == "linkerd" for n in notes(model))
    assert "budget cannot be set" in _file(model, "files.yaml")


def test_application_retries_only_leave_linkerd_retries_off(tmp_path: Path) -> None:
    model = _meshy(tmp_path)
    put = _outbound(model)[("api", 7070, "Put")]["metadata"]["annotations"]
    # the route gives up when the application try would: its per_try_timeout
    assert put == {"timeout.linkerd.io/request": "500ms"}


def _authorized(model: Model, service: str, authn_kind: str = "MeshTLSAuthentication") -> dict[str, set[str]]:
    """Caller (ServiceAccount, or the NetworkAuthentication's name) → operations of
    ``service`` its AuthorizationPolicies allow."""
    svc = network_view(model).services[service]
    docs = _docs(model)
    servers = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "Server"}
    inbound = {
        d["metadata"]["name"]: (d["spec"]["parentRefs"][0]["name"], d["spec"]["rules"][0]["matches"][0])
        for d in docs
        if d["kind"] == "HTTPRoute" and d["spec"]["parentRefs"][0]["kind"] == "Server"
    }
    identities = {
        d["metadata"]["name"]: d["spec"]["identityRefs"] for d in docs if d["kind"] == "MeshTLSAuthentication"
    }
    mine = {"app.kubernetes.io/name": dns_name(service)}
    got: dict[str, set[str]] = {}
    for d in docs:
        if d["kind"] != "AuthorizationPolicy":
            continue
        target = d["spec"]["targetRef"]
        [authn] = d["spec"]["requiredAuthenticationRefs"]
        if authn["kind"] != authn_kind:
            continue
        if authn_kind == "MeshTLSAuthentication":
            [ref] = identities[authn["name"]]
            assert ref["kind"] == "ServiceAccount"
            caller = ref["name"]
        else:
            caller = authn["name"]
        assert target["group"] == "policy.linkerd.io"
        if target["kind"] == "HTTPRoute":
            server, match = inbound[target["name"]]
        else:
            assert target["kind"] == "Server"
            server, match = target["name"], None
        spec = servers[server]
        if spec["podSelector"]["matchLabels"] != mine:
            continue
        [api] = [a for a in svc.apis if f"{a.protocol}-{a.listen_port}" == spec["port"]]
        if match is None:  # the whole port
            assert api.protocol == "http"
            got.setdefault(caller, set()).update(api.operations)
        elif match["path"]["type"] == "Exact":
            assert api.protocol == "grpc" and match["method"] == "POST"
            api_name, _, op = match["path"]["value"][1:].rpartition("/")
            assert api_name == api.name and op in api.operations
            got.setdefault(caller, set()).add(op)
        else:
            assert match["path"] == {"type": "PathPrefix", "value": "/grpc.health.v1.Health"}
    return got


def test_authorization_allows_exactly_the_permitted_calls(model: Model) -> None:
    view = network_view(model)
    for name, svc in view.services.items():
        got = _authorized(model, name)
        want = {
            dns_name(c): {o for o in ops if svc.api_of(o) is not None}
            for c, ops in allowed_callers(view, name).items()
        }
        want = {c: ops for c, ops in want.items() if ops}
        assert set(got) == set(want), name
        for caller, ops in want.items():
            if {svc.api_of(o).protocol for o in ops} == {"grpc"}:  # type: ignore[union-attr]
                assert got[caller] == ops, (name, caller)
            else:  # an HTTP API is authorized by port: its other operations come along
                assert got[caller] >= ops, (name, caller)


def test_denied_calls_get_no_authorization(tmp_path: Path) -> None:
    model = _meshy(tmp_path)
    assert _authorized(model, "api") == {"web": {"Get", "Put"}}
    assert _authorized(model, "api", "NetworkAuthentication") == {}
    assert not any(d["metadata"]["name"].endswith("-from-batch") for d in _docs(model))


def test_only_public_entrypoint_operations_accept_any_client(model: Model) -> None:
    view = network_view(model)
    for name, svc in view.services.items():
        public = set(public_operations(view, name))
        got = _authorized(model, name, "NetworkAuthentication").get("any-client", set())
        ports = {a.name for a in svc.apis if a.protocol == "http" and public & set(a.operations)}
        assert got == {o for o in public if svc.api_of(o).protocol == "grpc"} | {  # type: ignore[union-attr]
            o for a in svc.apis if a.name in ports for o in a.operations
        }, name


def test_servers_deny_by_default_and_the_metrics_port_is_open(model: Model) -> None:
    view = network_view(model)
    servers = [d for d in _docs(model) if d["kind"] == "Server"]
    for name, svc in view.services.items():
        mine = {
            d["spec"]["port"]: d["spec"]
            for d in servers
            if d["metadata"]["name"].startswith(dns_name(name) + "-")
            and d["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": dns_name(name)}
        }
        assert {f"{a.protocol}-{a.listen_port}" for a in svc.apis} | {"metrics"} == set(mine)
        assert mine.pop("metrics")["accessPolicy"] == "all-unauthenticated"
        assert all(s["accessPolicy"] == "deny" for s in mine.values())


def test_profiles_carry_timeouts_retryability_and_the_budget(tmp_path: Path) -> None:
    model = _meshy(tmp_path)
    profiles = {
        d["metadata"]["name"]: d["spec"]
        for d in _docs(model, "linkerd-profiles")
        if d["kind"] == "ServiceProfile"
    }
    api = profiles["api.meshy.svc.cluster.local"]
    routes = {r["name"]: r for r in api["routes"]}
    assert routes["POST /pkg.Api/Get"] == {
        "name": "POST /pkg.Api/Get",
        "condition": {"method": "POST", "pathRegex": r"/pkg\.Api/Get"},
        "isRetryable": True,
        "timeout": "900ms",
    }
    assert (
        "isRetryable" not in routes["POST /pkg.Api/Put"] and routes["POST /pkg.Api/Put"]["timeout"] == "500ms"
    )
    assert profiles["files.meshy.svc.cluster.local"]["retryBudget"] == {
        "retryRatio": 0.2,
        "minRetriesPerSecond": 10,
        "ttl": "10s",
    }
    text = _file(model, "NOTES.md", "linkerd-profiles")
    assert "not at most 2 times" in text and "Linkerd's default (20%, 10 per second)" in text
    # retries are read from profiles in this mode: no annotated routes
    assert not any(
        d["kind"] in ("HTTPRoute", "GRPCRoute") and d["spec"]["parentRefs"][0]["kind"] == "Service"
        for d in _docs(model, "linkerd-profiles")
    )


def test_mtls_false_is_said(tmp_path: Path) -> None:
    path = tmp_path / "mesh.yaml"
    path.write_text(MESH_RETRIES.replace("{mesh: linkerd}", "{mesh: linkerd, mtls: false}"), encoding="utf-8")
    model = load_model(path).model
    assert [n.path for n in notes(model) if n.path[0] == "platform"] == [("platform", "mtls")]
    assert "platform.mtls is false" in _file(model, "NOTES.md")


def test_every_note_names_the_model_place_it_comes_from(tmp_path: Path) -> None:
    path = tmp_path / "mesh.yaml"
    path.write_text(MESH_RETRIES, encoding="utf-8")
    loaded = load_model(path)
    found = notes(loaded.model)
    assert found
    for n in found:
        assert n.path[0] == "services" and ("services", n.path[1]) in loaded.sources.values, n
        if "calls" in n.path:
            call = n.path[: n.path.index("calls") + 2]
            assert call in loaded.sources.values, n
            if len(n.path) > len(call) and n.path[len(call)] == "mesh_retries":
                assert (*call, "mesh_retries") in loaded.sources.values, n


def test_build_summary_counts_the_linkerd_notes(tmp_path: Path) -> None:
    path = tmp_path / "mesh.yaml"
    path.write_text(MESH_RETRIES, encoding="utf-8")
    loaded = load_model(path)
    result = emit_stage(BuildContext(loaded=loaded))
    assert result.data["linkerd"] == len(emit_target("linkerd", loaded.model))
    n = len(notes(network_view(loaded.model)))
    assert f"linkerd: {n} model policies Linkerd cannot express exactly (linkerd/NOTES.md)" in result.summary


def test_emit_linkerd_command_writes_the_files(tmp_path: Path) -> None:
    done = run("emit", "linkerd", str(EXAMPLES / "shop"), "-o", str(tmp_path / "out"), "--format", "json")
    assert done.returncode == 0, done.stderr
    files = json.loads(done.stdout)["files"]
    assert {"mesh.yaml", "NOTES.md", "cart.yaml"} <= set(files)
    assert (tmp_path / "out" / "cart.yaml").is_file()
