"""Logs to Elasticsearch: Fluent Bit configuration, an index template and an ILM policy
from ``platform.telemetry.log_retention``, and ECK Elasticsearch and Kibana resources.

Fluent Bit tails the containers of the system's namespace, adds Kubernetes metadata,
renames fields to ECS names (``message``, ``service.name``, ``kubernetes.pod.name``,
``container.name``, ``host.name``, ``ecs.version``) and writes to the data stream
``logs-<system>-default`` (``Write_Operation create``, as data streams require).
``Suppress_Type_Name On``: Elasticsearch 8 rejects the ``_type`` field older clients send.
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.kubernetes.labels import NAME, namespace
from meshwright.emit.observability.resources import resource
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Model
from meshwright.model.units import format_duration

Obj = dict[str, Any]
ELASTIC_VERSION = "8.15.3"
ECS_VERSION = "8.11.0"
ELASTICSEARCH = "logs"
"""Name of the ECK Elasticsearch; its HTTP Service is ``logs-es-http``."""
ES_PORT = 9200
CA_DIR = "/etc/elasticsearch/certs"
"""Where Fluent Bit finds the CA of the cluster's HTTP certificate (``ca.crt``)."""
STATE_DIR = "/var/fluent-bit/state"
"""Host directory of the tail input's position database (survives pod restarts)."""
ROLLOVER_AGE = "1d"
ROLLOVER_SIZE = "50gb"

_RENAMES: tuple[tuple[str, str], ...] = (
    ("log", "message"),
    ("kubernetes_pod_name", "kubernetes.pod.name"),
    ("kubernetes_namespace_name", "kubernetes.namespace"),
    ("kubernetes_container_name", "container.name"),
    ("kubernetes_container_image", "container.image.name"),
    ("kubernetes_host", "host.name"),
    ("kubernetes_pod_id", "kubernetes.pod.uid"),
    (f"label_{NAME}", "service.name"),
)
"""Fluent Bit record keys (after lifting ``kubernetes`` and its labels) → ECS field names."""


def data_stream(model: Model) -> str:
    """``logs-<system>-default``: the data stream logs are written to."""
    return f"logs-{dns_name(model.system)}-default"


def policy_name(model: Model) -> str:
    return f"{dns_name(model.system)}-logs"


def _section(name: str, entries: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in entries)
    return f"[{name}]\n" + "".join(f"    {k.ljust(width)} {v}\n" for k, v in entries)


def fluent_bit_config(model: Model) -> str:
    """The classic-format ``fluent-bit.conf``."""
    ns = namespace(model)
    sections = [
        _section(
            "SERVICE",
            [
                ("Flush", "5"),
                ("Log_Level", "info"),
                ("HTTP_Server", "On"),
                ("HTTP_Listen", "0.0.0.0"),
                ("HTTP_Port", "2020"),
                ("Health_Check", "On"),
            ],
        ),
        _section(
            "INPUT",
            [
                ("Name", "tail"),
                ("Tag", "kube.*"),
                ("Path", f"/var/log/containers/*_{ns}_*.log"),
                ("multiline.parser", "docker, cri"),
                ("DB", f"{STATE_DIR}/tail.db"),
                ("Mem_Buf_Limit", "50MB"),
                ("Skip_Long_Lines", "On"),
                ("Refresh_Interval", "10"),
            ],
        ),
        _section(
            "FILTER",
            [
                ("Name", "kubernetes"),
                ("Match", "kube.*"),
                ("Merge_Log", "On"),
                ("Keep_Log", "Off"),
                ("K8S-Logging.Parser", "On"),
                ("K8S-Logging.Exclude", "On"),
                ("Labels", "On"),
                ("Annotations", "Off"),
            ],
        ),
        _section(
            "FILTER",
            [
                ("Name", "nest"),
                ("Match", "kube.*"),
                ("Operation", "lift"),
                ("Nested_under", "kubernetes"),
                ("Add_prefix", "kubernetes_"),
            ],
        ),
        _section(
            "FILTER",
            [
                ("Name", "nest"),
                ("Match", "kube.*"),
                ("Operation", "lift"),
                ("Nested_under", "kubernetes_labels"),
                ("Add_prefix", "label_"),
            ],
        ),
        _section(
            "FILTER",
            [
                ("Name", "modify"),
                ("Match", "kube.*"),
                *[("Rename", f"{a} {b}") for a, b in _RENAMES],
                ("Add", f"ecs.version {ECS_VERSION}"),
                ("Add", f"service.namespace {dns_name(model.system)}"),
            ],
        ),
        _section(
            "OUTPUT",
            [
                ("Name", "es"),
                ("Match", "kube.*"),
                ("Host", f"{ELASTICSEARCH}-es-http.{ns}.svc"),
                ("Port", str(ES_PORT)),
                ("tls", "On"),
                ("tls.verify", "On"),
                ("tls.ca_file", f"{CA_DIR}/ca.crt"),
                ("HTTP_User", "elastic"),
                ("HTTP_Passwd", "${ELASTICSEARCH_PASSWORD}"),
                ("Index", data_stream(model)),
                ("Write_Operation", "create"),
                ("Suppress_Type_Name", "On"),
                ("Logstash_Format", "Off"),
                ("Replace_Dots", "Off"),
                ("Generate_ID", "On"),
                ("Trace_Error", "On"),
                ("Retry_Limit", "10"),
            ],
        ),
    ]
    return "\n".join(sections)


def config_map(model: Model) -> Obj:
    """The ConfigMap the Fluent Bit DaemonSet (:mod:`.fluent_bit`) mounts at ``/fluent-bit/etc/``."""
    data = {"fluent-bit.conf": fluent_bit_config(model)}
    return resource(model, "v1", "ConfigMap", "fluent-bit-config", data, key="data")


def ilm_policy(model: Model) -> Obj:
    """``PUT _ilm/policy/<system>-logs``: roll over daily (or at 50 GB), delete after the
    retention."""
    return {
        "policy": {
            "phases": {
                "hot": {
                    "min_age": "0ms",
                    "actions": {
                        "rollover": {"max_age": ROLLOVER_AGE, "max_primary_shard_size": ROLLOVER_SIZE}
                    },
                },
                "delete": {
                    "min_age": format_duration(model.platform.telemetry.log_retention),
                    "actions": {"delete": {}},
                },
            },
            "_meta": {"managed_by": "meshwright", "system": model.system},
        }
    }


def index_template(model: Model) -> Obj:
    """``PUT _index_template/<system>-logs``: the data stream's settings and ECS mappings."""
    keyword = {"type": "keyword"}
    return {
        "index_patterns": [f"logs-{dns_name(model.system)}-*"],
        "data_stream": {},
        "priority": 200,
        "template": {
            "settings": {"index.lifecycle.name": policy_name(model), "index.number_of_replicas": 1},
            "mappings": {
                "dynamic": True,
                "properties": {
                    "@timestamp": {"type": "date"},
                    "message": {"type": "match_only_text"},
                    "ecs": {"properties": {"version": keyword}},
                    "log": {"properties": {"level": keyword}},
                    "service": {"properties": {"name": keyword, "namespace": keyword}},
                    "container": {
                        "properties": {"name": keyword, "image": {"properties": {"name": keyword}}}
                    },
                    "host": {"properties": {"name": keyword}},
                    "kubernetes": {
                        "properties": {
                            "namespace": keyword,
                            "pod": {"properties": {"name": keyword, "uid": keyword}},
                        }
                    },
                    "trace": {"properties": {"id": keyword}},
                    "span": {"properties": {"id": keyword}},
                },
            },
        },
        "_meta": {"managed_by": "meshwright", "ilm_policy": policy_name(model)},
    }


def elasticsearch_resource(model: Model) -> Obj:
    """The ECK Elasticsearch cluster logs go to (three nodes, every role)."""
    spec = {
        "version": ELASTIC_VERSION,
        "nodeSets": [{"name": "default", "count": 3, "config": {"node.store.allow_mmap": False}}],
    }
    return resource(model, "elasticsearch.k8s.elastic.co/v1", "Elasticsearch", ELASTICSEARCH, spec)


def kibana_resource(model: Model) -> Obj:
    """The ECK Kibana in front of that cluster."""
    spec = {"version": ELASTIC_VERSION, "count": 1, "elasticsearchRef": {"name": ELASTICSEARCH}}
    return resource(model, "kibana.k8s.elastic.co/v1", "Kibana", ELASTICSEARCH, spec)
