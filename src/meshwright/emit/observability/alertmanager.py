"""Alertmanager routing and inhibition for the SLO alerts, as a plain ``alertmanager.yml``
and as an AlertmanagerConfig resource.

Inhibition (what Pyrra's users ask for, so one burn does not raise four alerts): while a
page of an SLO fires, its tickets are muted; the fast page (1h) mutes the slow page (6h)
and the fast ticket (1d) mutes the slow ticket (3d). Alerts are grouped by ``slo``.
Receivers ``slo-page`` and ``slo-ticket`` are named but have no integration: add your
pager and ticket system to them (the model does not say where alerts go).
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.observability.prometheus_rules import ABSENT_ALERT, ALERT
from meshwright.emit.observability.resources import resource
from meshwright.model.types import Model

Obj = dict[str, Any]
GROUP_WAIT = "30s"
GROUP_INTERVAL = "5m"
REPEAT_INTERVAL = "4h"

Matcher = tuple[str, str]
_INHIBITIONS: tuple[tuple[list[Matcher], list[Matcher]], ...] = (
    ([("severity", "page")], [("severity", "ticket")]),
    ([("severity", "page"), ("long_window", "1h")], [("severity", "page"), ("long_window", "6h")]),
    ([("severity", "ticket"), ("long_window", "1d")], [("severity", "ticket"), ("long_window", "3d")]),
)
"""(source matchers, target matchers) of each inhibition; all also match the alert name."""


def _text(matchers: list[Matcher]) -> list[str]:
    return [f'alertname="{ALERT}"'] + [f'{k}="{v}"' for k, v in matchers]


def _crd(matchers: list[Matcher]) -> list[Obj]:
    """Equality matchers (the operator's default ``matchType``)."""
    return [{"name": "alertname", "value": ALERT}] + [{"name": k, "value": v} for k, v in matchers]


def alertmanager_config() -> Obj:
    """A complete ``alertmanager.yml``: routes by severity, inhibition, empty receivers."""
    return {
        "route": {
            "receiver": "default",
            "group_by": ["alertname", "slo"],
            "group_wait": GROUP_WAIT,
            "group_interval": GROUP_INTERVAL,
            "repeat_interval": REPEAT_INTERVAL,
            "routes": [
                {"receiver": "slo-page", "matchers": [f'alertname="{ALERT}"', 'severity="page"']},
                {"receiver": "slo-ticket", "matchers": [f'alertname="{ALERT}"', 'severity="ticket"']},
                {"receiver": "slo-ticket", "matchers": [f'alertname="{ABSENT_ALERT}"']},
            ],
        },
        "inhibit_rules": [
            {"source_matchers": _text(s), "target_matchers": _text(t), "equal": ["slo"]}
            for s, t in _INHIBITIONS
        ],
        "receivers": [{"name": "default"}, {"name": "slo-page"}, {"name": "slo-ticket"}],
    }


def alertmanager_resource(model: Model) -> Obj:
    """The AlertmanagerConfig resource: the same routes and inhibitions, namespaced."""
    return resource(
        model,
        "monitoring.coreos.com/v1alpha1",
        "AlertmanagerConfig",
        "slo-alerts",
        {
            "route": {
                "receiver": "slo-ticket",
                "groupBy": ["alertname", "slo"],
                "groupWait": GROUP_WAIT,
                "groupInterval": GROUP_INTERVAL,
                "repeatInterval": REPEAT_INTERVAL,
                "matchers": [{"name": "alertname", "value": f"{ALERT}|{ABSENT_ALERT}", "matchType": "=~"}],
                "routes": [
                    {
                        "receiver": "slo-page",
                        "matchers": [{"name": "severity", "value": "page"}],
                    },
                ],
            },
            "inhibitRules": [
                {"sourceMatch": _crd(s), "targetMatch": _crd(t), "equal": ["slo"]} for s, t in _INHIBITIONS
            ],
            "receivers": [{"name": "slo-page"}, {"name": "slo-ticket"}],
        },
    )
