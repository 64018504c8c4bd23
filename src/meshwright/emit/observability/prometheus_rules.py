"""Prometheus recording and alerting rules of every SLO objective, as plain rule files
and as PrometheusRule resources (the same groups in both).

Per objective (see :mod:`meshwright.analysis.slo_math`) one rule group holds:

- ``slo:sli_error:ratio_rate<w>`` for 5m, 30m, 1h, 2h, 6h, 1d, 3d and the SLO window;
- ``slo:objective:ratio``, ``slo:error_budget:ratio``, ``slo:current_burn_rate:ratio``
  (5m), ``slo:period_burn_rate:ratio`` and ``slo:period_error_budget_remaining:ratio``
  (Sloth's names, so existing Sloth dashboards read them);
- ``slo:sli_bad_requests:increase<w>`` for the short window of every alert: the
  low-traffic guard (an alert needs ``min_bad_requests`` bad requests in it);
- the alert ``SLOErrorBudgetBurn`` once per workbook window the objective can have, with
  labels ``severity`` (page or ticket), ``slo``, ``service``, ``long_window``,
  ``short_window`` and a ``runbook_url`` into the generated runbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from meshwright.analysis.slo_math import BurnAlert, Objective, OmittedAlert, alerts, objectives, ratio_windows
from meshwright.emit.observability.resources import resource
from meshwright.emit.observability.semconv import (
    SERVICE_LABEL,
    ServerMetric,
    number,
    selector,
    server_metrics,
)
from meshwright.emit.observability.sli import bad_requests, duration, error_ratio
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Model

Obj = dict[str, Any]
ALERT = "SLOErrorBudgetBurn"
ABSENT_ALERT = "SLOMetricsAbsent"
ABSENT_FOR = "10m"
"""How long an objective's request metrics may be missing before ``SLOMetricsAbsent`` fires."""
RULE_INTERVAL = "30s"
"""Evaluation interval of every SLO group (set, not left to the server's default)."""


@dataclass(frozen=True)
class SloRules:
    """Everything the emitters need to know about one objective."""

    objective: Objective
    metrics: list[ServerMetric]
    alerts: list[BurnAlert]
    omitted: list[OmittedAlert]

    @property
    def name(self) -> str:
        return dns_name(self.objective.name)


def slo_rules(model: Model) -> list[SloRules]:
    """Objectives of every service that has request metrics (a gRPC or HTTP API); an SLO
    of any other service has no metrics source and no rules (check rule MW308 says so)."""
    out: list[SloRules] = []
    for name, svc in sorted(model.services.items()):
        metrics = server_metrics(svc)
        if svc.slo is None or not metrics:
            continue
        for obj in objectives(name, svc.slo):
            kept, omitted = alerts(obj)
            out.append(SloRules(obj, metrics, kept, omitted))
    return out


def record_name(window: float) -> str:
    """``slo:sli_error:ratio_rate<window>``."""
    return f"slo:sli_error:ratio_rate{duration(window)}"


def bad_record_name(window: float) -> str:
    """``slo:sli_bad_requests:increase<window>``."""
    return f"slo:sli_bad_requests:increase{duration(window)}"


def guard_windows(rules: SloRules) -> list[float]:
    """The short windows of the objective's alerts, each once, shortest first."""
    return sorted({a.window.short_window for a in rules.alerts})


def slo_labels(rules: SloRules) -> dict[str, str]:
    """Labels every series and alert of the objective carries."""
    obj = rules.objective
    return {SERVICE_LABEL: dns_name(obj.service), "slo": rules.name, "slo_kind": obj.kind}


def _match(rules: SloRules) -> str:
    return "{" + f'slo="{rules.name}"' + "}"


def alert_id(alert: BurnAlert) -> str:
    """``page-1h``, ``page-6h``, ``ticket-1d``, ``ticket-3d``."""
    return alert.window.name


def describe(obj: Objective) -> str:
    """Human text of the objective: ``99.9 % of requests succeed`` / ``99 % within 300ms``."""
    pct = number(obj.target * 100)
    if obj.kind == "availability":
        return f"{pct} % of requests succeed"
    assert obj.threshold is not None
    return f"{pct} % of requests finish within {duration_text(obj.threshold)}"


def duration_text(seconds: float) -> str:
    """A threshold as people write it: ``300ms``, ``1.5s``."""
    return f"{number(seconds * 1000)}ms" if seconds < 1 else f"{number(seconds)}s"


def recording_rules(rules: SloRules) -> list[Obj]:
    """The recording rules of one objective."""
    obj = rules.objective
    labels = slo_labels(rules)
    out: list[Obj] = [
        {"record": record_name(w), "expr": error_ratio(obj, rules.metrics, w), "labels": labels}
        for w in ratio_windows(obj.period)
    ]
    out += [
        {"record": bad_record_name(w), "expr": bad_requests(obj, rules.metrics, w), "labels": labels}
        for w in guard_windows(rules)
    ]
    sel = _match(rules)
    out += [
        {"record": "slo:objective:ratio", "expr": f"vector({number(obj.target)})", "labels": labels},
        {"record": "slo:error_budget:ratio", "expr": f"vector({number(obj.budget)})", "labels": labels},
        {
            "record": "slo:current_burn_rate:ratio",
            "expr": f"{record_name(300)}{sel} / slo:error_budget:ratio{sel}",
            "labels": labels,
        },
        {
            "record": "slo:period_burn_rate:ratio",
            "expr": f"{record_name(obj.period)}{sel} / slo:error_budget:ratio{sel}",
            "labels": labels,
        },
        {
            "record": "slo:period_error_budget_remaining:ratio",
            "expr": f"1 - slo:period_burn_rate:ratio{sel}",
            "labels": labels,
        },
    ]
    return out


def runbook_path(rules: SloRules) -> str:
    """The runbook of an objective, relative to the observability output directory."""
    return f"runbooks/{rules.name}.md"


def alert_rule(rules: SloRules, alert: BurnAlert) -> Obj:
    """One burn-rate alert: both windows above ``factor × budget``, and at least
    ``min_bad_requests`` bad requests in the short window (the low-traffic guard)."""
    sel = _match(rules)
    w = alert.window
    threshold = number(alert.threshold)
    expr = (
        f"{record_name(w.long_window)}{sel} > {threshold}"
        f" and {record_name(w.short_window)}{sel} > {threshold}"
        f" and {bad_record_name(w.short_window)}{sel} >= {rules.objective.min_bad_requests}"
    )
    share = number(w.budget_share * 100)
    obj = rules.objective
    return {
        "alert": ALERT,
        "expr": expr,
        "labels": {
            **slo_labels(rules),
            "severity": w.severity,
            "long_window": duration(w.long_window),
            "short_window": duration(w.short_window),
        },
        "annotations": {
            "summary": (
                f"{obj.service}: {rules.name} burns its error budget at over {number(alert.factor)}x "
                f"({duration(w.long_window)} and {duration(w.short_window)})"
            ),
            "description": (
                f"Objective: {describe(obj)} over {duration(obj.period)}. At this burn rate "
                f"{share} % of the budget goes in {duration(w.long_window)}. Fires only with at "
                f"least {obj.min_bad_requests} bad requests in {duration(w.short_window)} "
                "(low-traffic guard)."
            ),
            "runbook_url": f"{runbook_path(rules)}#{alert_id(alert)}",
        },
    }


def absent_rule(rules: SloRules) -> Obj:
    """A ticket when none of the objective's request series exist for ``ABSENT_FOR``: an
    SLO whose metrics are missing would otherwise never burn (and never alert)."""
    obj = rules.objective
    expr = " and ".join(f"absent({m.series('count')}{selector(obj.service)})" for m in rules.metrics)
    return {
        "alert": ABSENT_ALERT,
        "expr": expr,
        "for": ABSENT_FOR,
        "labels": {**slo_labels(rules), "severity": "ticket"},
        "annotations": {
            "summary": f"{obj.service}: no request metrics for {rules.name}",
            "description": (
                f"None of {', '.join(m.series('count') for m in rules.metrics)} with "
                f'{SERVICE_LABEL}="{dns_name(obj.service)}" has been scraped for {ABSENT_FOR}: '
                "the SLO cannot be measured. Check the ServiceMonitor, the metrics port and the exporter."
            ),
            "runbook_url": f"{runbook_path(rules)}#metrics-absent",
        },
    }


def group(rules: SloRules) -> Obj:
    """The rule group of one objective."""
    return {
        "name": f"meshwright-slo-{rules.name}",
        "interval": RULE_INTERVAL,
        "rules": recording_rules(rules) + [alert_rule(rules, a) for a in rules.alerts] + [absent_rule(rules)],
    }


def rule_file(rules: SloRules) -> Obj:
    """A plain Prometheus rule file (``rule_files:``) holding the objective's group."""
    return {"groups": [group(rules)]}


def prometheus_rule(model: Model, rules: SloRules) -> Obj:
    """The PrometheusRule resource holding the objective's group."""
    spec = {"groups": [group(rules)]}
    return resource(
        model, "monitoring.coreos.com/v1", "PrometheusRule", f"{rules.name}-slo", spec, component="slo"
    )
