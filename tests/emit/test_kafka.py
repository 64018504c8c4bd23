"""The kafka target: Strimzi KafkaTopic/KafkaUser resources, valid against Strimzi's schemas,
with exactly the model's topic settings and least-privilege ACLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import run
from conftest import EXAMPLES
from emit.crd_schemas import validate_resource
from emit.helpers import check_golden, fixture_model
from meshwright.emit.registry import emit_target
from meshwright.emit.yamltext import load_all
from meshwright.model import load_model, load_text


@pytest.fixture(scope="module")
def shop() -> dict[str, list[dict[str, object]]]:
    files = emit_target("kafka", load_model(EXAMPLES / "shop").model)
    return {a.path: load_all(str(a.content)) for a in files}


def test_every_resource_matches_the_strimzi_schema(shop: dict[str, list[dict[str, object]]]) -> None:
    assert sorted(shop) == ["kustomization.yaml", "topics.yaml", "users.yaml"]
    for path in ("topics.yaml", "users.yaml"):
        for obj in shop[path]:
            validate_resource(obj)


def test_topics_say_what_the_model_says(shop: dict[str, list[dict[str, object]]]) -> None:
    model = load_model(EXAMPLES / "shop").model
    topics = {o["metadata"]["name"]: o for o in shop["topics.yaml"]}  # type: ignore[index]
    assert sorted(topics) == sorted(model.topics)
    confirmed = topics["order-confirmed"]
    assert confirmed["metadata"]["labels"]["strimzi.io/cluster"] == "shop"  # type: ignore[index]
    assert confirmed["spec"] == {
        "partitions": 16,
        "replicas": 3,
        "config": {"cleanup.policy": "delete", "min.insync.replicas": "2", "retention.ms": "1209600000"},
    }


def _acls(user: dict[str, object]) -> set[tuple[str, str, str]]:
    return {
        (a["resource"]["type"], a["resource"]["name"], op)  # type: ignore[index]
        for a in user["spec"]["authorization"]["acls"]  # type: ignore[index]
        for op in a["operations"]  # type: ignore[index]
    }


def test_users_get_least_privilege(shop: dict[str, list[dict[str, object]]]) -> None:
    users = {o["metadata"]["name"]: o for o in shop["users.yaml"]}  # type: ignore[index]
    # services that neither publish nor consume get no Kafka user at all
    assert sorted(users) == [
        "catalog",
        "inventory",
        "notification",
        "orders",
        "pricing",
        "recommendation",
        "search",
        "shipping",
    ]
    assert _acls(users["shipping"]) == {
        ("topic", "shipment-created", "Write"),
        ("topic", "shipment-created", "Describe"),
    }
    assert _acls(users["notification"]) == {
        ("topic", "notification-dlq", "Write"),
        ("topic", "notification-dlq", "Describe"),
        *{
            ("topic", t, op)
            for t in ("order-confirmed", "order-cancelled", "shipment-created")
            for op in ("Read", "Describe")
        },
        ("group", "notification", "Read"),
    }
    # orders publishes two topics from two operations and consumes one
    assert ("topic", "order-cancelled", "Write") in _acls(users["orders"])
    assert ("topic", "shipment-created", "Read") in _acls(users["orders"])
    assert ("topic", "shipment-created", "Write") not in _acls(users["orders"])


def test_service_level_publishes_follow_the_publishing_rule() -> None:
    model = load_text(
        """
        meshwright: 1
        system: s
        platform: {broker: kafka}
        topics: {events: {replication: 1}}
        services:
          a:
            apis: [{name: A, port: 80, operations: {Get: {idempotent: true}}}]
            publishes: [events]
        """.replace("\n        ", "\n")
    ).model
    files = {a.path: load_all(str(a.content)) for a in emit_target("kafka", model)}
    [topic] = files["topics.yaml"]
    assert topic["spec"]["config"]["min.insync.replicas"] == "1"
    # a only has a read (idempotent) operation, which publishes nothing: no user
    assert "users.yaml" not in files


def test_a_declared_min_insync_replicas_is_the_one_written() -> None:
    model = load_text(
        "meshwright: 1\nsystem: s\nplatform: {broker: kafka}\n"
        "topics: {events: {replication: 5, min_insync_replicas: 3}, other: {replication: 5}}\n"
    ).model
    [files] = [load_all(str(a.content)) for a in emit_target("kafka", model) if a.path == "topics.yaml"]
    insync = {o["metadata"]["name"]: o["spec"]["config"]["min.insync.replicas"] for o in files}
    assert insync == {"events": "3", "other": "4"}


def test_other_brokers_get_no_kafka_files() -> None:
    model = load_text("meshwright: 1\nsystem: s\nplatform: {broker: rabbitmq}\ntopics: {t: null}\n").model
    assert emit_target("kafka", model) == []


def test_golden_files_of_the_fixture_model() -> None:
    check_golden("minishop/kafka", emit_target("kafka", fixture_model()))


def test_emit_says_when_the_model_does_not_select_the_target(tmp_path: Path) -> None:
    done = run("emit", "kafka", str(EXAMPLES / "online-boutique"), "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "nothing to write" in done.stdout and "platform.broker: kafka" in done.stdout
    # nothing but the record of what meshwright wrote there (none of it kafka's)
    assert [p.name for p in tmp_path.iterdir()] in ([], [".meshwright-manifest.json"])
