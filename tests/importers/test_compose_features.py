"""Compose features an import must honour, one by one, and a registry-based system."""

from __future__ import annotations

import textwrap
from pathlib import Path

from meshwright.importers.builder import ModelBuilder
from meshwright.importers.compose import import_compose
from meshwright.importers.writer import write
from meshwright.model import Model, load_model

from .helpers import import_json, run


def _import(tmp_path: Path, compose: str, env: str | None = None, **kw: object) -> tuple[Model, ModelBuilder]:
    src = tmp_path / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "compose.yaml").write_text(textwrap.dedent(compose))
    if env is not None:
        (src / ".env").write_text(textwrap.dedent(env))
    builder = ModelBuilder("t")
    import_compose(builder, src / "compose.yaml", **kw)  # type: ignore[arg-type]
    write(builder, tmp_path / "model")
    return load_model(tmp_path / "model").model, builder


SHOP = """\
    x-defaults: &defaults
      restart: always
      deploy: {replicas: 3}
    services:
      web:
        <<: *defaults
        deploy: {replicas: 2, resources: {limits: {memory: 256M, cpus: "0.5"}}}
        image: ${REGISTRY:-example}/web:${TAG}
        ports: ["127.0.0.1:80:8080/tcp"]
        environment:
          ORDERS_URL: http://orders:9000/api
          CACHE: "redis://cache:6379/0"
        depends_on:
          orders: {condition: service_healthy}
          cache: {condition: service_started}
      orders:
        <<: *defaults
        image: example/orders:${TAG}
        mem_limit: 512m
        expose: ["9000"]
        environment: ["DB_HOST=db", "PRICING_ADDR=pricing:7000"]
        depends_on: [db]
      pricing:
        image: example/pricing:1
        expose: ["7000"]
        profiles: [extra]
      db: {image: "postgres:16"}
      cache: {image: "redis:7"}
      queue: {image: "bitnami/kafka:3.7"}
    """


def test_interpolation_anchors_replicas_memory_and_both_depends_on_forms(tmp_path: Path) -> None:
    model, builder = _import(tmp_path, SHOP, env="TAG=1.2  # the release\nexport OTHER='x y'\n")
    web, orders = model.services["web"], model.services["orders"]
    assert web.image == "example/web:1.2" and orders.image == "example/orders:1.2"
    assert web.runtime.replicas == 2 and orders.runtime.replicas == 3
    assert web.runtime.cpu_limit == 0.5
    assert web.runtime.memory_limit == 256 * 2**20 and orders.runtime.memory_limit == 512 * 2**20
    assert web.expose == "public" and orders.expose == "internal"
    assert [c.to for c in web.calls] == ["orders.request"]
    assert set(web.datastores) == {"cache"} and web.datastores["cache"].kind == "redis"
    assert orders.datastores["db"].kind == "postgres"
    assert model.platform.broker.value == "kafka"
    edge = next(e for e in builder.resolve()[0] if e.callee == "orders")
    assert edge.port == 9000 and edge.strongest.label == "env"
    assert [e.source.label for e in edge.evidence] == ["env", "compose depends_on"]


def test_profiles_exclude_unless_asked(tmp_path: Path) -> None:
    model, builder = _import(tmp_path, SHOP, env="TAG=1\n")
    assert "pricing" not in model.services
    assert any("only in profiles extra" in n for n in builder.notes)
    assert any("names 'pricing', which no input defines" in n for n in builder.notes)
    model, _ = _import(tmp_path / "p", SHOP, env="TAG=1\n", profiles=["extra"])
    assert "pricing" in model.services
    assert "pricing.request" in {c.to for c in model.services["orders"].calls}


def test_required_variable_is_a_located_error(tmp_path: Path) -> None:
    src = tmp_path / "compose.yaml"
    src.write_text("services:\n  a:\n    image: ${IMAGE:?set the image}\n")
    r = run("import", "compose", str(src), "-o", str(tmp_path / "m"))
    assert r.returncode == 2
    assert "required variable IMAGE is not set: set the image" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_registry_means_no_guessed_edges_and_says_how_to_add_them(tmp_path: Path) -> None:
    compose = """\
        services:
          consul: {image: "hashicorp/consul:1.18"}
          api:
            image: example/api:1
            ports: ["8080:8080"]
            environment: {CONSUL_HTTP_ADDR: "consul:8500", ORDERS_SERVICE: orders}
            depends_on: [consul, orders]
          orders:
            image: example/orders:1
            expose: ["9000"]
            environment: {CONSUL_HTTP_ADDR: "consul:8500"}
        """
    src = tmp_path / "compose.yaml"
    src.write_text(textwrap.dedent(compose))
    summary = import_json("compose", str(src), "-o", str(tmp_path / "m"))
    assert summary["edges"] == []
    assert summary["registry"] == "consul"
    model = load_model(tmp_path / "m").model
    assert model.platform.discovery.value == "consul"
    assert all(not s.calls for s in model.services.values())
    mesh = (tmp_path / "m" / "mesh.yaml").read_text()
    assert "services find each other through consul" in mesh and "importing traces" in mesh
    r = run("import", "compose", str(src), "-o", str(tmp_path / "m2"))
    assert "no call edges were guessed" in r.stdout and "--traces" in r.stdout


def test_services_whose_file_names_collide_each_get_a_file(tmp_path: Path) -> None:
    model, _ = _import(tmp_path, """\
        services:
          web.app: {image: "example/a:1", expose: ["80"]}
          web-app: {image: "example/b:1", expose: ["81"]}
        """)
    assert set(model.services) == {"web.app", "web-app"}
    assert sorted(p.name for p in (tmp_path / "model" / "services").iterdir()) == ["web-app-2.yaml",
                                                                                  "web-app.yaml"]
