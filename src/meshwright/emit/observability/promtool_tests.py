"""``promtool test rules`` files that prove each burn-rate alert fires at its burn rate and
stays silent just below it, from synthetic series, and that the low-traffic guard holds.

For every alert of an objective two cases run against the objective's own rule file:
requests arrive at a steady rate (1000 per minute, more when the short window would
otherwise hold too few bad requests for the guard), a constant share of them bad (failed,
or slower than the threshold); at ``1.01 ×`` the alert's error-ratio threshold the alert
must fire (with every alert whose threshold is lower), at ``0.99 ×`` it must not (only the
lower-threshold alerts fire). The evaluation time is the short window plus ten minutes,
so the short window is full of the synthetic traffic.

promtool evaluates every rule group from 0 to each case's evaluation time, one evaluation
per ``evaluation_interval``, so the file's interval is the longest one that still lands an
evaluation on every case's evaluation time and on ``ABSENT_FOR`` (their greatest common
divisor, in minutes): the burn-rate alerts have no ``for``, so their state at an evaluation
time depends only on that evaluation, and ``SLOMetricsAbsent`` turns firing exactly after
``ABSENT_FOR`` as it does at the server's ``RULE_INTERVAL``. A finer interval only adds
evaluations (at 30s the shop's files took promtool ten times as long).

Two more cases per objective show the low-traffic guard: every request fails, but so few
arrive that even the longest short window holds half of ``min_bad_requests`` bad ones — no
alert fires although the error ratio is 100 %; and a quiet service that fails completely
with twice ``min_bad_requests`` in its shortest short window pages with every alert.
"""

from __future__ import annotations

import math
import re
from typing import Any

from meshwright.analysis.slo_math import BurnAlert
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


def per_minute(rules: SloRules, alert: BurnAlert) -> float:
    """Synthetic requests per minute of the alert's cases: :data:`PER_MINUTE`, or enough
    that its short window holds four times ``min_bad_requests`` at its threshold."""
    short_minutes = alert.window.short_window / 60
    needed = 4 * rules.objective.min_bad_requests / (alert.threshold * short_minutes)
    return max(PER_MINUTE, float(math.ceil(needed / 1000) * 1000))


def input_series(rules: SloRules, bad_ratio: float, steps: int, rate: float = PER_MINUTE) -> list[Obj]:
    """Counters of the objective's first protocol: ``rate`` requests a minute,
    ``bad_ratio`` of them bad."""
    metric = rules.metrics[0]
    obj = rules.objective
    base = {SERVICE_LABEL: dns_name(obj.service)}
    bad = rate * bad_ratio
    if obj.kind == "availability":
        return [
            _series(metric.series("count"), {**base, metric.status_label: metric.error_code}, bad, steps),
            _series(metric.series("count"), {**base, metric.status_label: metric.ok_code}, rate - bad, steps),
        ]
    assert obj.threshold is not None
    return [
        _series(metric.series("bucket"), {**base, "le": le_value(obj.threshold, metric)}, rate - bad, steps),
        _series(metric.series("count"), base, rate, steps),
    ]


def _expected(rules: SloRules, firing: list[BurnAlert]) -> list[Obj]:
    out = []
    for a in firing:
        rule = alert_rule(rules, a)
        out.append({"exp_labels": rule["labels"], "exp_annotations": rule["annotations"]})
    return out


def _case(
    rules: SloRules, name: str, ratio: float, short_window: float, rate: float, firing: list[BurnAlert]
) -> Obj:
    minutes = round(short_window / 60) + 10
    return {
        "name": name,
        "interval": "1m",
        "input_series": input_series(rules, ratio, minutes + 1, rate),
        "alert_rule_test": [
            {"eval_time": f"{minutes}m", "alertname": ALERT, "exp_alerts": _expected(rules, firing)}
        ],
    }


def _low_traffic_cases(rules: SloRules) -> list[Obj]:
    """Every request fails: a trickle stays silent, a quiet service's outage pages."""
    if not rules.alerts:
        return []
    guard = rules.objective.min_bad_requests
    shortest = min(a.window.short_window for a in rules.alerts) / 60
    longest = max(a.window.short_window for a in rules.alerts)
    trickle = guard / 2 / (longest / 60)
    outage = 2 * guard / shortest
    return [
        _case(
            rules,
            f"low traffic: every request fails, fewer than {guard} bad in each short window: silent",
            1.0,
            longest,
            trickle,
            [],
        ),
        _case(
            rules,
            f"low traffic outage: every request fails, {number(outage)} a minute: every alert fires",
            1.0,
            longest,
            outage,
            list(rules.alerts),
        ),
    ]


def test_file(rules: SloRules, rule_file: str) -> Obj:
    """The promtool test file of one objective, reading ``rule_file`` (a sibling path)."""
    cases: list[Obj] = []
    for a in rules.alerts:
        above = min(a.threshold * ABOVE, (a.threshold + 1) / 2)
        below = a.threshold * BELOW
        w = a.window
        rate = per_minute(rules, a)
        cases.append(
            _case(
                rules,
                f"{alert_id(a)} fires at {number(a.factor)}x burn ({number(above)} bad)",
                above,
                w.short_window,
                rate,
                [b for b in rules.alerts if b.threshold < above],
            )
        )
        cases.append(
            _case(
                rules,
                f"{alert_id(a)} stays silent just below {number(a.factor)}x ({number(below)} bad)",
                below,
                w.short_window,
                rate,
                [b for b in rules.alerts if b.threshold < below],
            )
        )
    cases += _low_traffic_cases(rules)
    cases += _absent_cases(rules)
    return {"rule_files": [rule_file], "evaluation_interval": _evaluation_interval(cases), "tests": cases}


def _minutes(duration: str) -> int:
    match = re.fullmatch(r"(\d+)m", duration)
    assert match is not None, duration
    return int(match.group(1))


def _evaluation_interval(cases: list[Obj]) -> str:
    """The greatest common divisor of every evaluation time and ``ABSENT_FOR``."""
    times = [_minutes(t["eval_time"]) for c in cases for t in c["alert_rule_test"]]
    return f"{math.gcd(_minutes(ABSENT_FOR), *times)}m"


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
