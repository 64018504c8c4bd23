"""The Fluent Bit DaemonSet that ships container logs to Elasticsearch, with everything it
runs with: its namespace, ServiceAccount, the RBAC of the ``kubernetes`` filter, and the
NetworkPolicy that lets it reach the Elasticsearch cluster.

Fluent Bit reads ``/var/log/containers`` of every node (a ``hostPath``), which the
system's namespace forbids (the Kubernetes target enforces the *restricted* Pod Security
level there). So it runs in a namespace of its own, ``<namespace>-logging``, whose Pod
Security level is ``privileged`` (``hostPath`` is refused by *baseline* too); the
container itself is as tight as a log reader can be: read-only root file system, every
capability dropped, no privilege escalation, the host log directory mounted read-only.
It runs as root (``runAsUser: 0``) because the container log files are root's.

The ``kubernetes`` filter asks the API server for the metadata of each pod it reads logs
of, in the system's namespace only: a Role there allows ``get``/``list``/``watch`` on pods
and a RoleBinding grants it to Fluent Bit's ServiceAccount (no ClusterRole: namespace
labels are not read). The Elasticsearch password and CA come from the Secret
:data:`CREDENTIALS` in the logging namespace (copy of ECK's ``logs-es-elastic-user`` and
``logs-es-http-certs-public``, see the README).
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.kubernetes.labels import namespace, system_labels
from meshwright.emit.observability.logs import CA_DIR, ELASTICSEARCH, ES_PORT, STATE_DIR, config_map
from meshwright.model.types import Model

Obj = dict[str, Any]
NAME = "fluent-bit"
IMAGE = "fluent/fluent-bit:3.1.9"
HTTP_PORT = 2020
"""Fluent Bit's HTTP server: ``/api/v1/health`` and ``/api/v1/metrics/prometheus``."""
CREDENTIALS = "fluent-bit-elasticsearch"
"""Secret in the logging namespace: ``password`` (the ``elastic`` user's) and ``ca.crt``."""
POD_LABELS = {"app.kubernetes.io/name": NAME}


def logging_namespace(model: Model) -> str:
    """``<namespace>-logging``: where Fluent Bit runs."""
    return f"{namespace(model)}-logging"


def _meta(model: Model, name: str, ns: str | None) -> Obj:
    meta: Obj = {"name": name}
    if ns is not None:
        meta["namespace"] = ns
    meta["labels"] = {**system_labels(model), **POD_LABELS, "app.kubernetes.io/component": "logging"}
    return meta


def namespace_object(model: Model) -> Obj:
    """The logging namespace, Pod Security ``privileged`` (its DaemonSet mounts hostPaths)."""
    meta = _meta(model, logging_namespace(model), None)
    meta["labels"] |= {"pod-security.kubernetes.io/enforce": "privileged"}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def service_account(model: Model) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _meta(model, NAME, logging_namespace(model)),
        "automountServiceAccountToken": True,
    }


def role(model: Model) -> Obj:
    """Read the pods of the system's namespace: what the ``kubernetes`` filter looks up."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta(model, NAME, namespace(model)),
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}],
    }


def role_binding(model: Model) -> Obj:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(model, NAME, namespace(model)),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": NAME},
        "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": logging_namespace(model)}],
    }


def fluent_bit_config_map(model: Model) -> Obj:
    """The configuration (:func:`.logs.config_map`) in the logging namespace."""
    cm = config_map(model)
    cm["metadata"] = _meta(model, cm["metadata"]["name"], logging_namespace(model))
    return cm


def daemon_set(model: Model) -> Obj:
    """One Fluent Bit per node, reading the host's container logs."""
    cm = config_map(model)
    container = {
        "name": NAME,
        "image": IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "env": [
            {
                "name": "ELASTICSEARCH_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": CREDENTIALS, "key": "password"}},
            }
        ],
        "ports": [{"name": "http", "containerPort": HTTP_PORT, "protocol": "TCP"}],
        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 10},
        "readinessProbe": {"httpGet": {"path": "/api/v1/health", "port": "http"}, "periodSeconds": 10},
        "resources": {
            "requests": {"cpu": "50m", "memory": "64Mi"},
            "limits": {"memory": "256Mi"},
        },
        "securityContext": {
            "runAsUser": 0,
            "runAsNonRoot": False,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [
            {"name": "config", "mountPath": "/fluent-bit/etc/", "readOnly": True},
            {"name": "varlog", "mountPath": "/var/log", "readOnly": True},
            {"name": "state", "mountPath": STATE_DIR},
            {"name": "es-ca", "mountPath": CA_DIR, "readOnly": True},
        ],
    }
    spec = {
        "selector": {"matchLabels": POD_LABELS},
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
        "template": {
            "metadata": {"labels": {**system_labels(model), **POD_LABELS}},
            "spec": {
                "serviceAccountName": NAME,
                "priorityClassName": "system-node-critical",
                "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}],
                "terminationGracePeriodSeconds": 10,
                "containers": [container],
                "volumes": [
                    {"name": "config", "configMap": {"name": cm["metadata"]["name"]}},
                    {"name": "varlog", "hostPath": {"path": "/var/log", "type": "Directory"}},
                    {"name": "state", "hostPath": {"path": STATE_DIR, "type": "DirectoryOrCreate"}},
                    {
                        "name": "es-ca",
                        "secret": {"secretName": CREDENTIALS, "items": [{"key": "ca.crt", "path": "ca.crt"}]},
                    },
                ],
            },
        },
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": _meta(model, NAME, logging_namespace(model)),
        "spec": spec,
    }


def elasticsearch_policy(model: Model) -> Obj:
    """Under the system namespace's default-deny: Fluent Bit's pods may reach the
    Elasticsearch cluster's HTTP port."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(model, "allow-fluent-bit-to-elasticsearch", namespace(model)),
        "spec": {
            "podSelector": {"matchLabels": {"elasticsearch.k8s.elastic.co/cluster-name": ELASTICSEARCH}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": logging_namespace(model)}
                            },
                            "podSelector": {"matchLabels": POD_LABELS},
                        }
                    ],
                    "ports": [{"port": ES_PORT, "protocol": "TCP"}],
                }
            ],
        },
    }


def objects(model: Model) -> list[Obj]:
    """Everything Fluent Bit needs, in apply order."""
    return [
        namespace_object(model),
        service_account(model),
        role(model),
        role_binding(model),
        fluent_bit_config_map(model),
        daemon_set(model),
        elasticsearch_policy(model),
    ]
