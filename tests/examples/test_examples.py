"""The two example models load, and say what they claim to say.

`examples/shop` is a designed system, so its tests assert the design rules it advertises.
`examples/online-boutique` is a transcription of Google's demo, so its tests compare it
with the upstream files copied to tests/data/online-boutique.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from ruamel.yaml import YAML

from conftest import EXAMPLES, ROOT
from meshwright.callpolicy import semantics
from meshwright.graph import calls_from, edges, operation_names, service_graph
from meshwright.model import LoadedModel, Model, load_model
from meshwright.model.units import parse_cpu, parse_memory

BOUTIQUE_DATA = ROOT / "tests" / "data" / "online-boutique"


@pytest.fixture(scope="module")
def shop() -> Model:
    return load_model(EXAMPLES / "shop").model


@pytest.fixture(scope="module")
def boutique() -> LoadedModel:
    return load_model(EXAMPLES / "online-boutique")


# --------------------------------------------------------------------------- shop


def test_shop_is_a_directory_model_with_one_fragment_per_service(shop: Model) -> None:
    fragments = {p.stem for p in (EXAMPLES / "shop" / "services").glob("*.yaml")}
    assert fragments == set(shop.services)
    assert len(shop.services) >= 12
    used = {svc.context for svc in shop.services.values()}
    assert None not in used
    assert len(used) >= 4 and used <= set(shop.contexts)


def test_shop_uses_grpc_http_kafka_and_a_saga(shop: Model) -> None:
    protocols = {api.protocol for svc in shop.services.values() for api in svc.apis}
    assert protocols == {"grpc", "http", "event"}  # notification only handles events
    assert shop.platform.broker == "kafka" and shop.platform.mesh == "istio"
    assert shop.sagas["place-order"].steps


def test_shop_retries_fit_their_timeouts_and_only_repeat_idempotent_operations(shop: Model) -> None:
    for edge in edges(shop):
        call = edge.call
        callee = shop.operation(edge.callee)
        assert call.timeout is not None, edge.path
        app = semantics(call).app
        if app.retries:
            assert callee is not None and callee.idempotent, edge.path
            assert app.per_try_timeout is not None
            budget = app.schedule(app.per_try_timeout)
            assert budget <= call.timeout + 1e-9, edge.path


def test_shop_fan_outs_run_in_parallel_behind_bulkheads(shop: Model) -> None:
    parallel = [e for e in edges(shop) if e.call.parallel is not None]
    assert len({(e.caller, e.call.parallel) for e in parallel}) >= 2
    web = calls_from(shop, "web-bff.ProductPage")
    assert len(web) == 4 and all(e.call.bulkhead is not None for e in web)
    assert any(e.call.has_fallback for e in edges(shop))


def test_shop_events_have_producers_consumers_and_dead_letters(shop: Model) -> None:
    for name, topic in shop.topics.items():
        if topic.dead_letter:
            continue
        assert shop.producers(name), name
        assert shop.consumers(name), name
    for sname, svc in shop.services.items():
        for consume in svc.consumes:
            assert consume.idempotent, (sname, consume.topic)
            assert consume.dead_letter is not None
            assert shop.topics[consume.dead_letter].dead_letter


def test_shop_writers_that_publish_use_an_outbox(shop: Model) -> None:
    both = [
        (s, o)
        for s, svc in shop.services.items()
        for _, o, op in svc.operations()
        if op.writes and op.publishes
    ]
    assert both, "the example should show the outbox pattern"
    for s, o in both:
        op = shop.operation(f"{s}.{o}")
        assert op is not None and op.outbox, f"{s}.{o}"


def test_shop_datastores_have_one_owner_each(shop: Model) -> None:
    owners = Counter(store for svc in shop.services.values() for store in svc.datastores)
    assert owners and all(n == 1 for n in owners.values())
    assert not any(ds.shared for svc in shop.services.values() for ds in svc.datastores.values())


def test_shop_saga_compensations_are_idempotent(shop: Model) -> None:
    for saga in shop.sagas.values():
        for step in saga.steps:
            if step.compensate:
                op = shop.operation(step.compensate)
                assert op is not None and op.idempotent, step.compensate


def test_shop_entry_services_have_slos_and_only_the_edge_is_public(shop: Model) -> None:
    for entry in shop.entrypoints:
        slo = shop.services[entry.operation.split(".")[0]].slo
        assert slo is not None and slo.availability is not None
        assert slo.latency is not None and slo.latency.p99 is not None
    public = [n for n, s in shop.services.items() if s.expose == "public"]
    assert public == ["web-bff"]
    assert shop.services["web-bff"].rate_limit is not None


def test_shop_names_secrets_without_values(shop: Model) -> None:
    secrets = [sec for svc in shop.services.values() for sec in svc.secrets]
    assert secrets and all(sec.value is None for sec in secrets)


# --------------------------------------------------------------------------- online boutique


def _manifests() -> list[dict[str, Any]]:
    yaml = YAML(typ="safe")
    docs: list[dict[str, Any]] = []
    for path in sorted((BOUTIQUE_DATA / "kubernetes-manifests").glob("*.yaml")):
        docs.extend(d for d in yaml.load_all(path) if isinstance(d, dict))
    return docs


def _deployments() -> dict[str, dict[str, Any]]:
    """Deployment name → its first container."""
    return {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0]
        for d in _manifests()
        if d.get("kind") == "Deployment"
    }


def _env_edges() -> set[tuple[str, str]]:
    """(caller, callee) from every ``*_SERVICE_ADDR`` variable, e.g. ``cartservice:7070``."""
    out = set()
    for name, container in _deployments().items():
        for var in container.get("env", []):
            if var["name"].endswith("_SERVICE_ADDR"):
                out.add((name, var["value"].split(":")[0]))
    return out


def test_boutique_services_are_the_deployments_minus_redis_and_the_load_generator(
    boutique: LoadedModel,
) -> None:
    # Upstream's "11 microservices" are the 10 modelled services plus loadgenerator, which
    # the model turns into entrypoints; redis-cart is cartservice's datastore.
    model = boutique.model
    assert len(model.services) == 10
    assert set(_deployments()) == set(model.services) | {"redis-cart", "loadgenerator"}
    assert model.services["cartservice"].datastores["redis-cart"].kind == "redis"
    assert {e.operation.split(".")[0] for e in model.entrypoints} == {"frontend"}


def test_boutique_call_edges_are_the_service_addr_variables(boutique: LoadedModel) -> None:
    deployed = set(_deployments())
    env = _env_edges()
    # frontend also names shoppingassistantservice, an optional service that the base
    # kustomization does not deploy; it is not part of the model.
    assert {callee for _, callee in env - {e for e in env if e[1] in deployed}} == {
        "shoppingassistantservice"
    }
    expected = {e for e in env if e[1] in deployed}
    assert set(service_graph(boutique.model).edges) == expected


def test_boutique_operations_are_the_rpcs_of_demo_proto(boutique: LoadedModel) -> None:
    proto = (BOUTIQUE_DATA / "protos" / "demo.proto").read_text(encoding="utf-8")
    rpcs: dict[str, set[str]] = {}
    for service, body in re.findall(r"^service (\w+) \{(.*?)^\}", proto, re.M | re.S):
        rpcs[service] = set(re.findall(r"rpc (\w+)\(", body))
    modelled = {
        api.name: set(api.operations)
        for name, svc in boutique.model.services.items()
        if name != "frontend"
        for api in svc.apis
    }
    assert modelled == rpcs
    for ref in operation_names(boutique.model):
        op = boutique.model.operation(ref)
        assert op is not None
        if ref.split(".")[1].startswith(("Get", "List", "Convert")):
            assert op.idempotent, ref


def test_boutique_ports_images_and_resources_come_from_the_manifests(
    boutique: LoadedModel,
) -> None:
    for name, container in _deployments().items():
        svc = boutique.model.services.get(name)
        if svc is None:
            continue
        assert [api.port for api in svc.apis] == [container["ports"][0]["containerPort"]]
        assert svc.image == container["image"]
        res = container["resources"]
        assert svc.runtime.cpu == parse_cpu(res["requests"]["cpu"])
        assert svc.runtime.memory == parse_memory(res["requests"]["memory"])
        assert svc.runtime.cpu_limit == parse_cpu(res["limits"]["cpu"])
        assert svc.runtime.memory_limit == parse_memory(res["limits"]["memory"])


def test_boutique_adds_no_resilience_the_real_system_lacks(boutique: LoadedModel) -> None:
    for edge in edges(boutique.model):
        call = edge.call
        assert call.retries is None and call.circuit_breaker is None and call.bulkhead is None
        # The only deadline in the upstream code: frontend's 100 ms on GetAds.
        assert call.timeout is None or edge.callee == "adservice.GetAds"
    assert all(svc.slo is None for svc in boutique.model.services.values())


def test_boutique_data_ships_with_its_license() -> None:
    for path in (BOUTIQUE_DATA / "LICENSE", EXAMPLES / "online-boutique" / "LICENSE"):
        assert "Apache License" in path.read_text(encoding="utf-8")
    assert (EXAMPLES / "online-boutique" / "SOURCE.md").is_file()
