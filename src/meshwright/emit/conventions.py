"""Conventions every target shares, so a container behaves alike under compose and Kubernetes.

**Health and metrics port.** Every workload, with or without an API, serves ``GET /healthz``
and Prometheus' ``GET /metrics`` over HTTP on one port of its own, named ``metrics``:
``runtime.metrics_port`` of the service, by default :data:`METRICS_PORT` (9090; the model's
field default is the one place that number is written). The image learns it from the
``METRICS_PORT`` variable. A service without a gRPC or HTTP API (an event consumer) is
probed there; one with an API is probed on its API (gRPC health or ``GET /healthz``), so a
pod is ready when it can serve traffic. Emitters that scrape metrics (ServiceMonitors,
PodMonitors, scrape configs) read the port and its name from here.
"""

from __future__ import annotations

from meshwright.model.types import Api, Runtime, Service

RUN_AS = 10001
"""The unprivileged user and group every container runs as."""

SECRETS_DIR = "/run/secrets"
"""Where secrets are mounted, one file per secret (compose's own convention)."""

HEALTH_PATH = "/healthz"
"""The HTTP health endpoint of an HTTP service and of every workload's metrics port."""

METRICS_PATH = "/metrics"
"""Where Prometheus scrapes a workload's metrics, on its metrics port."""

HTTP_OPERATION_METHOD = "POST"
"""The HTTP method of every operation of an HTTP API (RPC style, see :func:`http_operation_path`)."""

METRICS_PORT: int = Runtime.model_fields["metrics_port"].default
"""The default health and metrics port of a workload (``runtime.metrics_port``)."""

METRICS_PORT_NAME = "metrics"
"""Name of the health and metrics port on containers and Kubernetes Services."""

METRICS_PORT_ENV = "METRICS_PORT"
"""Environment variable telling the image which port to serve health and metrics on."""


def metrics_port(svc: Service) -> int:
    """The port a service serves ``/healthz`` and ``/metrics`` on."""
    return svc.runtime.metrics_port


def http_operation_path(api: Api, operation: str) -> str:
    """The path an HTTP API serves ``operation`` on: ``/<api name>/<operation>`` (RPC style,
    as Connect and Twirp do; the model names no HTTP routes). The OpenAPI documents and the
    mesh policies that match HTTP operations read it from here."""
    return f"/{api.name}/{operation}"
