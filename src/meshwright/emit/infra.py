"""What emitters know about off-the-shelf infrastructure: datastore kinds and brokers.

Facts only (ports, images, readiness commands, local-only settings); every target that
runs or reaches a datastore or broker reads them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meshwright.model.types import Broker


@dataclass(frozen=True)
class Infra:
    """An off-the-shelf server: its image for local runs, port and readiness check."""

    image: str
    port: int
    healthcheck: tuple[str, ...]
    local_env: dict[str, str] = field(default_factory=dict)
    """Settings for a throwaway local instance only (compose), never for production."""


DATASTORES: dict[str, Infra] = {
    "postgres": Infra(
        "postgres:16-alpine",
        5432,
        ("CMD-SHELL", "pg_isready -U postgres"),
        {"POSTGRES_HOST_AUTH_METHOD": "trust"},
    ),
    "mysql": Infra(
        "mysql:8.4",
        3306,
        ("CMD", "mysqladmin", "ping", "-h", "127.0.0.1"),
        {"MYSQL_ALLOW_EMPTY_PASSWORD": "yes"},
    ),
    "mongodb": Infra("mongo:7", 27017, ("CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping')")),
    "redis": Infra("redis:7-alpine", 6379, ("CMD", "redis-cli", "ping")),
    "cassandra": Infra("cassandra:5", 9042, ("CMD-SHELL", "cqlsh -e 'describe keyspaces'")),
    "elasticsearch": Infra(
        "elasticsearch:8.15.0",
        9200,
        ("CMD-SHELL", "curl -fs localhost:9200/_cluster/health"),
        {"discovery.type": "single-node", "xpack.security.enabled": "false"},
    ),
}
"""Datastore kinds meshwright can run locally and reach in a cluster, by ``kind``."""

BROKERS: dict[Broker, Infra] = {
    Broker.kafka: Infra(
        "apache/kafka:3.8.0",
        9092,
        (
            "CMD-SHELL",
            "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092",
        ),
        {
            "KAFKA_NODE_ID": "1",
            "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
            "KAFKA_ADVERTISED_LISTENERS": "PLAINTEXT://kafka:9092",
            "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
        },
    ),
    Broker.rabbitmq: Infra("rabbitmq:3.13-alpine", 5672, ("CMD", "rabbitmq-diagnostics", "-q", "ping")),
}
"""Message brokers by ``platform.broker``; the broker's host name is its kind."""


def datastore(kind: str) -> Infra | None:
    """Facts of a datastore kind, or None for a kind the platform provides (spanner, ...)."""
    return DATASTORES.get(kind.lower())


def broker(kind: Broker) -> Infra | None:
    return BROKERS.get(kind)
