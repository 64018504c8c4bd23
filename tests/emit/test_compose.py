"""Compose target: valid against the compose specification, runs what the system needs."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from emit.helpers import HERE, check_golden, fixture_model
from meshwright.emit import emit_target
from meshwright.emit.yamltext import load_all
from meshwright.model import load_text

SCHEMA = json.loads((HERE / "schemas" / "compose_spec.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft201909Validator(SCHEMA)  # the draft its "$schema" names


def _compose(model: Any) -> dict[str, Any]:
    [artifact] = emit_target("compose", model)
    assert artifact.path == "compose.yaml"
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
    }
    assert all("healthcheck" in s for s in services.values())
    assert services["orders-db"]["image"].startswith("postgres:")
    assert services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    assert services["checkout"]["depends_on"] == {
        name: {"condition": "service_healthy"} for name in ("cart", "kafka", "orders-db", "payment")
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
    assert "depends_on" not in services["a"] and "depends_on" not in services["b"]
    VALIDATOR.validate(_compose(model))


def test_golden_file() -> None:
    check_golden("minishop/compose", emit_target("compose", fixture_model()))
