"""Well-known images: datastores, brokers and service registries recognised by name.

An image (or, in compose, the service's own name) whose last path component contains one
of these words as a token (``rs-mongodb``, ``redis:6.2-alpine``, ``bitnami/kafka``) is
not a service of the model but a datastore, a broker or a registry.
"""

from __future__ import annotations

import re
from typing import Literal

Role = Literal["datastore", "broker", "registry"]

DATASTORES: dict[str, str] = {
    "postgres": "postgres", "postgresql": "postgres", "postgis": "postgres", "mysql": "mysql",
    "mariadb": "mysql", "percona": "mysql", "mongo": "mongodb", "mongodb": "mongodb",
    "redis": "redis", "valkey": "redis", "keydb": "redis", "memcached": "memcached",
    "cassandra": "cassandra", "scylla": "cassandra", "elasticsearch": "elasticsearch",
    "opensearch": "elasticsearch", "cockroach": "cockroachdb", "cockroachdb": "cockroachdb",
    "couchdb": "couchdb", "couchbase": "couchbase", "neo4j": "neo4j", "influxdb": "influxdb",
    "clickhouse": "clickhouse", "minio": "s3", "dynamodb": "dynamodb", "spanner": "spanner",
}
"""Token → datastore kind."""

BROKERS: dict[str, str] = {
    "kafka": "kafka", "redpanda": "kafka", "rabbitmq": "rabbitmq", "nats": "nats",
    "activemq": "activemq", "pulsar": "pulsar",
}
"""Token → broker kind (the model's platform.broker knows kafka and rabbitmq)."""

REGISTRIES: dict[str, str] = {"consul": "consul", "etcd": "etcd", "eureka": "eureka",
                              "zookeeper": "zookeeper"}
"""Token → service registry (clients find each other through it: edges are not guessed)."""

_TOKEN = re.compile(r"[a-z0-9]+")


def _tokens(image: str) -> list[str]:
    last = image.lower().rsplit("/", 1)[-1]
    last = last.split("@", 1)[0].split(":", 1)[0]
    return _TOKEN.findall(last)


def classify(image: str | None, name: str = "") -> tuple[Role, str] | None:
    """(role, kind) of a well-known image (or name), else None (an application service)."""
    for text in (image or "", name):
        for token in _tokens(text):
            if token in DATASTORES:
                return "datastore", DATASTORES[token]
            if token in BROKERS:
                return "broker", BROKERS[token]
            if token in REGISTRIES:
                return "registry", REGISTRIES[token]
    return None


def registry_in(value: str) -> str | None:
    """The registry a configuration value or variable name points at (``CONSUL_HTTP_ADDR``,
    ``http://consul:8500``), else None."""
    for token in _TOKEN.findall(value.lower()):
        if token in REGISTRIES:
            return REGISTRIES[token]
    return None
