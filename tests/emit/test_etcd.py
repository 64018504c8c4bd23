"""The etcd target: the documented key layout, golden files for both examples, and call
policies that say exactly what the call-policy module says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emit.helpers import check_golden
from meshwright.callpolicy import mesh_route_policy, semantics
from meshwright.emit import emit_all
from meshwright.emit.registry import emit_target, network_view
from meshwright.emit.wiring import dns_name
from meshwright.graph import edges
from meshwright.model import Model, load_model
from meshwright.model.types import Discovery

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "commands" / "emit-etcd.md"


def on_etcd(model: Model) -> Model:
    """The model with ``platform.discovery: etcd``."""
    platform = model.platform.model_copy(update={"discovery": Discovery.etcd})
    return model.model_copy(update={"platform": platform})


@pytest.fixture(params=["shop", "online-boutique"])
def example(request: pytest.FixtureRequest) -> tuple[str, Model]:
    return request.param, on_etcd(load_model(EXAMPLES / request.param).model)


def _keys(model: Model) -> dict[str, str]:
    [doc] = emit_target("etcd", model)
    assert doc.path == "keys.json"
    data = json.loads(doc.content)
    assert data["prefix"] == f"/meshwright/{dns_name(model.system)}/"
    assert all(kv["key"].startswith(data["prefix"]) for kv in data["keys"])
    return {kv["key"]: kv["value"] for kv in data["keys"]}


def test_golden_files(example: tuple[str, Model]) -> None:
    name, model = example
    check_golden(f"etcd-{name}", emit_target("etcd", model))


def test_build_selects_etcd_by_platform_discovery() -> None:
    shop = load_model(EXAMPLES / "shop").model
    assert shop.platform.discovery is Discovery.kubernetes
    assert not any(a.path.startswith("etcd/") for a in emit_all(shop))
    assert [a.path for a in emit_all(on_etcd(shop)) if a.path.startswith("etcd/")] == ["etcd/keys.json"]


def test_every_key_follows_the_documented_layout(example: tuple[str, Model]) -> None:
    _, model = example
    keys = _keys(model)
    root = f"/meshwright/{dns_name(model.system)}/"
    documented = DOCS.read_text(encoding="utf-8")
    for shape in (
        "services/<service>/runtime",
        "services/<service>/endpoints/<api>",
        "services/<service>/calls/<operation>/<to>",
        ".owned",
    ):
        assert shape in documented
    owned = json.loads(keys.pop(root + ".owned"))
    assert owned == list(keys)
    view = network_view(model)
    for key, value in keys.items():
        parts = key[len(root) :].split("/")
        assert parts[0] == "services" and parts[2] in ("runtime", "endpoints", "calls"), key
        json.loads(value)
    for name, svc in view.services.items():
        runtime = json.loads(keys[f"{root}services/{dns_name(name)}/runtime"])
        assert runtime["replicas"] == svc.runtime.replicas
        for api in svc.apis:
            endpoint = json.loads(keys[f"{root}services/{dns_name(name)}/endpoints/{api.name}"])
            assert (endpoint["port"], endpoint["protocol"]) == (api.call_port, api.protocol)
            assert endpoint["operations"] == sorted(api.operations)


def test_every_call_carries_exactly_the_call_policy(example: tuple[str, Model]) -> None:
    _, model = example
    keys = _keys(model)
    root = f"/meshwright/{dns_name(model.system)}/"
    view = network_view(model)
    seen: dict[str, int] = {}
    checked = 0
    for e in edges(view):
        service, _, op = e.caller.partition(".")
        key = f"{root}services/{dns_name(service)}/calls/{op}/{e.call.to}"
        seen[key] = seen.get(key, 0) + 1
        value = json.loads(keys[key if seen[key] == 1 else f"{key}#{seen[key]}"])
        sem = semantics(e.call)
        policy = mesh_route_policy(e.call)
        assert value["to"] == e.call.to
        assert value["timeout"] == (pytest.approx(sem.timeout) if sem.timeout is not None else None)
        assert value["max_tries"] == sem.max_tries
        assert value["per_request"] == pytest.approx(sem.per_request)
        assert value["mesh"]["retries"] == policy.retries
        assert value["mesh"]["retry_on"] == list(policy.retry_on)
        if policy.timeout is not None:
            assert value["mesh"]["timeout"] == pytest.approx(policy.timeout)
        if sem.app.declared:
            assert value["retries"]["attempts"] == sem.app.attempts
            assert value["retries"]["retry_on"] == list(sem.app.words)
            assert value["retries"]["retried_failures"] == sorted(str(k) for k in sem.app.retry_on)
        else:
            assert value["retries"] is None
        checked += 1
    assert checked > 0
