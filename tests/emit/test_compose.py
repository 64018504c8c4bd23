"""Compose target: valid against the compose specification, runs what the system needs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from emit.helpers import HERE, check_golden, fixture_model, write
from meshwright.emit import emit_target
from meshwright.emit.yamltext import load_all
from meshwright.model import load_model, load_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SCHEMA = json.loads((HERE / "schemas" / "compose_spec.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft201909Validator(SCHEMA)  # the draft its "$schema" names


def _compose(model: Any) -> dict[str, Any]:
    [artifact] = [a for a in emit_target("compose", model) if a.path == "compose.yaml"]
    [doc] = load_all(str(artifact.content))
    result: dict[str, Any] = doc
    return result


def test_valid_against_the_compose_specification() -> None:
    VALIDATOR.validate(_compose(fixture_model()))


def test_schema_check_is_effective() -> None:
    doc = _compose(fixture_model())
    doc["services"]["cart"]["depends_on"] = {"cart-cache": {"condition": "when_ready"}}
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(doc)


def test_runs_services_broker_and_datastores_with_healthchecks() -> None:
    services = _compose(fixture_model())["services"]
    assert set(services) == {
        "frontend",
        "cart",
        "checkout",
        "payment",
        "email",
        "kafka",
        "cart-cache",
        "orders-db",
        "otel-collector",  # the telemetry of the default platform.telemetry
        "jaeger",
        "prometheus",
        "grafana",
    }
    # The collector's image has no shell to probe with; everything else has a healthcheck.
    assert all("healthcheck" in s for n, s in services.items() if n != "otel-collector")
    assert services["orders-db"]["image"].startswith("postgres:")
    assert services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    assert services["checkout"]["depends_on"] == {
        **{name: {"condition": "service_healthy"} for name in ("cart", "kafka", "orders-db", "payment")},
        "otel-collector": {"condition": "service_started"},
    }
    assert services["frontend"]["ports"] == ["127.0.0.1:8080:8080"]  # public
    assert "ports" not in services["cart"]  # internal: reachable only inside the project
    assert services["cart"]["read_only"] is True and services["cart"]["cap_drop"] == ["ALL"]


def test_secrets_are_files_never_values() -> None:
    model = load_text(
        "meshwright: 1\nsystem: s\nservices:\n  api:\n"
        "    apis: [{name: A, port: 80, operations: {Get: {}}}]\n"
        "    secrets: [{name: db-password, value: hunter2}]\n"
    ).model
    doc = _compose(model)
    assert "hunter2" not in json.dumps(doc)
    assert doc["secrets"] == {"db-password": {"file": "./secrets/db-password"}}
    assert doc["services"]["api"]["environment"]["DB_PASSWORD_FILE"] == "/run/secrets/db-password"


def test_mutual_callers_do_not_wait_for_each_other() -> None:
    model = load_text(
        "meshwright: 1\nsystem: s\nservices:\n"
        "  a:\n    apis: [{name: A, port: 80, operations: {Get: {}}}]\n    calls: [{to: b.Get}]\n"
        "  b:\n    apis: [{name: B, port: 81, operations: {Get: {}}}]\n    calls: [{to: a.Get}]\n"
    ).model
    services = _compose(model)["services"]
    assert set(services["a"]["depends_on"]) == set(services["b"]["depends_on"]) == {"otel-collector"}
    VALIDATOR.validate(_compose(model))


def test_golden_file() -> None:
    check_golden("minishop/compose", emit_target("compose", fixture_model()))


# --------------------------------------------------------------------------- telemetry


@pytest.fixture(scope="module")
def shop_compose(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = load_model(EXAMPLES / "shop").model
    return write(tmp_path_factory.mktemp("compose"), emit_target("compose", model))


def _doc(out: Path) -> dict[str, Any]:
    [doc] = load_all((out / "compose.yaml").read_text(encoding="utf-8"))
    result: dict[str, Any] = doc
    return result


def test_shop_runs_the_telemetry_it_selects(shop_compose: Path) -> None:
    """examples/shop (prometheus, grafana, jaeger): collector, Jaeger, Prometheus and
    Grafana run beside the services, valid compose, every mounted file generated."""
    doc = _doc(shop_compose)
    VALIDATOR.validate(doc)
    services = doc["services"]
    assert {"otel-collector", "jaeger", "prometheus", "grafana"} <= set(services)
    assert "zipkin" not in services
    for svc in services.values():
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0]
            assert (shop_compose / source).exists(), volume
    ui = {n: s["ports"] for n, s in services.items() if n in ("jaeger", "prometheus", "grafana")}
    assert ui == {
        "jaeger": ["127.0.0.1:16686:16686"],
        "prometheus": ["127.0.0.1:9090:9090"],
        "grafana": ["127.0.0.1:3000:3000"],
    }


def test_services_carry_the_otel_environment_of_kubernetes(shop_compose: Path) -> None:
    from meshwright.emit.telemetry_env import telemetry_env

    model = load_model(EXAMPLES / "shop").model
    services = _doc(shop_compose)["services"]
    for name in model.services:
        env = services[name]["environment"]
        assert {k: v for k, v in env.items() if k.startswith("OTEL_")} == telemetry_env(model, name)
        assert services[name]["depends_on"]["otel-collector"] == {"condition": "service_started"}
    assert services["checkout"]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4317"


def test_the_cluster_names_the_configs_use_resolve_in_compose(shop_compose: Path) -> None:
    """The collector exports to ``jaeger-collector``, Grafana reads ``prometheus-operated``:
    network aliases of the compose containers, so the same files work in both places."""
    services = _doc(shop_compose)["services"]
    names = {
        n: {n, *s.get("networks", {}).get("default", {}).get("aliases", [])} for n, s in services.items()
    }
    [collector] = load_all((shop_compose / "telemetry/otel-collector.yaml").read_text())
    host = collector["exporters"]["otlp/jaeger"]["endpoint"].split(":")[0]
    assert host in names["jaeger"]
    [datasources] = load_all(
        (shop_compose / "telemetry/grafana/provisioning/datasources/prometheus.yaml").read_text()
    )
    url = datasources["datasources"][0]["url"]
    assert url.split("//")[1].split(":")[0] in names["prometheus"]
    [provider] = load_all(
        (shop_compose / "telemetry/grafana/provisioning/dashboards/meshwright.yaml").read_text()
    )
    path = provider["providers"][0]["options"]["path"]
    assert any(v.endswith(f":{path}:ro") for v in services["grafana"]["volumes"])
    assert (shop_compose / "telemetry/grafana/dashboards/slo.json").is_file()


def test_promtool_accepts_the_prometheus_config_and_its_rules(shop_compose: Path) -> None:
    """``promtool check config`` reads prometheus.yml and every rule file it names; every
    workload, the event consumer too, is a scrape target labelled ``service``."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail(
            "promtool is not installed: run .ci/install-system-packages.sh (Debian package prometheus)"
        )
    config = shop_compose / "telemetry" / "prometheus" / "prometheus.yml"
    result = subprocess.run(
        [promtool, "check", "config", config.name],
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rule_files = sorted((config.parent / "rules").glob("*.rules.yaml"))
    assert rule_files
    assert f"SUCCESS: {len(rule_files)} rule files found" in result.stdout
    for rule_file in rule_files:
        assert f"Checking rules/{rule_file.name}" in result.stdout
    [prom] = load_all(config.read_text())
    targets = {c["labels"]["service"]: c["targets"] for c in prom["scrape_configs"][0]["static_configs"]}
    assert targets["notification"] == ["notification:9090"]


def test_no_telemetry_no_telemetry_containers() -> None:
    model = load_text(
        "meshwright: 1\nsystem: s\nplatform:\n"
        "  telemetry: {metrics: none, dashboards: none, tracing: none, logs: none}\n"
        "services:\n  api:\n    apis: [{name: A, port: 80, operations: {Get: {}}}]\n"
    ).model
    artifacts = emit_target("compose", model)
    assert [a.path for a in artifacts] == ["compose.yaml"]
    [doc] = load_all(str(artifacts[0].content))
    assert set(doc["services"]) == {"api"}
    assert not any(k.startswith("OTEL_") for k in doc["services"]["api"].get("environment", {}))


def test_zipkin_tracing_runs_zipkin_where_the_collector_exports() -> None:
    model = load_text(
        "meshwright: 1\nsystem: s\nplatform:\n"
        "  telemetry: {metrics: none, dashboards: none, tracing: zipkin, logs: none}\n"
        "services:\n  api:\n    apis: [{name: A, port: 80, operations: {Get: {}}}]\n"
    ).model
    artifacts = {a.path: str(a.content) for a in emit_target("compose", model)}
    assert sorted(artifacts) == ["compose.yaml", "telemetry/otel-collector.yaml"]
    [doc] = load_all(artifacts["compose.yaml"])
    VALIDATOR.validate(doc)
    assert set(doc["services"]) == {"api", "otel-collector", "zipkin"}
    [collector] = load_all(artifacts["telemetry/otel-collector.yaml"])
    assert collector["exporters"]["zipkin"]["endpoint"].startswith("http://zipkin:9411/")
    assert doc["services"]["otel-collector"]["depends_on"] == {"zipkin": {"condition": "service_healthy"}}
    assert doc["services"]["api"]["environment"]["OTEL_METRICS_EXPORTER"] == "none"
