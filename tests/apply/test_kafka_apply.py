"""`meshwright apply kafka` against a real Kafka-protocol broker (tansu), then a real client
producing and consuming on every topic of the shop example."""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from brokers import tansu
from cli_runner import run
from conftest import EXAMPLES
from meshwright.apply.kafka import REGISTRY, Change, TopicState, plan
from meshwright.emit.kafka import topic_config
from meshwright.errors import ModelError
from meshwright.model import load_model

SHOP = EXAMPLES / "shop"


@pytest.fixture
def broker() -> Iterator[str]:
    with tansu() as bootstrap:
        yield bootstrap


def apply(model: Path, bootstrap: str, *extra: str) -> dict[str, Change]:
    done = run("apply", "kafka", str(model), "--bootstrap", bootstrap, "--format", "json", *extra)
    assert done.returncode == 0, done.stderr
    return {
        t["topic"]: Change(t["topic"], t["action"], t["partitions"], t["config"], t["detail"])
        for t in json.loads(done.stdout)["topics"]
    }


def shop_copy(tmp_path: Path, edit: dict[str, str] | None = None) -> Path:
    """The shop example in tmp_path, its mesh.yaml edited by regex → replacement."""
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    mesh = root / "mesh.yaml"
    text = mesh.read_text(encoding="utf-8")
    for pattern, new in (edit or {}).items():
        text, n = re.subn(pattern, new, text)
        assert n == 1, pattern
    mesh.write_text(text, encoding="utf-8")
    return root


def described(bootstrap: str) -> dict[str, tuple[int, dict[str, str]]]:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topics = admin.list_topics(timeout=10).topics
    out = {}
    for resource, future in admin.describe_configs([ConfigResource("topic", t) for t in topics]).items():
        config = {k: e.value for k, e in future.result(timeout=10).items()}
        out[resource.name] = (len(topics[resource.name].partitions), config)
    return out


def test_apply_creates_every_shop_topic_then_messages_flow(broker: str) -> None:
    model = load_model(SHOP).model
    changes = apply(SHOP, broker)
    assert {n: c.action for n, c in changes.items()} == {n: "create" for n in model.topics}

    on_broker = described(broker)
    assert REGISTRY in on_broker
    for name, topic in model.topics.items():
        partitions, config = on_broker[name]
        assert partitions == topic.partitions
        for key, value in topic_config(topic).items():
            assert config[key] == value, (name, key)
    assert on_broker["order-confirmed"][1]["retention.ms"] == str(14 * 86400 * 1000)
    assert on_broker["order-confirmed"][1]["min.insync.replicas"] == "2"

    producer = Producer({"bootstrap.servers": broker})
    sent = {name: f"{name}-{uuid.uuid4()}".encode() for name in model.topics}
    for name, value in sent.items():
        producer.produce(name, key=b"k-1", value=value)
    assert producer.flush(15) == 0
    consumer = Consumer({"bootstrap.servers": broker, "group.id": "test", "enable.auto.commit": False})
    consumer.assign([TopicPartition(n, p, 0) for n, t in model.topics.items() for p in range(t.partitions)])
    received: dict[str, bytes] = {}
    deadline = time.monotonic() + 30
    while len(received) < len(sent) and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is not None and not msg.error():
            received[msg.topic()] = msg.value()
    consumer.close()
    assert received == sent

    again = apply(SHOP, broker)
    assert {c.action for c in again.values()} == {"unchanged"}


def test_changed_config_is_altered_and_foreign_topics_left_alone(broker: str, tmp_path: Path) -> None:
    admin = AdminClient({"bootstrap.servers": broker})
    foreign = NewTopic("order-cancelled", 2, 1, config={"retention.ms": "1000"})
    for future in admin.create_topics([foreign]).values():
        future.result(timeout=10)
    first = apply(SHOP, broker)
    assert first["order-cancelled"].action == "foreign"
    assert "not created by meshwright" in first["order-cancelled"].detail

    edited = shop_copy(tmp_path, {r"retention: 3d, key: sku": "retention: 1d, key: sku"})
    plan_only = apply(edited, broker, "--dry-run")
    assert plan_only["stock-changed"].action == "alter"
    assert plan_only["stock-changed"].config == {"retention.ms": str(86400 * 1000)}
    assert described(broker)["stock-changed"][1]["retention.ms"] == str(3 * 86400 * 1000)

    second = apply(edited, broker)
    assert second["stock-changed"].action == "alter"
    assert {c.action for n, c in second.items() if n not in ("stock-changed", "order-cancelled")} == {
        "unchanged"
    }
    on_broker = described(broker)
    assert on_broker["stock-changed"][1]["retention.ms"] == str(86400 * 1000)
    assert on_broker["order-cancelled"][0] == 2
    assert on_broker["order-cancelled"][1]["retention.ms"] == "1000"


def test_fewer_partitions_is_a_located_error_and_nothing_changes(broker: str, tmp_path: Path) -> None:
    apply(SHOP, broker)
    edited = shop_copy(
        tmp_path,
        {
            r"order-confirmed: \{partitions: 16": "order-confirmed: {partitions: 4",
            r"retention: 3d, key: sku": "retention: 1d, key: sku",
        },
    )
    done = run("apply", "kafka", str(edited), "--bootstrap", broker)
    assert done.returncode == 2
    line = next(
        i
        for i, t in enumerate((edited / "mesh.yaml").read_text().splitlines(), 1)
        if t.lstrip().startswith("order-confirmed:")
    )
    assert re.search(rf"mesh\.yaml:{line}:\d+: error: topic 'order-confirmed' has 16 partitions", done.stderr)
    assert "Kafka never removes partitions" in done.stderr
    assert "nothing was changed on the broker" in done.stderr
    assert "Traceback" not in done.stderr
    on_broker = described(broker)
    assert on_broker["order-confirmed"][0] == 16
    assert on_broker["stock-changed"][1]["retention.ms"] == str(3 * 86400 * 1000)


def test_unreachable_broker_and_wrong_broker_kind_exit_2(write) -> None:  # type: ignore[no-untyped-def]
    done = run("apply", "kafka", str(SHOP), "--bootstrap", "127.0.0.1:1", "--timeout", "1")
    assert done.returncode == 2
    assert "cannot reach the cluster" in done.stderr and "Traceback" not in done.stderr
    model = write("mesh.yaml", "meshwright: 1\nsystem: s\nplatform: {broker: rabbitmq}\n")
    done = run("apply", "kafka", str(model), "--bootstrap", "127.0.0.1:1")
    assert done.returncode == 2
    assert re.search(r"mesh\.yaml:3:\d+: error: the model's broker is rabbitmq, not kafka", done.stderr)


# ---------------------------------------------------------------- the plan, without a broker


def _state(partitions: int, replication: int = 3, **config: str) -> TopicState:
    return TopicState(partitions, replication, config)


def test_plan_grows_partitions_and_alters_only_changed_keys() -> None:
    loaded = load_model(SHOP)
    topic = loaded.model.topics["order-confirmed"]
    wanted = topic_config(topic)
    existing = {"order-confirmed": _state(8, **{**wanted, "retention.ms": "1"})}
    [change] = [
        c for c in plan(loaded, existing, {"order-confirmed": "shop"}) if c.topic == "order-confirmed"
    ]
    assert change.action == "grow" and change.partitions == 16
    assert change.config == {"retention.ms": wanted["retention.ms"]}


def test_plan_refuses_replication_change_and_other_systems_topics() -> None:
    loaded = load_model(SHOP)
    wanted = topic_config(loaded.model.topics["search-dlq"])
    with pytest.raises(ModelError) as err:
        plan(loaded, {"search-dlq": _state(1, 1, **wanted)}, {"search-dlq": "shop"})
    [diag] = err.value.diagnostics
    assert diag.code == "replication-change" and diag.location.line > 0
    changes = plan(loaded, {"search-dlq": _state(1, 3, **wanted)}, {"search-dlq": "other"})
    [dlq] = [c for c in changes if c.topic == "search-dlq"]
    assert dlq.action == "foreign" and "'other'" in dlq.detail
