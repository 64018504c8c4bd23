"""A runbook per SLO objective (Markdown), the target of every alert's ``runbook_url``:
what the objective is, one section per alert (anchor ``#page-1h`` …) saying what firing
means and what to look at, and the alerts the objective cannot have, with the reason."""

from __future__ import annotations

from meshwright.emit.observability.prometheus_rules import SloRules, alert_id, describe, record_name
from meshwright.emit.observability.semconv import number
from meshwright.emit.observability.sli import duration


def runbook(rules: SloRules) -> str:
    """The Markdown runbook of one objective."""
    obj = rules.objective
    lines = [
        f"# {rules.name}",
        "",
        f"Objective: {describe(obj)}, measured over {duration(obj.period)} "
        f"(error budget {number(obj.budget * 100)} % of requests).",
        "",
        f'Error ratio series: `{record_name(300)}{{slo="{rules.name}"}}` and its longer windows; '
        f'budget left: `slo:period_error_budget_remaining:ratio{{slo="{rules.name}"}}`.',
        "Dashboards: the service's RED dashboard and the SLO dashboard.",
        "",
    ]
    for a in rules.alerts:
        w = a.window
        lines += [
            f"## {alert_id(a)}",
            "",
            f"Severity **{w.severity}**. Fires when the error ratio over {duration(w.long_window)} and over "
            f"{duration(w.short_window)} both exceed {number(a.threshold)} "
            f"({number(a.factor)}x the budget rate): "
            f"{number(w.budget_share * 100)} % of the {duration(obj.period)} budget is gone in "
            f"{duration(w.long_window)} at this rate. It waits for at least {obj.min_bad_requests} bad "
            f"requests in {duration(w.short_window)} (`slo.min_bad_requests`), so a lone failure of a "
            "quiet service does not fire it.",
            "",
            "What to do: check the service's error and latency panels for the start of the burn, recent "
            "deploys and its dependencies' dashboards; a page means act now, a ticket means act this week.",
            "",
        ]
    lines += [
        "## metrics-absent",
        "",
        "Severity **ticket**. None of the objective's request series has been scraped for 10 minutes, so "
        "the SLO cannot be measured and no burn-rate alert can fire. Check the ServiceMonitor, the "
        "service's `metrics` port and its OpenTelemetry Prometheus exporter.",
        "",
    ]
    if rules.omitted:
        lines += ["## Alerts this objective cannot have", ""]
        lines += [f"- {o.window.name}: {o.reason}." for o in rules.omitted]
        lines += ["", "`meshwright check` reports this as MW309 (slo.burn-alerts-missing).", ""]
    return "\n".join(lines)
