"""load → dump → load gives the same model; the JSON Schema accepts what the loader accepts."""

from __future__ import annotations

import json

import jsonschema
from ruamel.yaml import YAML

from meshwright.model import load_text
from meshwright.model.dump import to_data, to_json, to_yaml
from meshwright.model.scaffold import STARTER_MODEL
from meshwright.model.schema import model_json_schema

RICH = """\
meshwright: 1
system: shop
platform: {mesh: istio, broker: kafka, secrets: vault}
defaults:
  call: {timeout: 1s, retries: {attempts: 2, per_try_timeout: 400ms}}
contexts:
  ordering: {owner: team-orders}
services:
  checkout:
    context: ordering
    runtime: {replicas: 3, cpu: 500m, memory: 512Mi, concurrency: 32,
              autoscale: {min: 3, max: 12, cpu_target: 70}}
    availability: 99.95
    apis:
      - name: CheckoutService
        protocol: grpc
        port: 5050
        operations:
          PlaceOrder: {idempotent: false, service_time: {mean: 20ms, p99: 120ms},
                       writes: [orders-db], publishes: [order-placed], outbox: true}
          GetOrder: {idempotent: true, service_time: {mean: 4ms, distribution: exponential}}
    calls:
      - to: payment.Charge
        per_request: 1
        timeout: 800ms
        retries: {attempts: 3, per_try_timeout: 250ms, backoff: {base: 25ms, max: 200ms}}
        circuit_breaker: {consecutive_errors: 5, open_for: 30s}
        bulkhead: {max_concurrent: 40}
        fallback: none
    datastores:
      orders-db: {kind: postgres}
    publishes: [order-placed]
    secrets: [orders-db-password]
    slo:
      availability: 99.9
      latency: {p99: 500ms}
  payment:
    context: ordering
    apis:
      - {name: Payment, port: 8080, operations: {Charge: {idempotent: true}, Refund: {idempotent: true}}}
    consumes: [{topic: order-placed, dead_letter: dlq}]
topics:
  order-placed: {partitions: 6, replication: 3, retention: 3d, key: order_id}
  dlq: {dead_letter: true}
entrypoints:
  - {operation: checkout.PlaceOrder, rate: 3000/min}
sagas:
  place-order:
    steps:
      - {do: payment.Charge, compensate: payment.Refund}
"""


def test_yaml_round_trip() -> None:
    first = load_text(RICH, "a.yaml").model
    second = load_text(to_yaml(first), "b.yaml").model
    assert second == first
    assert load_text(to_yaml(second), "c.yaml").model == first


def test_json_round_trip_and_canonical_units() -> None:
    model = load_text(RICH, "a.yaml").model
    data = json.loads(to_json(model))
    assert data["entrypoints"][0]["rate"] == "50/s"
    call = data["services"]["checkout"]["calls"][0]
    assert call["timeout"] == "800ms"
    assert call["retries"]["backoff"]["max"] == "200ms"
    assert data["services"]["checkout"]["runtime"]["memory"] == "512Mi"
    assert data["topics"]["order-placed"]["retention"] == "3d"
    yaml_text = json.dumps(data)  # JSON is YAML
    assert load_text(yaml_text, "j.yaml").model == model


def test_schema_is_valid_and_accepts_models() -> None:
    schema = model_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for text in (RICH, STARTER_MODEL):
        raw = YAML(typ="safe").load(text)
        errors = list(validator.iter_errors(raw))
        assert errors == [], [e.message for e in errors]
    model = load_text(RICH, "a.yaml").model
    assert list(validator.iter_errors(to_data(model))) == []


def test_schema_rejects_unknown_fields() -> None:
    validator = jsonschema.Draft202012Validator(model_json_schema())
    raw = YAML(typ="safe").load(RICH)
    raw["services"]["checkout"]["retires"] = 3
    assert any("retires" in e.message for e in validator.iter_errors(raw))


def test_a_directory_models_mesh_yaml_loads_the_whole_directory() -> None:
    """`meshwright emit consul examples/shop/mesh.yaml` means the model in examples/shop:
    the root file beside services/ brings its fragments (it used to fail on web-bff)."""
    from pathlib import Path

    from meshwright.model import load_model

    shop = Path(__file__).resolve().parents[2] / "examples" / "shop"
    by_file = load_model(shop / "mesh.yaml").model
    by_dir = load_model(shop).model
    assert by_file.model_dump() == by_dir.model_dump()
    assert "web-bff" in by_file.services
