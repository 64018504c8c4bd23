"""Conventions every target shares, so a container behaves alike under compose and Kubernetes."""

from __future__ import annotations

RUN_AS = 10001
"""The unprivileged user and group every container runs as."""

SECRETS_DIR = "/run/secrets"
"""Where secrets are mounted, one file per secret (compose's own convention)."""

HEALTH_PATH = "/healthz"
"""The HTTP health endpoint of an HTTP service."""

METRICS_PORT_NAME = "metrics"
"""Name of the container/Service port every workload serves Prometheus metrics on."""

METRICS_PORT = 9464
"""Number of the metrics port (the OpenTelemetry Prometheus exporter's default)."""

METRICS_PATH = "/metrics"
"""HTTP path of the metrics endpoint."""
