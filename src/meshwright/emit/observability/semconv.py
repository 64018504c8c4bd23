"""The metrics convention every generated rule, dashboard and test uses: OpenTelemetry
semantic conventions as the OpenTelemetry Prometheus exporter writes them.

- HTTP APIs: ``http.server.request.duration`` (seconds) →
  ``http_server_request_duration_seconds_{bucket,count,sum}``, status label
  ``http_response_status_code``; a request failed when the code is 5xx.
- gRPC APIs: ``rpc.server.duration`` (milliseconds) →
  ``rpc_server_duration_milliseconds_{bucket,count,sum}``, status label
  ``rpc_grpc_status_code``; a request failed when the code is a server error (UNKNOWN 2,
  DEADLINE_EXCEEDED 4, UNIMPLEMENTED 12, INTERNAL 13, UNAVAILABLE 14, DATA_LOSS 15).
- Every series carries ``service="<service>"`` (the Kubernetes Service name, set by the
  generated ServiceMonitor).

Histogram buckets are the OpenTelemetry defaults plus every latency threshold of the
service's SLO (and the tracing threshold), so each threshold is a bucket boundary and a
latency SLI is an exact bucket ratio, not an interpolation.
"""

from __future__ import annotations

from dataclasses import dataclass

from meshwright.emit.wiring import dns_name
from meshwright.model.types import Service

SERVICE_LABEL = "service"
"""Label naming the service on every series."""

DEFAULT_BUCKETS_SECONDS: tuple[float, ...] = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
)
"""OpenTelemetry's default boundaries for ``http.server.request.duration``, in seconds."""


@dataclass(frozen=True)
class ServerMetric:
    """The server-duration histogram of one protocol: its Prometheus name, its unit
    (``scale`` converts seconds to it), the status label and the regex of failed codes."""

    protocol: str
    otel_name: str
    name: str
    unit: str
    scale: float
    status_label: str
    error_codes: str
    ok_code: str
    error_code: str

    def series(self, suffix: str) -> str:
        """``<name>_bucket``, ``<name>_count`` or ``<name>_sum``."""
        return f"{self.name}_{suffix}"


HTTP = ServerMetric(
    "http",
    "http.server.request.duration",
    "http_server_request_duration_seconds",
    "s",
    1.0,
    "http_response_status_code",
    "5..",
    "200",
    "500",
)
GRPC = ServerMetric(
    "grpc",
    "rpc.server.duration",
    "rpc_server_duration_milliseconds",
    "ms",
    1000.0,
    "rpc_grpc_status_code",
    "2|4|12|13|14|15",
    "0",
    "14",
)
METRICS: dict[str, ServerMetric] = {"http": HTTP, "grpc": GRPC}


def server_metrics(svc: Service) -> list[ServerMetric]:
    """The histograms a service exposes: one per protocol of its networked APIs."""
    protocols = {a.protocol for a in svc.apis if a.networked}
    return [m for p, m in METRICS.items() if p in protocols]


def number(value: float) -> str:
    """A float as short decimal text without float noise: 0.15000000000000002 → ``0.15``."""
    rounded = round(value, 9)
    if rounded == int(rounded):
        return str(int(rounded))
    return repr(rounded)


def le_value(seconds: float, metric: ServerMetric) -> str:
    """The ``le`` label of the bucket at ``seconds``, in the metric's unit and the
    float form Prometheus writes (``1.0``, ``0.15``, ``1500.0``)."""
    text = number(seconds * metric.scale)
    return text if "." in text or "e" in text else f"{text}.0"


def le_matcher(seconds: float, metric: ServerMetric) -> str:
    """A matcher of that bucket that accepts both spellings exporters use for a whole
    number (``le="1"`` and ``le="1.0"``)."""
    canonical = le_value(seconds, metric)
    if canonical.endswith(".0"):
        return f'le=~"{canonical[:-2]}|{canonical}"'
    return f'le="{canonical}"'


def selector(service: str, extra: str = "") -> str:
    """``{service="<dns name>"[,extra]}``."""
    inner = f'{SERVICE_LABEL}="{dns_name(service)}"'
    return "{" + inner + (f",{extra}" if extra else "") + "}"


def buckets(svc: Service, extra: tuple[float, ...] = ()) -> list[float]:
    """Histogram boundaries in seconds: the defaults plus the SLO's latency thresholds."""
    thresholds: list[float] = list(extra)
    if svc.slo is not None and svc.slo.latency is not None:
        lat = svc.slo.latency
        thresholds += [t for t in (lat.p50, lat.p95, lat.p99) if t is not None]
    return sorted({round(b, 9) for b in (*DEFAULT_BUCKETS_SECONDS, *thresholds)})
