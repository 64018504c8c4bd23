"""One ServiceMonitor per workload: scrape the metrics port by name.

Every workload serves ``/metrics`` on its own metrics port (``runtime.metrics_port``, see
:mod:`meshwright.emit.conventions`), event consumers without an API too, and with
``telemetry.metrics: prometheus`` every workload's Kubernetes Service carries that port, so
every workload gets a ServiceMonitor (no PodMonitor is needed). The endpoint is the
Kubernetes Service's port named
:data:`~meshwright.emit.conventions.METRICS_PORT_NAME`; a relabeling sets
``service="<service>"`` explicitly, the label every generated rule and dashboard selects
on (see :mod:`.semconv`). Interval, timeout, scheme and path are set, not left to the
operator's defaults.
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.conventions import METRICS_PATH, METRICS_PORT_NAME
from meshwright.emit.kubernetes.labels import labels, namespace, selector
from meshwright.emit.observability.semconv import SERVICE_LABEL
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Model

Obj = dict[str, Any]
SCRAPE_INTERVAL = "30s"
SCRAPE_TIMEOUT = "10s"


def scraped_services(model: Model) -> list[str]:
    """Every workload: each serves ``/metrics`` on its metrics port, so each is scraped."""
    return sorted(model.services)


def monitored(model: Model) -> list[str]:
    """Services that serve requests over a port, so expose the request-duration
    histograms that RED dashboards and SLO rules read."""
    return [n for n, s in sorted(model.services.items()) if any(a.networked for a in s.apis)]


def service_monitor(model: Model, name: str) -> Obj:
    """The ServiceMonitor of one service."""
    svc = model.services[name]
    ns = namespace(model)
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": dns_name(name), "namespace": ns, "labels": labels(model, name, svc)},
        "spec": {
            "selector": {"matchLabels": selector(name)},
            "namespaceSelector": {"matchNames": [ns]},
            "endpoints": [
                {
                    "port": METRICS_PORT_NAME,
                    "path": METRICS_PATH,
                    "scheme": "http",
                    "interval": SCRAPE_INTERVAL,
                    "scrapeTimeout": SCRAPE_TIMEOUT,
                    "honorLabels": False,
                    "relabelings": [
                        {"action": "replace", "targetLabel": SERVICE_LABEL, "replacement": dns_name(name)}
                    ],
                }
            ],
        },
    }
