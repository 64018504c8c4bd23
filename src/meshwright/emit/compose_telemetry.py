"""The telemetry containers of ``emit compose``, per ``platform.telemetry``, and the files
they read (under ``telemetry/`` beside ``compose.yaml``).

- ``tracing: jaeger | zipkin``: the OpenTelemetry Collector running the configuration of
  ``emit observability`` (tail sampling included), and Jaeger (all-in-one, OTLP on, reached
  under the alias ``jaeger-collector`` the collector's exporter names) or Zipkin;
- ``metrics: prometheus``: Prometheus scraping every workload's metrics port (label
  ``service``, as the ServiceMonitors set it) and evaluating the generated SLO rule files;
  it answers as ``prometheus-operated`` too, the name the Grafana datasource uses;
- ``dashboards: grafana`` (with prometheus): Grafana with the generated datasource and
  dashboards provisioned.

The same configuration files as on Kubernetes are used unchanged (network aliases stand
in for the operators' Service names), so what runs locally is what runs in the cluster.
Logs stay with ``docker compose logs``: no Elasticsearch runs locally. UIs are published on
``127.0.0.1`` only.
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.conventions import METRICS_PATH, metrics_port
from meshwright.emit.observability import grafana, prometheus_rules, tracing
from meshwright.emit.observability.semconv import SERVICE_LABEL
from meshwright.emit.observability.service_monitors import SCRAPE_INTERVAL, SCRAPE_TIMEOUT, monitored
from meshwright.emit.telemetry_env import COLLECTOR, OTLP_GRPC_PORT
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump
from meshwright.model.types import Model
from meshwright.pipeline import Artifact

Obj = dict[str, Any]
DIR = "telemetry"
PROMETHEUS_IMAGE = "prom/prometheus:v2.55.1"
GRAFANA_IMAGE = "grafana/grafana:11.3.0"
JAEGER_IMAGE = "jaegertracing/all-in-one:1.62.0"
ZIPKIN_IMAGE = "openzipkin/zipkin:3.4"
UI_PORTS = {"prometheus": 9090, "grafana": 3000, "jaeger": 16686, "zipkin": 9411}
"""Container port of each telemetry UI, published on 127.0.0.1."""

_HEALTH_TIMING = {"interval": "10s", "timeout": "3s", "retries": 5, "start_period": "20s"}


def _wget(url: str) -> Obj:
    return {"test": ["CMD", "wget", "-q", "-O", "/dev/null", url], **_HEALTH_TIMING}


def prometheus_config() -> Obj:
    """``prometheus.yml`` without scrape targets (see :func:`scrape_config`)."""
    return {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": prometheus_rules.RULE_INTERVAL},
        "rule_files": ["rules/*.rules.yaml"],
    }


def scrape_config(model: Model) -> Obj:
    """``prometheus.yml``: every workload's metrics port, labelled ``service``."""
    return {
        **prometheus_config(),
        "scrape_configs": [
            {
                "job_name": "meshwright",
                "metrics_path": METRICS_PATH,
                "scrape_interval": SCRAPE_INTERVAL,
                "scrape_timeout": SCRAPE_TIMEOUT,
                "static_configs": [
                    {
                        "targets": [f"{dns_name(n)}:{metrics_port(s)}"],
                        "labels": {SERVICE_LABEL: dns_name(n)},
                    }
                    for n, s in sorted(model.services.items())
                ],
            }
        ],
    }


def files(model: Model) -> list[Artifact]:
    """The configuration files the telemetry containers mount, paths relative to compose.yaml."""
    telemetry = model.platform.telemetry
    out: list[Artifact] = []
    if telemetry.tracing != "none":
        out.append(Artifact(f"{DIR}/otel-collector.yaml", dump(tracing.collector_config(model))))
    if telemetry.metrics == "prometheus":
        out.append(Artifact(f"{DIR}/prometheus/prometheus.yml", dump(scrape_config(model))))
        slos = prometheus_rules.slo_rules(model)
        for rules in slos:
            out.append(
                Artifact(
                    f"{DIR}/prometheus/rules/{rules.name}.rules.yaml", dump(prometheus_rules.rule_file(rules))
                )
            )
        if telemetry.dashboards == "grafana":
            boards = grafana.dashboards(model, monitored(model), slos)
            out += [
                Artifact(f"{DIR}/grafana/dashboards/{f}", grafana.dashboard_text(d))
                for f, d in boards.items()
            ]
            out.append(
                Artifact(
                    f"{DIR}/grafana/provisioning/datasources/prometheus.yaml",
                    dump(grafana.datasource_provisioning()),
                )
            )
            out.append(
                Artifact(
                    f"{DIR}/grafana/provisioning/dashboards/meshwright.yaml",
                    dump(grafana.dashboard_provisioning()),
                )
            )
    return sorted(out, key=lambda a: a.path)


def _ui(name: str, host_port: dict[str, int]) -> list[str]:
    return [f"127.0.0.1:{host_port[name]}:{UI_PORTS[name]}"]


def services(model: Model, taken: set[int]) -> Obj:
    """The telemetry containers; ``taken`` holds host ports already published (a UI moves
    to the next free port on a clash)."""
    telemetry = model.platform.telemetry
    names: list[str] = []
    if telemetry.tracing != "none":
        names.append(telemetry.tracing)
    if telemetry.metrics == "prometheus":
        names.append("prometheus")
        if telemetry.dashboards == "grafana":
            names.append("grafana")
    host_port: dict[str, int] = {}
    for name in names:
        port = UI_PORTS[name]
        while port in taken:
            port += 1
        taken.add(port)
        host_port[name] = port
    out: Obj = {}
    if telemetry.tracing != "none":
        out[COLLECTOR] = {
            "image": tracing.COLLECTOR_IMAGE,
            "command": ["--config=/etc/otelcol-contrib/config.yaml"],
            "volumes": [f"./{DIR}/otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro"],
            "expose": [str(OTLP_GRPC_PORT), "4318"],
            "depends_on": {telemetry.tracing: {"condition": "service_healthy"}},
            "restart": "unless-stopped",
        }
    if telemetry.tracing == "jaeger":
        out["jaeger"] = {
            "image": JAEGER_IMAGE,
            "environment": {"COLLECTOR_OTLP_ENABLED": "true"},
            "expose": [str(OTLP_GRPC_PORT)],
            "ports": _ui("jaeger", host_port),
            "networks": {"default": {"aliases": [f"{tracing.JAEGER}-collector"]}},
            "healthcheck": _wget("http://127.0.0.1:14269/"),
            "restart": "unless-stopped",
        }
    if telemetry.tracing == "zipkin":
        out["zipkin"] = {
            "image": ZIPKIN_IMAGE,
            "expose": ["9411"],
            "ports": _ui("zipkin", host_port),
            "healthcheck": {"test": ["CMD", "docker-healthcheck"], **_HEALTH_TIMING},
            "restart": "unless-stopped",
        }
    if telemetry.metrics == "prometheus":
        out["prometheus"] = {
            "image": PROMETHEUS_IMAGE,
            "command": [
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--web.enable-lifecycle",
            ],
            "volumes": [f"./{DIR}/prometheus:/etc/prometheus:ro"],
            "expose": ["9090"],
            "ports": _ui("prometheus", host_port),
            "networks": {"default": {"aliases": ["prometheus-operated"]}},
            "healthcheck": _wget("http://127.0.0.1:9090/-/ready"),
            "restart": "unless-stopped",
        }
        if telemetry.dashboards == "grafana":
            out["grafana"] = {
                "image": GRAFANA_IMAGE,
                "environment": {"GF_AUTH_ANONYMOUS_ENABLED": "true", "GF_AUTH_ANONYMOUS_ORG_ROLE": "Viewer"},
                "volumes": [
                    f"./{DIR}/grafana/provisioning:/etc/grafana/provisioning:ro",
                    f"./{DIR}/grafana/dashboards:/var/lib/grafana/dashboards/meshwright:ro",
                ],
                "expose": ["3000"],
                "ports": _ui("grafana", host_port),
                "depends_on": {"prometheus": {"condition": "service_healthy"}},
                "healthcheck": _wget("http://127.0.0.1:3000/api/health"),
                "restart": "unless-stopped",
            }
    return out


def waits_for(model: Model) -> Obj:
    """What every workload waits for: the collector it sends traces to, once started (the
    contrib image has no shell or HTTP client to probe its ``health_check`` extension with,
    so it has no healthcheck)."""
    if model.platform.telemetry.tracing == "none":
        return {}
    return {COLLECTOR: {"condition": "service_started"}}
