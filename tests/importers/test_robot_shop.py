"""Robot Shop's compose file (with its .env) and Istio examples → model.

What they must yield: eight services (web, catalogue, user, cart, shipping, ratings,
payment, dispatch; images interpolated from .env), MongoDB, MySQL and Redis as datastores
of the services that depend on them, RabbitMQ as the platform's broker (its users get a
TODO for their topics), web public (it publishes 8080) and calling the four services it
depends on; ports from the health checks. With the Istio files: mesh istio, the canary
split and subsets noted, the patched Deployment not imported as a service.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from meshwright.model import Model, load_model

from .helpers import ROBOT_SHOP, import_json, runs_every_stage

COMPOSE = ROBOT_SHOP / "docker-compose.yaml"
SERVICES = {"web", "catalogue", "user", "cart", "shipping", "ratings", "payment", "dispatch"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("rs") / "model"
    summary = import_json("compose", str(COMPOSE), "--istio", str(ROBOT_SHOP / "K8s-istio"), "-o", str(out),
                          "--system", "robot-shop")
    return out, summary


@pytest.fixture(scope="module")
def model(imported: tuple[Path, dict[str, Any]]) -> Model:
    return load_model(imported[0]).model


def test_every_stage_runs(imported: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    runs_every_stage(imported[0], tmp_path)


def test_services_and_images(model: Model) -> None:
    assert set(model.services) == SERVICES
    assert model.services["web"].image == "robotshop/rs-web:2.1.0"
    assert model.services["payment"].image == "robotshop/rs-payment:2.1.0"
    assert model.platform.orchestrator.value == "kubernetes"  # Istio runs only there


def test_datastores_and_broker(model: Model, imported: tuple[Path, dict[str, Any]]) -> None:
    stores = {(n, d, s.datastores[d].kind) for n, s in model.services.items() for d in s.datastores}
    assert stores == {
        ("catalogue", "mongodb", "mongodb"), ("user", "mongodb", "mongodb"), ("user", "redis", "redis"),
        ("cart", "redis", "redis"), ("shipping", "mysql", "mysql"), ("ratings", "mysql", "mysql"),
    }
    assert model.platform.broker.value == "rabbitmq"
    for name in ("payment", "dispatch"):
        text = (imported[0] / "services" / f"{name}.yaml").read_text()
        assert "TODO messaging: uses broker rabbitmq" in text
        assert not model.services[name].publishes and not model.services[name].consumes


def test_edges_ports_and_exposure(model: Model, imported: tuple[Path, dict[str, Any]]) -> None:
    web = model.services["web"]
    assert web.expose == "public"
    assert {c.to for c in web.calls} == {f"{s}.request" for s in ("catalogue", "user", "shipping", "payment")}
    assert all(e["strongest"] == "compose depends_on" for e in imported[1]["edges"])
    assert [a.port for a in model.services["ratings"].apis] == [80]  # its health check: localhost/_health
    assert [a.port for a in model.services["catalogue"].apis] == [8080]
    assert model.services["dispatch"].apis == []
    assert "TODO apis" in (imported[0] / "services" / "dispatch.yaml").read_text()


def test_istio_examples(model: Model, imported: tuple[Path, dict[str, Any]]) -> None:
    _, summary = imported
    assert model.platform.mesh.value == "istio"
    notes = "\n".join(summary["notes"])
    assert "splits traffic over 2 destinations" in notes
    assert "subsets production, canary" in notes
    assert "Deployment in the Istio input is not imported" in notes
    assert "payment-fix" not in model.services
    assert any("INSTANA_AGENT_KEY is not set" in n for n in summary["notes"])
