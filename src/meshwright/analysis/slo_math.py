"""SLO and burn-rate math: the one place that says what an objective, its error budget and
its multi-window multi-burn-rate alerts are (Sloth style: emitters only render this).

An SLO of the model (``services.<name>.slo``) becomes one :class:`Objective` per declared
target: ``availability`` (share of requests that do not fail) and each latency quantile
(``p99: 300ms`` means 99 % of requests finish within 300 ms). The error budget is
``1 - target`` over ``slo.window`` (the period).

The alerts are the SRE workbook's four (chapter "Alerting on SLOs"): each consumes a fixed
share of the budget over its long window, so its burn-rate factor is
``share × period / long_window``. For the workbook's 30-day period that is 14.4 (1h, 5m)
and 6 (6h, 30m) for pages, 3 (1d, 2h) and 1 (3d, 6h) for tickets; for another period the
windows stay and the factors scale (as Sloth does), so each alert still means "this share
of the period's budget is gone". An alert fires when the error ratio over *both* its long
and its short window exceeds ``factor × budget``.

**Low traffic.** A ratio over few requests is noise: one failure among the two requests a
quiet service gets in five minutes is a 50 % error ratio, far above every threshold. So an
alert also needs at least ``min_bad_requests`` bad requests (``slo.min_bad_requests``,
default 5) in its short window. At high traffic the guard never binds (a 99.9 % objective
at 10 requests/s has 43 bad requests in the 5m window at the page threshold); for a quiet
service a lone failure stays silent while a real outage (every request failing) still
pages as soon as the short window has seen that many requests.

An alert is left out, with the reason, when its long window is longer than the period (the
period cannot hold it) or when ``factor × budget ≥ 1`` (an error ratio above 100 % never
happens, so the alert could never fire).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from meshwright.model.types import Slo

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0

RATIO_WINDOWS: tuple[float, ...] = (5 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY)
"""Windows of the error-ratio recording rules (the SLO period is added per SLO)."""

Severity = Literal["page", "ticket"]


@dataclass(frozen=True)
class AlertWindow:
    """One of the workbook's alerts: its windows and the share of the budget it stands for."""

    name: str
    severity: Severity
    long_window: float
    short_window: float
    budget_share: float


WORKBOOK_ALERTS: tuple[AlertWindow, ...] = (
    AlertWindow("page-1h", "page", HOUR, 5 * MINUTE, 0.02),
    AlertWindow("page-6h", "page", 6 * HOUR, 30 * MINUTE, 0.05),
    AlertWindow("ticket-1d", "ticket", DAY, 2 * HOUR, 0.10),
    AlertWindow("ticket-3d", "ticket", 3 * DAY, 6 * HOUR, 0.10),
)
"""The four alerts of the SRE workbook, most urgent first."""

QUANTILES: dict[str, float] = {"p50": 0.50, "p95": 0.95, "p99": 0.99}
"""Latency objective field → the share of requests that must be within the threshold."""


@dataclass(frozen=True)
class Objective:
    """One target of a service's SLO: ``kind`` availability or latency (with its
    ``quantile`` name and ``threshold`` in seconds), ``target`` as a ratio in (0, 1)."""

    service: str
    kind: Literal["availability", "latency"]
    target: float
    period: float
    quantile: str | None = None
    threshold: float | None = None
    min_bad_requests: int = 1
    """Bad requests an alert's short window must hold before the alert fires."""

    @property
    def name(self) -> str:
        """``<service>-availability`` or ``<service>-latency-<quantile>``."""
        if self.kind == "availability":
            return f"{self.service}-availability"
        return f"{self.service}-latency-{self.quantile}"

    @property
    def budget(self) -> float:
        """The error budget: the share of requests allowed to fail (or be slow)."""
        return 1.0 - self.target


@dataclass(frozen=True)
class BurnAlert:
    """An alert of an objective: fires when the error ratio over both windows exceeds
    ``threshold`` (``factor × budget``)."""

    window: AlertWindow
    factor: float
    threshold: float


@dataclass(frozen=True)
class OmittedAlert:
    """A workbook alert that an objective cannot have, and why."""

    window: AlertWindow
    reason: str


def objectives(service: str, slo: Slo) -> list[Objective]:
    """The objectives of one service's SLO, availability first, then p50, p95, p99."""
    out: list[Objective] = []
    if slo.availability is not None:
        out.append(
            Objective(
                service,
                "availability",
                slo.availability / 100.0,
                slo.window,
                min_bad_requests=slo.min_bad_requests,
            )
        )
    if slo.latency is not None:
        for field, q in QUANTILES.items():
            threshold = getattr(slo.latency, field)
            if threshold is not None:
                out.append(
                    Objective(
                        service,
                        "latency",
                        q,
                        slo.window,
                        quantile=field,
                        threshold=threshold,
                        min_bad_requests=slo.min_bad_requests,
                    )
                )
    return out


def burn_factor(window: AlertWindow, period: float) -> float:
    """Burn rate at which ``window.budget_share`` of the period's budget goes in the long window."""
    return window.budget_share * period / window.long_window


def alerts(objective: Objective) -> tuple[list[BurnAlert], list[OmittedAlert]]:
    """The workbook alerts the objective has, and those it cannot have with the reason."""
    kept: list[BurnAlert] = []
    omitted: list[OmittedAlert] = []
    for w in WORKBOOK_ALERTS:
        factor = burn_factor(w, objective.period)
        threshold = factor * objective.budget
        if w.long_window > objective.period:
            omitted.append(OmittedAlert(w, "its long window is longer than the SLO window"))
        elif objective.budget <= 0:
            omitted.append(OmittedAlert(w, "a 100 % target has no error budget to burn"))
        elif threshold >= 1.0:
            omitted.append(
                OmittedAlert(w, f"it would need an error ratio of {threshold:.3g} (above 100 %) to fire")
            )
        else:
            kept.append(BurnAlert(w, factor, threshold))
    return kept, omitted


def uncovered(period: float) -> list[AlertWindow]:
    """Workbook alerts whose long window an SLO window of ``period`` seconds cannot hold."""
    return [w for w in WORKBOOK_ALERTS if w.long_window > period]


def ratio_windows(period: float) -> list[float]:
    """Windows of the error-ratio recording rules of an SLO: :data:`RATIO_WINDOWS` up to
    the period, then the period itself."""
    return sorted({w for w in RATIO_WINDOWS if w <= period} | {period})


def budget_remaining(error_ratio: float, budget: float) -> float:
    """Share of the budget left after a period whose error ratio was ``error_ratio``."""
    return 1.0 - error_ratio / budget if budget > 0 else 0.0
