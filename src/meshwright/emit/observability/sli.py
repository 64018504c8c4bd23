"""PromQL of the service level indicators, over the metrics of :mod:`.semconv`.

The error ratio of an objective over a window is bad requests / all requests, summed over
the service's protocols: for availability a bad request failed (5xx, gRPC server error);
for latency it took longer than the threshold (not in the ``le`` bucket at the threshold).
A protocol without traffic counts as zero (``or vector(0)``), so a service with no errors
has a ratio of 0, not no value.

The bad-request count over a window (``increase``, same matchers) feeds the low-traffic
guard of the burn-rate alerts (``Objective.min_bad_requests``).
"""

from __future__ import annotations

from meshwright.analysis.slo_math import Objective
from meshwright.emit.observability.semconv import ServerMetric, le_matcher, selector


def duration(seconds: float) -> str:
    """A PromQL duration: the largest whole unit (``5m``, ``6h``, ``3d``, ``36h``)."""
    whole = round(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def _sum_rate(series: str, sel: str, window: str) -> str:
    return f"sum(rate({series}{sel}[{window}]))"


def _total(parts: list[str]) -> str:
    return " + ".join(f"({p} or vector(0))" for p in parts) if len(parts) > 1 else parts[0]


def requests_rate(service: str, metrics: list[ServerMetric], window: str) -> str:
    """Requests per second over the window, all protocols."""
    return _total([_sum_rate(m.series("count"), selector(service), window) for m in metrics])


def error_ratio(objective: Objective, metrics: list[ServerMetric], window: float) -> str:
    """The objective's error ratio over ``window`` seconds."""
    w = duration(window)
    svc = objective.service
    total = requests_rate(svc, metrics, w)
    if objective.kind == "availability":
        bad = [
            _sum_rate(m.series("count"), selector(svc, f'{m.status_label}=~"{m.error_codes}"'), w)
            for m in metrics
        ]
        bad_total = " + ".join(f"({b} or vector(0))" for b in bad)
        return f"({bad_total}) / ({total})"
    assert objective.threshold is not None
    good = _total(
        [_sum_rate(m.series("bucket"), selector(svc, le_matcher(objective.threshold, m)), w) for m in metrics]
    )
    return f"1 - (({good}) / ({total}))"


def _sum_increase(series: str, sel: str, window: str) -> str:
    return f"sum(increase({series}{sel}[{window}]))"


def bad_requests(objective: Objective, metrics: list[ServerMetric], window: float) -> str:
    """How many of the objective's requests were bad over ``window`` seconds."""
    w = duration(window)
    svc = objective.service
    if objective.kind == "availability":
        bad = [
            _sum_increase(m.series("count"), selector(svc, f'{m.status_label}=~"{m.error_codes}"'), w)
            for m in metrics
        ]
        return " + ".join(f"({b} or vector(0))" for b in bad)
    assert objective.threshold is not None
    total = _total([_sum_increase(m.series("count"), selector(svc), w) for m in metrics])
    good = _total(
        [
            _sum_increase(m.series("bucket"), selector(svc, le_matcher(objective.threshold, m)), w)
            for m in metrics
        ]
    )
    return f"({total}) - ({good})"
