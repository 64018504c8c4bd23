"""The OpenTelemetry Collector of the system (plain configuration and an
OpenTelemetryCollector resource) and, for ``tracing: jaeger``, a Jaeger resource.

Pipeline: OTLP receivers (gRPC 4317, HTTP 4318) → ``memory_limiter`` → ``tail_sampling`` →
``batch`` → OTLP to Jaeger (native OTLP since Jaeger 1.35; the collector's Jaeger exporter
was removed) or the ``zipkin`` exporter. Tail sampling keeps every trace with an error,
every trace through a service that took longer than that service's tightest latency
objective, and :data:`BASELINE_PERCENT` % of the rest. Tail sampling needs a whole trace
in one collector, so the collector runs as one replica.
"""

from __future__ import annotations

from typing import Any

from meshwright.analysis.slo_math import QUANTILES
from meshwright.emit.observability.resources import resource
from meshwright.emit.observability.semconv import number
from meshwright.emit.telemetry_env import OTLP_GRPC_PORT
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Model

Obj = dict[str, Any]
COLLECTOR_IMAGE = "otel/opentelemetry-collector-contrib:0.115.1"
"""The contrib distribution: tail_sampling and zipkin are not in the core one."""
BASELINE_PERCENT = 10.0
"""Share of ordinary (fast, successful) traces kept, for a picture of normal traffic."""
DECISION_WAIT = 10.0
"""Seconds the collector waits for a trace's spans before deciding."""
JAEGER = "jaeger"
COLLECTOR_NAME = "otel"
"""The operator names the collector's Service ``otel-collector`` (telemetry_env.COLLECTOR)."""
ZIPKIN_ENDPOINT = "http://zipkin:9411/api/v2/spans"


def slow_thresholds(model: Model) -> dict[str, float]:
    """Service → the tightest latency threshold of its SLO, in seconds."""
    out: dict[str, float] = {}
    for name, svc in sorted(model.services.items()):
        if svc.slo is None or svc.slo.latency is None:
            continue
        values = [t for q in QUANTILES if (t := getattr(svc.slo.latency, q)) is not None]
        if values:
            out[name] = min(values)
    return out


def _policies(model: Model) -> list[Obj]:
    policies: list[Obj] = [
        {"name": "errors", "type": "status_code", "status_code": {"status_codes": ["ERROR"]}}
    ]
    for name, threshold in slow_thresholds(model).items():
        policies.append(
            {
                "name": f"slow-{dns_name(name)}",
                "type": "and",
                "and": {
                    "and_sub_policy": [
                        {
                            "name": "service",
                            "type": "string_attribute",
                            "string_attribute": {"key": "service.name", "values": [dns_name(name)]},
                        },
                        {
                            "name": "latency",
                            "type": "latency",
                            "latency": {"threshold_ms": round(threshold * 1000)},
                        },
                    ]
                },
            }
        )
    policies.append(
        {
            "name": "baseline",
            "type": "probabilistic",
            "probabilistic": {"sampling_percentage": BASELINE_PERCENT},
        }
    )
    return policies


def _exporter(model: Model) -> tuple[str, Obj]:
    if model.platform.telemetry.tracing == "zipkin":
        return "zipkin", {"endpoint": ZIPKIN_ENDPOINT, "format": "proto"}
    return "otlp/jaeger", {"endpoint": f"{JAEGER}-collector:{OTLP_GRPC_PORT}", "tls": {"insecure": True}}


def collector_config(model: Model) -> Obj:
    """The collector's configuration (the ``config.yaml`` the binary reads)."""
    rate = sum(e.rate for e in model.entrypoints) or 1.0
    exporter, settings = _exporter(model)
    return {
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": f"0.0.0.0:{OTLP_GRPC_PORT}"},
                    "http": {"endpoint": "0.0.0.0:4318"},
                }
            }
        },
        "processors": {
            "memory_limiter": {"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 20},
            "tail_sampling": {
                "decision_wait": f"{number(DECISION_WAIT)}s",
                "num_traces": max(1000, round(rate * DECISION_WAIT * 2)),
                "expected_new_traces_per_sec": max(1, round(rate)),
                "policies": _policies(model),
            },
            "batch": {"send_batch_size": 8192, "timeout": "5s"},
        },
        "exporters": {exporter: settings},
        "extensions": {"health_check": {"endpoint": "0.0.0.0:13133"}},
        "service": {
            "extensions": ["health_check"],
            "pipelines": {
                "traces": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "tail_sampling", "batch"],
                    "exporters": [exporter],
                }
            },
        },
    }


def collector_resource(model: Model) -> Obj:
    """The OpenTelemetryCollector resource (operator API v1beta1) running that configuration."""
    spec = {"mode": "deployment", "replicas": 1, "image": COLLECTOR_IMAGE, "config": collector_config(model)}
    return resource(model, "opentelemetry.io/v1beta1", "OpenTelemetryCollector", COLLECTOR_NAME, spec)


def jaeger_resource(model: Model) -> Obj:
    """A Jaeger (operator) instance whose collector Service ``jaeger-collector`` takes OTLP."""
    return resource(model, "jaegertracing.io/v1", "Jaeger", JAEGER, {"strategy": "allInOne"})
