"""Observability target: what a team needs to see the system and its SLOs, per
``platform.telemetry``.

- ``metrics: prometheus``: ServiceMonitors, SLO recording and burn-rate alerting rules
  (plain rule files and PrometheusRule resources), promtool tests of every alert,
  Alertmanager routing and inhibition, runbooks, and OpenSLO v1 documents of the SLOs;
- ``dashboards: grafana`` (with prometheus): RED dashboards, a system overview and an SLO
  dashboard, as JSON and as GrafanaDashboard resources, plus datasource provisioning;
- ``tracing: jaeger | zipkin``: an OpenTelemetry Collector configuration and resource;
- ``logs: elasticsearch``: Fluent Bit configuration, an index template, an ILM policy and
  ECK Elasticsearch/Kibana resources.

Every rule and dashboard uses the metric names of :mod:`.semconv`; the SLO math lives in
:mod:`meshwright.analysis.slo_math`.
"""

from __future__ import annotations

from typing import Any

# The target (and with it every renderer, Grafana's SDK included) loads on first use of
# ``emit``: check's SLO rules import only :mod:`.semconv` and should not pay for the rest.


def __getattr__(name: str) -> Any:
    if name == "emit":
        from meshwright.emit.observability.target import emit

        return emit
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["emit"]
