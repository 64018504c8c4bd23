"""The rabbitmq target: definitions loaded into a real rabbitmq-server, messages published and
consumed end to end with a real AMQP client (pika), a rejected message dead-lettered, least
privilege enforced by the broker; operator resources valid against their schemas."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pika
import pika.exceptions
import pytest

from brokers import RabbitMQ, rabbitmq
from conftest import EXAMPLES
from emit.crd_schemas import validate_resource
from emit.helpers import check_golden
from meshwright.emit.registry import emit_target
from meshwright.emit.yamltext import load_all
from meshwright.model import Model, load_model, load_text
from meshwright.model.types import Broker

ADMIN = ("meshwright-test-admin", "admin-secret")


def shop_on_rabbitmq() -> Model:
    model = load_model(EXAMPLES / "shop").model
    platform = model.platform.model_copy(update={"broker": Broker.rabbitmq})
    return model.model_copy(update={"platform": platform})


def files(model: Model) -> dict[str, str]:
    return {a.path: str(a.content) for a in emit_target("rabbitmq", model)}


def password_hash(password: str) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


@pytest.fixture(scope="module")
def definitions() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(files(shop_on_rabbitmq())["definitions.json"])
    return doc


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory, definitions: dict[str, Any]) -> Iterator[RabbitMQ]:
    """One server for the module (Erlang starts slowly), loaded with the shop's definitions.

    Passwords are filled in the way an operator fills them from the secret store: the
    generated file has none."""
    loaded = json.loads(json.dumps(definitions))
    for user in loaded["users"]:
        user["password_hash"] = password_hash(f"{user['name']}-secret")
    loaded["users"].append(
        {
            "name": ADMIN[0],
            "password_hash": password_hash(ADMIN[1]),
            "hashing_algorithm": "rabbit_password_hashing_sha256",
            "tags": ["administrator"],
        }
    )
    loaded["permissions"].append(
        {"user": ADMIN[0], "vhost": "shop", "configure": ".*", "write": ".*", "read": ".*"}
    )
    tmp = tmp_path_factory.mktemp("rabbitmq")
    path = tmp / "definitions.json"
    path.write_text(json.dumps(loaded), encoding="utf-8")
    with rabbitmq(tmp / "server") as server:
        server.ctl("import_definitions", str(path))
        yield server


def connect(broker: RabbitMQ, user: str, password: str | None = None) -> pika.BlockingConnection:
    credentials = pika.PlainCredentials(user, password or f"{user}-secret")
    params = pika.ConnectionParameters("127.0.0.1", broker.port, "shop", credentials, connection_attempts=3)
    return pika.BlockingConnection(params)


def publish(broker: RabbitMQ, user: str, topic: str, body: bytes) -> None:
    with connect(broker, user) as conn:
        channel = conn.channel()
        channel.confirm_delivery()
        channel.basic_publish(topic, "key-1", body, pika.BasicProperties(delivery_mode=2), mandatory=True)


def get(
    broker: RabbitMQ,
    user: str,
    queue: str,
    *,
    password: str | None = None,
    reject: bool = False,
    seconds: float = 20,
) -> bytes | None:
    """The next message of ``queue`` (acknowledged, or rejected without requeue), or None."""
    with connect(broker, user, password) as conn:
        channel = conn.channel()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            method, _props, body = channel.basic_get(queue)
            if method is not None:
                if reject:
                    channel.basic_nack(method.delivery_tag, requeue=False)
                else:
                    channel.basic_ack(method.delivery_tag)
                return bytes(body)
            conn.sleep(0.1)
    return None


def test_definitions_carry_no_password() -> None:
    out = files(shop_on_rabbitmq())
    doc = json.loads(out["definitions.json"])
    assert {u["password_hash"] for u in doc["users"]} == {""}
    assert "password" not in out["topology.yaml"].lower()
    creds = load_all(out["credentials.yaml"])[0]["users"]
    assert {c["user"] for c in creds} == {u["name"] for u in doc["users"]}
    assert {c["secret"] for c in creds} == {f"{u['name']}-rabbitmq" for u in doc["users"]}


@pytest.mark.golden_tool  # the broker loads the golden definitions.json
def test_broker_has_the_topology(broker: RabbitMQ, definitions: dict[str, Any]) -> None:
    listed = json.loads(
        broker.ctl("list_queues", "-p", "shop", "name", "type", "policy", "--formatter", "json")
    )
    queues = {q["name"]: q for q in listed}
    assert sorted(queues) == sorted(q["name"] for q in definitions["queues"])
    assert {q["type"] for q in queues.values()} == {"quorum"}
    assert all(q["policy"] == name for name, q in queues.items())
    # the shop's dead-letter topics have no consumer: each gets a queue that keeps its messages
    assert {"search-dlq", "recommendation-dlq", "notification-dlq", "orders-dlq"} <= set(queues)


@pytest.mark.golden_tool  # the broker loads the golden definitions.json
def test_every_message_reaches_every_consumer(broker: RabbitMQ, definitions: dict[str, Any]) -> None:
    model = shop_on_rabbitmq()
    producers = {
        "product-updated": "catalog",
        "price-changed": "pricing",
        "stock-changed": "inventory",
        "order-confirmed": "orders",
        "order-cancelled": "orders",
        "shipment-created": "shipping",
    }
    for topic, user in producers.items():
        body = f"{topic}-{time.monotonic_ns()}".encode()
        publish(broker, user, topic, body)
        readers = [c for svc in model.services.values() for c in svc.consumes if c.topic == topic]
        assert readers, topic
        for name, svc in model.services.items():
            for c in svc.consumes:
                if c.topic == topic:
                    assert get(broker, name, f"{topic}.{c.group}") == body, (topic, name)


@pytest.mark.golden_tool  # the broker loads the golden definitions.json
def test_a_rejected_message_lands_in_the_dead_letter_queue(broker: RabbitMQ) -> None:
    publish(broker, "orders", "order-confirmed", b"poison")
    assert get(broker, "notification", "order-confirmed.notification", reject=True) == b"poison"
    assert get(broker, "recommendation", "order-confirmed.recommendation") == b"poison"
    assert get(broker, ADMIN[0], "notification-dlq", password=ADMIN[1]) == b"poison"


@pytest.mark.golden_tool  # the broker loads the golden definitions.json
def test_services_get_least_privilege(broker: RabbitMQ) -> None:
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        publish(broker, "catalog", "order-confirmed", b"not mine")
    assert refused.value.reply_code == 403
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        get(broker, "notification", "product-updated.search", seconds=1)
    assert refused.value.reply_code == 403
    with connect(broker, "search") as conn, pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        conn.channel().queue_declare("my-own-queue")
    assert refused.value.reply_code == 403


def test_operator_resources_match_their_schemas() -> None:
    out = files(shop_on_rabbitmq())
    resources = load_all(out["topology.yaml"])
    kinds = {r["kind"] for r in resources}
    assert kinds == {
        "Vhost",
        "Exchange",
        "Queue",
        "Binding",
        "Policy",
        "User",
        "Permission",
        "TopicPermission",
    }
    for obj in resources:
        validate_resource(obj)
    doc = json.loads(out["definitions.json"])
    assert sum(r["kind"] == "Queue" for r in resources) == len(doc["queues"])
    assert sum(r["kind"] == "User" for r in resources) == len(doc["users"])


def test_golden_files() -> None:
    check_golden("shop-rabbitmq/rabbitmq", emit_target("rabbitmq", shop_on_rabbitmq()))


def test_shared_group_gets_one_queue_per_service_and_kafka_models_get_nothing() -> None:
    model = load_text(
        "meshwright: 1\nsystem: s\nplatform: {broker: rabbitmq}\ntopics: {t: null}\n"
        "services:\n"
        "  a: {consumes: [{topic: t, group: g}]}\n"
        "  b: {consumes: [{topic: t, group: g}]}\n"
    ).model
    doc = json.loads(files(model)["definitions.json"])
    assert [q["name"] for q in doc["queues"]] == ["t.g.a", "t.g.b"]
    kafka = model.model_copy(update={"platform": model.platform.model_copy(update={"broker": Broker.kafka})})
    assert emit_target("rabbitmq", kafka) == []
