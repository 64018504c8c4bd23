"""The asyncapi target: an AsyncAPI 3.0 document valid against the official JSON Schema,
every reference resolving, with the model's topics, senders and receivers."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from conftest import EXAMPLES
from emit.helpers import HERE, check_golden
from meshwright.emit.registry import emit_target
from meshwright.emit.yamltext import load_all
from meshwright.model import Model, load_model, load_text
from meshwright.model.types import Broker

SCHEMA = jsonschema.Draft7Validator(
    json.loads((HERE / "schemas" / "asyncapi" / "3.0.0.json").read_text(encoding="utf-8"))
)


def with_broker(model: Model, broker: Broker) -> Model:
    return model.model_copy(update={"platform": model.platform.model_copy(update={"broker": broker})})


def document(model: Model) -> dict[str, Any]:
    [artifact] = emit_target("asyncapi", model)
    assert artifact.path == "asyncapi.yaml"
    [doc] = load_all(str(artifact.content))
    return doc  # type: ignore[no-any-return]


def resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


@pytest.mark.parametrize("broker", [Broker.kafka, Broker.rabbitmq, Broker.none])
def test_shop_document_is_valid_asyncapi_3(broker: Broker) -> None:
    doc = document(with_broker(load_model(EXAMPLES / "shop").model, broker))
    errors = sorted(SCHEMA.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    for op in doc["operations"].values():
        resolve(doc, op["channel"]["$ref"])
        for message in op["messages"]:
            resolve(doc, message["$ref"])
    for channel in doc["channels"].values():
        for message in channel["messages"].values():
            resolve(doc, message["$ref"])


def test_operations_are_the_models_senders_and_receivers() -> None:
    doc = document(load_model(EXAMPLES / "shop").model)
    ops = doc["operations"]
    assert ops["orders.send.order-confirmed"]["action"] == "send"
    assert ops["notification.send.notification-dlq"]["action"] == "send"
    receive = ops["notification.receive.order-confirmed"]
    assert receive["action"] == "receive"
    assert receive["bindings"]["kafka"]["groupId"] == {"type": "string", "enum": ["notification"]}
    assert "SendOrderConfirmation" in receive["summary"]
    assert not any(k.startswith("web-bff.") for k in ops)  # web-bff neither publishes nor consumes
    channel = doc["channels"]["order-confirmed"]
    assert channel["bindings"]["kafka"]["partitions"] == 16
    assert channel["bindings"]["kafka"]["topicConfiguration"]["retention.ms"] == 14 * 86400 * 1000
    model = load_model(EXAMPLES / "shop").model
    message = doc["components"]["messages"]["shipment-created-message"]
    assert message["payload"] == model.topics["shipment-created"].message
    assert "description" not in message
    undeclared = doc["components"]["messages"]["order-cancelled-message"]
    assert model.topics["order-cancelled"].message is None
    assert "payload" not in undeclared and "no payload schema" in undeclared["description"]


def test_golden_files_on_rabbitmq() -> None:
    model = with_broker(load_model(EXAMPLES / "shop").model, Broker.rabbitmq)
    check_golden("shop-rabbitmq/asyncapi", emit_target("asyncapi", model))


def test_no_topics_no_document() -> None:
    assert emit_target("asyncapi", load_text("meshwright: 1\nsystem: s\n").model) == []
