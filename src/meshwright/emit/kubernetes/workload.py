"""The workload objects of one service: Deployment, Service, ServiceAccount,
PodDisruptionBudget, HorizontalPodAutoscaler and ConfigMap, as plain dicts.

Pods follow the *restricted* Pod Security Standard. Secrets are referenced by name and
mounted as files; their values never appear. With ``platform.secrets_delivery: agent`` the
Vault Agent injector renders them into the same directories instead
(:func:`meshwright.emit.vault_paths.agent_annotations`), and no Kubernetes Secret is mounted.
"""

from __future__ import annotations

import math
from typing import Any

from meshwright.emit.conventions import (
    HEALTH_PATH,
    METRICS_PORT_ENV,
    METRICS_PORT_NAME,
    RUN_AS,
    SECRETS_DIR,
    metrics_port,
)
from meshwright.emit.kubernetes.labels import image, labels, selector
from meshwright.emit.patch import deep_merge
from meshwright.emit.telemetry_env import telemetry_env
from meshwright.emit.vault_paths import AGENT_TOKEN_VOLUME, agent_annotations
from meshwright.emit.wiring import address_env, dns_name, env_name, service_port
from meshwright.model.types import Api, Model, SecretsDelivery, Service
from meshwright.model.units import format_cpu, format_memory

Obj = dict[str, Any]


def port_name(api: Api) -> str:
    """Port name with the protocol prefix meshes use: ``grpc-5050``, ``http-8080``."""
    return f"{api.protocol}-{api.listen_port}"


def _meta(model: Model, name: str, svc: Service, suffix: str = "") -> Obj:
    return {"name": dns_name(name) + suffix, "labels": labels(model, name, svc)}


def resources(svc: Service) -> Obj:
    """Requests from ``cpu``/``memory``; limits from the ``*_limit`` fields, memory
    limited to its request when no limit is modelled."""
    rt = svc.runtime
    requests: Obj = {}
    limits: Obj = {}
    if rt.cpu is not None:
        requests["cpu"] = format_cpu(rt.cpu)
    if rt.memory is not None:
        requests["memory"] = format_memory(rt.memory)
    if rt.cpu_limit is not None:
        limits["cpu"] = format_cpu(rt.cpu_limit)
    memory_limit = rt.memory_limit if rt.memory_limit is not None else rt.memory
    if memory_limit is not None:
        limits["memory"] = format_memory(memory_limit)
    out: Obj = {}
    if requests:
        out["requests"] = requests
    if limits:
        out["limits"] = limits
    return out


def probe_action(svc: Service) -> Obj:
    """gRPC health check for a gRPC service, ``GET /healthz`` on the API for HTTP, and
    ``GET /healthz`` on the ``metrics`` port for a service without APIs (see
    :mod:`meshwright.emit.conventions`)."""
    grpc = [a for a in svc.apis if a.protocol == "grpc"]
    if grpc:
        return {"grpc": {"port": grpc[0].listen_port}}
    if svc.apis:
        return {"httpGet": {"path": HEALTH_PATH, "port": port_name(svc.apis[0])}}
    return {"httpGet": {"path": HEALTH_PATH, "port": METRICS_PORT_NAME}}


def scraped(model: Model) -> bool:
    """True when Prometheus scrapes the workloads (``platform.telemetry.metrics``): their
    Services then carry the ``metrics`` port and their policies let Prometheus reach it."""
    return model.platform.telemetry.metrics == "prometheus"


def _probes(svc: Service) -> Obj:
    action = probe_action(svc)
    return {
        "startupProbe": {**action, "periodSeconds": 2, "failureThreshold": 30},
        "readinessProbe": {**action, "periodSeconds": 5, "failureThreshold": 3},
        "livenessProbe": {**action, "periodSeconds": 10, "failureThreshold": 3},
    }


def _env(model: Model, name: str, svc: Service) -> list[Obj]:
    env = [{"name": METRICS_PORT_ENV, "value": str(metrics_port(svc))}]
    env += [{"name": k, "value": v} for k, v in address_env(model, name, port_of=service_port).items()]
    env += [
        {"name": f"{env_name(s.name)}_FILE", "value": f"{SECRETS_DIR}/{dns_name(s.name)}"}
        for s in svc.secrets
    ]
    env += [{"name": k, "value": v} for k, v in telemetry_env(model, name).items()]
    return env


def _agent_delivers(model: Model) -> bool:
    return model.platform.vault_delivery is SecretsDelivery.agent


def _agent_token_volume() -> Obj:
    """A projected ServiceAccount token for the Vault Agent only (see ``AGENT_TOKEN_VOLUME``)."""
    token = {"path": "token", "expirationSeconds": 3600}
    return {"name": AGENT_TOKEN_VOLUME, "projected": {"sources": [{"serviceAccountToken": token}]}}


def fixed_replicas(svc: Service) -> int | None:
    """The Deployment's ``spec.replicas``: ``runtime.replicas``, or None under ``autoscale``,
    where the HorizontalPodAutoscaler owns the count and every apply would reset it."""
    return None if svc.runtime.autoscale is not None else svc.runtime.replicas


def deployment(model: Model, name: str, svc: Service) -> Obj:
    """The Deployment, with the service's ``kubernetes:`` patch applied last; no
    ``spec.replicas`` when the service autoscales (see ``fixed_replicas``)."""
    sel = selector(name)
    container: Obj = {
        "name": dns_name(name),
        "image": image(model, name, svc),
        "imagePullPolicy": "IfNotPresent",
        "ports": [
            *({"name": port_name(a), "containerPort": a.listen_port, "protocol": "TCP"} for a in svc.apis),
            {"name": METRICS_PORT_NAME, "containerPort": metrics_port(svc), "protocol": "TCP"},
        ],
    }
    container["env"] = _env(model, name, svc)
    if svc.config:
        container["envFrom"] = [{"configMapRef": {"name": dns_name(name) + "-config"}}]
    res = resources(svc)
    if res:
        container["resources"] = res
    container.update(_probes(svc))
    container["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    mounts: list[Obj] = [{"name": "tmp", "mountPath": "/tmp"}]
    volumes: list[Obj] = [{"name": "tmp", "emptyDir": {}}]
    annotations = agent_annotations(model, name) if _agent_delivers(model) else {}
    if annotations:
        volumes.append(_agent_token_volume())
    else:
        for s in svc.secrets:
            vol = "secret-" + dns_name(s.name)
            mounts.append({"name": vol, "mountPath": f"{SECRETS_DIR}/{dns_name(s.name)}", "readOnly": True})
            volumes.append({"name": vol, "secret": {"secretName": dns_name(s.name)}})
    container["volumeMounts"] = mounts
    replicas = fixed_replicas(svc)
    obj: Obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(model, name, svc),
        "spec": {
            **({} if replicas is None else {"replicas": replicas}),
            "selector": {"matchLabels": sel},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {
                    "labels": labels(model, name, svc),
                    **({"annotations": annotations} if annotations else {}),
                },
                "spec": {
                    "serviceAccountName": dns_name(name),
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": RUN_AS,
                        "runAsGroup": RUN_AS,
                        "fsGroup": RUN_AS,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": key,
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": sel},
                        }
                        for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
                    ],
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }
    result: Obj = deep_merge(obj, svc.kubernetes)
    return result


def service(model: Model, name: str, svc: Service) -> Obj | None:
    """A ClusterIP Service with one port per API, plus the ``metrics`` port when Prometheus
    scrapes (see :func:`scraped`); None when it would have no port."""
    ports: list[Obj] = [
        {
            "name": port_name(a),
            "port": a.call_port,
            "targetPort": port_name(a),
            "protocol": "TCP",
            "appProtocol": a.protocol,
        }
        for a in svc.apis
    ]
    if scraped(model):
        ports.append(
            {
                "name": METRICS_PORT_NAME,
                "port": metrics_port(svc),
                "targetPort": METRICS_PORT_NAME,
                "protocol": "TCP",
                "appProtocol": "http",
            }
        )
    if not ports:
        return None
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(model, name, svc),
        "spec": {"type": "ClusterIP", "selector": selector(name), "ports": ports},
    }


def service_account(model: Model, name: str, svc: Service) -> Obj:
    """A ServiceAccount of its own, with API token automount off."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _meta(model, name, svc),
        "automountServiceAccountToken": False,
    }


def min_replicas(svc: Service) -> int:
    """Replicas the service keeps at least: the autoscaler's minimum, else ``replicas``."""
    auto = svc.runtime.autoscale
    return max(1, auto.min) if auto is not None else svc.runtime.replicas


def disruption_budget(model: Model, name: str, svc: Service) -> Obj | None:
    """At most one pod down at a time during voluntary disruptions, when at least two run:
    ``autoscale.min`` under an autoscaler (which may scale down to it), else ``replicas``."""
    if min_replicas(svc) <= 1:
        return None
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(model, name, svc),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(name)}},
    }


def autoscaler(model: Model, name: str, svc: Service) -> Obj | None:
    """An autoscaling/v2 HorizontalPodAutoscaler on CPU utilisation from ``autoscale``."""
    auto = svc.runtime.autoscale
    if auto is None:
        return None
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(model, name, svc),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": dns_name(name)},
            "minReplicas": min_replicas(svc),
            "maxReplicas": max(auto.max, min_replicas(svc)),
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": round(auto.cpu_target)},
                    },
                }
            ],
            "behavior": {
                "scaleDown": {"stabilizationWindowSeconds": math.ceil(auto.scale_down_stabilization)},
            },
        },
    }


def config_map(model: Model, name: str, svc: Service) -> Obj | None:
    """The service's ``config`` as a ConfigMap (read as environment variables)."""
    if not svc.config:
        return None
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(model, name, svc, "-config"),
        "data": dict(sorted(svc.config.items())),
    }
