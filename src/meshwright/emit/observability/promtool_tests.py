"""``promtool test rules`` files that prove each burn-rate alert fires at its burn rate and
stays silent just below it, from synthetic series.

For every alert of an objective two cases run against the objective's own rule file:
requests arrive at a steady 1000 per minute, a constant share of them bad (failed, or
slower than the threshold); at ``1.01 ×`` the alert's error-ratio threshold the alert must
fire (with every alert whose threshold is lower), at ``0.99 ×`` it must not (only the
lower-threshold alerts fire). The evaluation time is the short window plus ten minutes,
so the short window is full of the synthetic traffic.
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.observability.prometheus_rules import (
    ABSENT_ALERT,
    ABSENT_FOR,
    ALERT,
    SloRules,
    absent_rule,
    alert_id,
    alert_rule,
)
from meshwright.emit.observability.semconv import SERVICE_LABEL, le_value, number
from meshwright.emit.wiring import dns_name

Obj = dict[str, Any]
PER_MINUTE = 1000.0
"""Synthetic requests per minute."""
ABOVE = 1.01
BELOW = 0.99


def _labels(labels: dict[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def _series(name: str, labels: dict[str, str], per_minute: float, steps: int) -> Obj:
    return {"series": f"{name}{_labels(labels)}", "values": f"0+{number(per_minute)}x{steps}"}


def input_series(rules: SloRules, bad_ratio: float, steps: int) -> list[Obj]:
    """Counters of the objective's first protocol with ``bad_ratio`` of requests bad."""
    metric = rules.metrics[0]
    obj = rules.objective
    base = {SERVICE_LABEL: dns_name(obj.service)}
    bad = PER_MINUTE * bad_ratio
    if obj.kind == "availability":
        return [
            _series(metric.series("count"), {**base, metric.status_label: metric.error_code}, bad, steps),
            _series(
                metric.series("count"), {**base, metric.status_label: metric.ok_code}, PER_MINUTE - bad, steps
            ),
        ]
    assert obj.threshold is not None
    return [
        _series(
            metric.series("bucket"), {**base, "le": le_value(obj.threshold, metric)}, PER_MINUTE - bad, steps
        ),
        _series(metric.series("count"), base, PER_MINUTE, steps),
    ]


def _expected(rules: SloRules, ratio: float) -> list[Obj]:
    out = []
    for a in rules.alerts:
        if a.threshold < ratio:
            rule = alert_rule(rules, a)
            out.append({"exp_labels": rule["labels"], "exp_annotations": rule["annotations"]})
    return out


def _case(rules: SloRules, name: str, ratio: float, short_window: float) -> Obj:
    minutes = round(short_window / 60) + 10
    return {
        "name": name,
        "interval": "1m",
        "input_series": input_series(rules, ratio, minutes + 1),
        "alert_rule_test": [
            {"eval_time": f"{minutes}m", "alertname": ALERT, "exp_alerts": _expected(rules, ratio)}
        ],
    }


def test_file(rules: SloRules, rule_file: str) -> Obj:
    """The promtool test file of one objective, reading ``rule_file`` (a sibling path)."""
    cases: list[Obj] = []
    for a in rules.alerts:
        above = min(a.threshold * ABOVE, (a.threshold + 1) / 2)
        w = a.window
        cases.append(
            _case(
                rules,
                f"{alert_id(a)} fires at {number(a.factor)}x burn ({number(above)} bad)",
                above,
                w.short_window,
            )
        )
        cases.append(
            _case(
                rules,
                f"{alert_id(a)} stays silent just below {number(a.factor)}x "
                f"({number(a.threshold * BELOW)} bad)",
                a.threshold * BELOW,
                w.short_window,
            )
        )
    cases += _absent_cases(rules)
    return {"rule_files": [rule_file], "evaluation_interval": "30s", "tests": cases}


def _absent_cases(rules: SloRules) -> list[Obj]:
    """``SLOMetricsAbsent`` fires when the service's series are missing, not when present."""
    rule = absent_rule(rules)
    minutes = 15
    other = {"series": 'up{service="some-other-service"}', "values": f"1+0x{minutes + 1}"}
    expected = [{"exp_labels": rule["labels"], "exp_annotations": rule["annotations"]}]
    return [
        {
            "name": f"metrics absent for {ABSENT_FOR}: {ABSENT_ALERT} fires",
            "interval": "1m",
            "input_series": [other],
            "alert_rule_test": [
                {"eval_time": f"{minutes}m", "alertname": ABSENT_ALERT, "exp_alerts": expected}
            ],
        },
        {
            "name": f"metrics present: {ABSENT_ALERT} stays silent",
            "interval": "1m",
            "input_series": input_series(rules, 0.0, minutes + 1),
            "alert_rule_test": [{"eval_time": f"{minutes}m", "alertname": ABSENT_ALERT, "exp_alerts": []}],
        },
    ]
