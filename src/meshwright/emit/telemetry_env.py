"""The OpenTelemetry environment of every workload, per ``platform.telemetry``: service
name, resource attributes, the OTLP endpoint of the generated collector, the sampler and
the Prometheus metrics exporter on the metrics port.

Traces are sampled at the tail by the collector (it keeps errors and slow traces), so the
SDK records every trace (``parentbased_always_on``); without tracing the traces exporter is
``none``. Logs go to stdout for Fluent Bit, so the OTLP logs exporter is ``none``.
"""

from __future__ import annotations

from meshwright.emit.conventions import metrics_port
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Model

COLLECTOR = "otel-collector"
"""Name of the generated collector's Service."""
OTLP_GRPC_PORT = 4317


def collector_endpoint() -> str:
    """The OTLP/gRPC endpoint services send traces to."""
    return f"http://{COLLECTOR}:{OTLP_GRPC_PORT}"


def telemetry_env(model: Model, service: str) -> dict[str, str]:
    """``OTEL_*`` variables of one service, in a fixed order; empty when the platform
    has neither metrics nor tracing."""
    telemetry = model.platform.telemetry
    if telemetry.metrics == "none" and telemetry.tracing == "none":
        return {}
    attributes = {
        "service.namespace": dns_name(model.system),
        "deployment.environment.name": dns_name(model.platform.namespace or model.system),
    }
    svc = model.services[service]
    if svc.context:
        attributes["meshwright.context"] = dns_name(svc.context)
    env = {
        "OTEL_SERVICE_NAME": dns_name(service),
        "OTEL_RESOURCE_ATTRIBUTES": ",".join(f"{k}={v}" for k, v in attributes.items()),
    }
    if telemetry.tracing != "none":
        env |= {
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector_endpoint(),
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_TRACES_SAMPLER": "parentbased_always_on",
            "OTEL_PROPAGATORS": "tracecontext,baggage",
        }
    else:
        env["OTEL_TRACES_EXPORTER"] = "none"
    if telemetry.metrics == "prometheus":
        env |= {
            "OTEL_METRICS_EXPORTER": "prometheus",
            "OTEL_EXPORTER_PROMETHEUS_HOST": "0.0.0.0",
            "OTEL_EXPORTER_PROMETHEUS_PORT": str(metrics_port(svc)),
        }
    else:
        env["OTEL_METRICS_EXPORTER"] = "none"
    env["OTEL_LOGS_EXPORTER"] = "none"
    return env
