"""Grafana dashboards built with grafana-foundation-sdk: a RED dashboard per service, a
system overview and an SLO dashboard; GrafanaDashboard resources for the Grafana operator
and a datasource provisioning file.

Every query reads the metrics of :mod:`.semconv` or the SLO series of
:mod:`.prometheus_rules`, through the datasource uid :data:`DATASOURCE_UID` that the
provisioning file defines. Durations are shown in seconds whatever the exporter's unit.
Saturation is mean in-flight requests per pod over ``runtime.concurrency``, in-flight
requests being the histogram's ``_sum`` rate (Little's law), so no extra metric is needed.
"""

from __future__ import annotations

import json
from typing import Any

from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.builders import prometheus as gp
from grafana_foundation_sdk.builders import stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as gm

from meshwright.analysis.slo_math import QUANTILES, WORKBOOK_ALERTS
from meshwright.emit.observability.prometheus_rules import ALERT, SloRules, describe, record_name
from meshwright.emit.observability.resources import resource
from meshwright.emit.observability.semconv import (
    SERVICE_LABEL,
    ServerMetric,
    number,
    selector,
    server_metrics,
)
from meshwright.emit.observability.sli import duration
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Model

Obj = dict[str, Any]
DATASOURCE_UID = "prometheus"
DATASOURCE = gm.DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)
PROMETHEUS_URL = "http://prometheus-operated:9090"
"""Where the provisioned datasource points: the Service the Prometheus operator creates."""
INSTANCE_SELECTOR = {"dashboards": "grafana"}
"""Labels of the Grafana instance the GrafanaDashboard resources attach to."""
RATE = "$__rate_interval"
WIDE, HALF, HEIGHT = 24, 12, 8


def _query(expr: str, legend: str, ref: str) -> gp.Dataquery:
    return gp.Dataquery().expr(expr).legend_format(legend).ref_id(ref).datasource(DATASOURCE)


def _series(title: str, unit: str, queries: list[tuple[str, str]], width: int = HALF) -> timeseries.Panel:
    panel = timeseries.Panel().title(title).unit(unit).datasource(DATASOURCE).span(width).height(HEIGHT)
    for i, (expr, legend) in enumerate(queries):
        panel = panel.with_target(_query(expr, legend, chr(ord("A") + i)))
    return panel


def _stat(title: str, unit: str, expr: str, width: int = 6) -> stat.Panel:
    return (
        stat.Panel()
        .title(title)
        .unit(unit)
        .datasource(DATASOURCE)
        .span(width)
        .height(HEIGHT)
        .with_target(_query(expr, title, "A"))
    )


def _board(uid: str, title: str, tags: list[str]) -> gd.Dashboard:
    return (
        gd.Dashboard(title)
        .uid(uid)
        .tags(tags)
        .refresh("1m")
        .time("now-6h", "now")
        .timezone("browser")
        .tooltip(gm.DashboardCursorSync.CROSSHAIR)
        .editable()
    )


def _rate(m: ServerMetric, suffix: str, sel: str, by: str = "") -> str:
    group = f" by ({by})" if by else ""
    return f"sum{group}(rate({m.series(suffix)}{sel}[{RATE}]))"


def _errors(m: ServerMetric) -> str:
    return f'{m.status_label}=~"{m.error_codes}"'


def _with(sel: str, matcher: str) -> str:
    """A ``{...}`` selector with one more matcher."""
    return sel[:-1] + "," + matcher + "}"


def _quantile(q: float, m: ServerMetric, sel: str, by: str = "le") -> str:
    return f"histogram_quantile({number(q)}, {_rate(m, 'bucket', sel, by)}) / {number(m.scale)}"


def red_dashboard(model: Model, name: str) -> Obj:
    """The RED dashboard of one service: rate, errors, duration p50/p99, saturation."""
    svc = model.services[name]
    metrics = server_metrics(svc)
    sel = selector(name)
    rate_q = [(_rate(m, "count", sel), m.protocol) for m in metrics]
    error_q = [
        (f"{_rate(m, 'count', selector(name, _errors(m)))} / {_rate(m, 'count', sel)}", m.protocol)
        for m in metrics
    ]
    duration_q = [
        (_quantile(q, m, sel), f"{m.protocol} {label}")
        for m in metrics
        for q, label in ((0.5, "p50"), (0.99, "p99"))
    ]
    if svc.slo is not None and svc.slo.latency is not None:
        latency = svc.slo.latency
        duration_q += [
            (f"vector({number(t)})", f"SLO {field}")
            for field in QUANTILES
            if (t := getattr(latency, field)) is not None
        ]
    in_flight = " + ".join(f"({_rate(m, 'sum', sel)} / {number(m.scale)} or vector(0))" for m in metrics)
    pods = f'count(up{{{SERVICE_LABEL}="{dns_name(name)}"}})'
    saturation = f"({in_flight}) / ({pods} * {svc.runtime.concurrency})"
    board = (
        _board(f"mw-red-{dns_name(name)}"[:40], f"{model.system} / {name}", [dns_name(model.system), "red"])
        .description(f"Rate, errors, duration and saturation of {name}. {svc.description}".strip())
        .with_panel(_series("Rate (requests/s)", "reqps", rate_q))
        .with_panel(_series("Errors (share of requests)", "percentunit", error_q))
        .with_panel(_series("Duration (p50, p99)", "s", duration_q))
        .with_panel(
            _series(
                f"Saturation (in flight / {svc.runtime.concurrency} per pod)",
                "percentunit",
                [(saturation, "saturation")],
            )
        )
    )
    return _json(board)


def overview_dashboard(model: Model, services: list[str]) -> Obj:
    """The system overview: every service's rate, error share and p99 side by side."""
    names = "|".join(dns_name(s) for s in services)
    sel = "{" + f'{SERVICE_LABEL}=~"{names}"' + "}"
    protocols = sorted({m.protocol: m for s in services for m in server_metrics(model.services[s])}.items())
    metrics = [m for _, m in protocols]
    by = SERVICE_LABEL
    board = (
        _board(
            f"mw-overview-{dns_name(model.system)}"[:40],
            f"{model.system} / overview",
            [dns_name(model.system), "overview"],
        )
        .description(f"Every service of {model.system}: traffic, errors and tail latency.")
        .with_panel(
            _series(
                "Rate by service (requests/s)",
                "reqps",
                [(_rate(m, "count", sel, by), "{{service}}") for m in metrics],
                WIDE,
            )
        )
        .with_panel(
            _series(
                "Errors by service (share of requests)",
                "percentunit",
                [
                    (
                        f"{_rate(m, 'count', _with(sel, _errors(m)), by)} / {_rate(m, 'count', sel, by)}",
                        "{{service}}",
                    )
                    for m in metrics
                ],
            )
        )
        .with_panel(
            _series(
                "p99 by service",
                "s",
                [(_quantile(0.99, m, sel, f"{by}, le"), "{{service}}") for m in metrics],
            )
        )
    )
    return _json(board)


def slo_dashboard(model: Model, slos: list[SloRules]) -> Obj:
    """The SLO dashboard: per objective the budget left, burn rates and alerts firing."""
    board = _board(
        f"mw-slo-{dns_name(model.system)}"[:40], f"{model.system} / SLOs", [dns_name(model.system), "slo"]
    ).description("Error budget left, burn rates and burn-rate alerts of every SLO objective.")
    windows = sorted({w for a in WORKBOOK_ALERTS for w in (a.long_window, a.short_window)})
    for rules in slos:
        match = f'slo="{rules.name}"'
        kept = {w for a in rules.alerts for w in (a.window.long_window, a.window.short_window)}
        burn = [
            (f"{record_name(w)}{{{match}}} / slo:error_budget:ratio{{{match}}}", duration(w))
            for w in windows
            if w in kept
        ]
        board = (
            board.with_row(
                gd.Row(f"{rules.name}: {describe(rules.objective)} over {duration(rules.objective.period)}")
            )
            .with_panel(
                _stat(
                    "Error budget left", "percentunit", f"slo:period_error_budget_remaining:ratio{{{match}}}"
                )
            )
            .with_panel(
                _stat(
                    "Alerts firing",
                    "none",
                    f'count(ALERTS{{alertname="{ALERT}",{match},alertstate="firing"}}) or vector(0)',
                )
            )
            .with_panel(_series("Burn rate (1 = budget lasts the window)", "none", burn))
        )
    return _json(board)


def _json(board: gd.Dashboard) -> Obj:
    data: Obj = json.loads(json.dumps(board.build(), cls=JSONEncoder))
    for i, panel in enumerate(data.get("panels", []), start=1):
        panel["id"] = i
        if panel.get("options") is None:
            panel.pop("options", None)
    return data


def dashboard_text(data: Obj) -> str:
    """Dashboard JSON as written to disk."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def dashboard_resource(model: Model, file: str, data: Obj) -> Obj:
    """The GrafanaDashboard resource of one dashboard (Grafana operator v5)."""
    spec = {
        "instanceSelector": {"matchLabels": INSTANCE_SELECTOR},
        "resyncPeriod": "10m",
        "json": dashboard_text(data),
    }
    return resource(
        model, "grafana.integreatly.org/v1beta1", "GrafanaDashboard", file.removesuffix(".json"), spec
    )


def datasource_provisioning() -> Obj:
    """``provisioning/datasources/prometheus.yaml`` for Grafana."""
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "Prometheus",
                "type": "prometheus",
                "uid": DATASOURCE_UID,
                "access": "proxy",
                "url": PROMETHEUS_URL,
                "isDefault": True,
                "editable": False,
                "jsonData": {"httpMethod": "POST", "timeInterval": "30s"},
            }
        ],
    }


def dashboard_provisioning() -> Obj:
    """``provisioning/dashboards/meshwright.yaml``: load the JSON files of ``dashboards/``."""
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": "meshwright",
                "type": "file",
                "disableDeletion": False,
                "allowUiUpdates": False,
                "options": {
                    "path": "/var/lib/grafana/dashboards/meshwright",
                    "foldersFromFilesStructure": False,
                },
            }
        ],
    }


def dashboards(model: Model, services: list[str], slos: list[SloRules]) -> dict[str, Obj]:
    """File name → dashboard JSON: ``red-<service>.json``, ``overview.json``, ``slo.json``."""
    out = {f"red-{dns_name(s)}.json": red_dashboard(model, s) for s in services}
    if services:
        out["overview.json"] = overview_dashboard(model, services)
    if slos:
        out["slo.json"] = slo_dashboard(model, slos)
    return out
