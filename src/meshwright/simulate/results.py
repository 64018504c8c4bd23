"""Results of a run: per-bucket time series, totals and a verdict (SLOs met? recovered
after the faults, or stuck in a metastable state?)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from meshwright.model.types import Model
from meshwright.simulate.recorder import Latencies, Recorder, Series
from meshwright.simulate.scenario import Scenario

RECOVERY_GRACE = 30.0
"""Seconds after the last fault ends before recovery is judged."""
RECOVERY_TOLERANCE = 0.01
"""Recovered when the success ratio after the grace is within this much (1 percentage point)
of the baseline's, or within three standard errors of it when the sample is small."""
RECOVERY_WINDOW = 10.0
"""Seconds of the rolling window whose success ratio must stay recovered (recovery time)."""

Number = float | None


_QUANTILES = (50 / 100, 99 / 100)


def _pcts(values: Latencies) -> tuple[Number, Number]:
    """(p50, p99) of one bucket's latencies: ``np.percentile(values, [50, 99])`` (its
    default linear method, computed the same way to the last bit), with one partial sort
    and no per-call overhead — the summary runs it for every series and bucket."""
    n = len(values)
    if n == 0:
        return None, None
    spots = []
    for q in _QUANTILES:
        vi = (n - 1) * q
        if vi >= n - 1:
            spots.append((n - 1, n - 1, 0.0))
        else:
            lo = math.floor(vi)
            spots.append((lo, lo + 1, vi - lo))
    arr = np.array(values, dtype=np.float64)
    arr.partition(sorted({k for s in spots for k in s[:2]}))
    out = []
    for lo, hi, gamma in spots:
        a, b = float(arr[lo]), float(arr[hi])
        diff = b - a
        out.append(b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma)
    return out[0], out[1]


def _ratio(a: float, b: float) -> Number:
    return a / b if b > 0 else None


@dataclass
class SloCheck:
    service: str
    objective: str
    target: float
    actual: Number
    met: bool


@dataclass
class Recovery:
    """Whether goodput came back after the faults ended."""

    status: str
    """no-faults | permanent-fault | undetermined | recovered | metastable"""
    fault_end: Number = None
    judged_from: Number = None
    baseline_success: Number = None
    after_success: Number = None
    worst: str | None = None
    recovered_at: Number = None
    """When every entrypoint's success ratio, over a rolling window, came back within the
    tolerance of its baseline and stayed there to the end of the run (None if never)."""


@dataclass
class Verdict:
    slos: list[SloCheck] = field(default_factory=list)
    recovery: Recovery = field(default_factory=lambda: Recovery("no-faults"))

    @property
    def slos_met(self) -> bool:
        return all(s.met for s in self.slos)

    @property
    def ok(self) -> bool:
        return self.slos_met and self.recovery.status != "metastable"


@dataclass
class SimResult:
    """Everything a run produced, as plain data."""

    system: str
    scenario: str
    seed: int
    duration: float
    bucket: float
    events: int
    time: list[float]
    entrypoints: dict[str, dict[str, list[Number]]]
    services: dict[str, dict[str, list[Number]]]
    breakers: dict[str, list[int]]
    topics: dict[str, list[float]]
    totals: dict[str, dict[str, dict[str, Number]]]
    verdict: Verdict
    failures: dict[str, dict[str, int]] = field(default_factory=dict)
    """Failed tries of each service's outgoing calls, by kind (timeout, circuit_open, ...)."""

    def to_json(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "system": self.system,
            "scenario": self.scenario,
            "seed": self.seed,
            "duration": self.duration,
            "bucket": self.bucket,
            "events": self.events,
            "verdict": {
                "ok": v.ok,
                "slos_met": v.slos_met,
                "slos": [s.__dict__ for s in v.slos],
                "recovery": v.recovery.__dict__,
            },
            "totals": self.totals,
            "failed_tries": self.failures,
            "series": {
                "time": self.time,
                "entrypoints": self.entrypoints,
                "services": self.services,
                "breakers": self.breakers,
                "topics": self.topics,
            },
        }


def bucket_widths(rec: Recorder) -> list[float]:
    """Seconds covered by each bucket: ``rec.width``, except a shorter last one when the
    duration is not a multiple of the width."""
    return [min(rec.width, rec.duration - i * rec.width) for i in range(rec.nb)]


def _series(s: Series, widths: list[float], station: bool) -> dict[str, list[Number]]:
    nb = len(widths)
    out: dict[str, list[Number]] = {
        "offered": [s.arrivals[i] / widths[i] for i in range(nb)],
        "throughput": [(s.ok[i] + s.errors[i]) / widths[i] for i in range(nb)],
        "goodput": [s.ok[i] / widths[i] for i in range(nb)],
        "error_rate": [_ratio(s.errors[i], s.ok[i] + s.errors[i]) for i in range(nb)],
    }
    pcts = [_pcts(lat) for lat in s.latencies]
    out["p50"] = [p[0] for p in pcts]
    out["p99"] = [p[1] for p in pcts]
    if station:
        out["retries"] = [s.retries[i] / widths[i] for i in range(nb)]
        out["rejected"] = [s.rejected[i] / widths[i] for i in range(nb)]
        out["queue"] = list(s.queue)
        out["busy"] = list(s.busy)
        out["utilisation"] = list(s.utilisation)
        out["replicas"] = list(s.replicas)
        out["mean_wait"] = [_ratio(s.wait_sum[i], s.wait_n[i]) for i in range(nb)]
    return out


Floats = npt.NDArray[np.float64]


def _weighted_pcts(values: Floats, weights: Floats) -> tuple[Number, Number]:
    """(p50, p99) of values each standing for ``weight`` observations."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    idx = np.searchsorted(cum, [0.5 * cum[-1], 0.99 * cum[-1]])
    v = values[order][np.minimum(idx, len(values) - 1)]
    return float(v[0]), float(v[1])


def _latency_totals(s: Series) -> tuple[Number, Number, Number]:
    """(mean, p50, p99) over the run: exact when every bucket kept all its latencies, else
    each bucket's sample weighted by its count."""
    chunks = [(np.asarray(b, dtype=np.float64), s.ok[i]) for i, b in enumerate(s.latencies) if len(b)]
    if not chunks:
        return None, None, None
    lat = np.concatenate([c for c, _ in chunks])
    if all(len(c) == n for c, n in chunks):
        p50, p99 = _pcts(lat)
        return float(np.mean(lat)), p50, p99
    weights = np.concatenate([np.full(len(c), n / len(c)) for c, n in chunks])
    p50, p99 = _weighted_pcts(lat, weights)
    return float(np.average(lat, weights=weights)), p50, p99


def _totals(s: Series, duration: float, station: bool) -> dict[str, Number]:
    ok, err = sum(s.ok), sum(s.errors)
    mean, p50, p99 = _latency_totals(s)
    out: dict[str, Number] = {
        "requests": sum(s.arrivals),
        "ok": ok,
        "errors": err,
        "success": _ratio(ok, ok + err),
        "goodput": ok / duration,
        "mean_latency": mean,
        "p50": p50,
        "p99": p99,
    }
    if station:
        out["retries"] = sum(s.retries)
        out["rejected"] = sum(s.rejected)
        out["mean_wait"] = _ratio(sum(s.wait_sum), sum(s.wait_n))
        out["utilisation"] = float(np.mean(s.utilisation))
        out["max_queue"] = max(s.queue) if s.queue else 0.0
    return out


def summarize(model: Model, scenario: Scenario, rec: Recorder, seed: int) -> SimResult:
    """Turn raw counters into series, totals and a verdict."""
    width, nb = rec.width, rec.nb
    widths = bucket_widths(rec)
    totals = {
        "entrypoints": {k: _totals(s, rec.duration, False) for k, s in rec.entrypoints.items()},
        "services": {k: _totals(s, rec.duration, True) for k, s in rec.services.items()},
    }
    return SimResult(
        system=model.system,
        scenario=scenario.name,
        seed=seed,
        duration=rec.duration,
        bucket=width,
        events=rec.events,
        time=[i * width for i in range(nb)],
        entrypoints={k: _series(s, widths, False) for k, s in rec.entrypoints.items()},
        services={k: _series(s, widths, True) for k, s in rec.services.items()},
        breakers=rec.breakers,
        topics=rec.topics,
        totals=totals,
        verdict=Verdict(
            _slo_checks(model, totals["services"]),
            judge_recovery(scenario, rec, recovery_grace(model)),
        ),
        failures={k: dict(sorted(c.items())) for k, c in rec.failures.items() if c},
    )


def _slo_checks(model: Model, services: dict[str, dict[str, Number]]) -> list[SloCheck]:
    out = []
    for name, svc in model.services.items():
        t = services[name]
        if svc.slo is None or not t["requests"]:
            continue
        if svc.slo.availability is not None:
            actual = None if t["success"] is None else 100.0 * t["success"]
            out.append(SloCheck(name, "availability", svc.slo.availability, actual,
                                actual is not None and actual >= svc.slo.availability))
        if svc.slo.latency is not None and svc.slo.latency.p99 is not None:
            p99 = t["p99"]
            out.append(SloCheck(name, "latency.p99", svc.slo.latency.p99, p99,
                                p99 is not None and p99 <= svc.slo.latency.p99))
    return out


def recovery_grace(model: Model) -> float:
    """Seconds to wait after the faults before judging: 30 s, or longer than the longest
    circuit-breaker open interval (an open breaker delays recovery by design)."""
    longest = max(
        (c.circuit_breaker.open_for for s in model.services.values() for c in s.all_calls()
         if c.circuit_breaker is not None),
        default=0.0,
    )
    return max(RECOVERY_GRACE, longest + 5.0)


def _threshold(base: float, n: float) -> float:
    """Lowest success ratio that counts as back to ``base``, for a sample of ``n`` requests."""
    noise = 3.0 * math.sqrt(max(base * (1.0 - base), 1e-12) / n) if n > 0 else 1.0
    return base - max(RECOVERY_TOLERANCE, noise)


def _success_over(s: Series, lo: int, hi: int) -> tuple[float, float]:
    """(offered, success ratio) of buckets [lo, hi); the ratio is 1 when nothing was offered."""
    offered = sum(s.arrivals[lo:hi])
    return offered, (min(1.0, sum(s.ok[lo:hi]) / offered) if offered else 1.0)


def _recovered_at(s: Series, first: int, base_ok: float, width: float) -> int | None:
    """First bucket ≥ ``first`` from which both the next RECOVERY_WINDOW seconds and the
    whole rest of the run have a success ratio back at the baseline's (within the
    tolerance or the sampling noise); None if there is none."""
    m = max(1, math.ceil(RECOVERY_WINDOW / width))
    nb = len(s.arrivals)
    for b in range(first, nb):
        n_next, ok_next = _success_over(s, b, min(nb, b + m))
        n_rest, ok_rest = _success_over(s, b, nb)
        if n_rest == 0:
            return None
        if ok_next >= _threshold(base_ok, n_next) and ok_rest >= _threshold(base_ok, n_rest):
            return b
    return None


def judge_recovery(scenario: Scenario, rec: Recorder, grace: float = RECOVERY_GRACE) -> Recovery:
    """Compare each entrypoint's success ratio (ok / offered) before the first fault with
    the one from ``grace`` seconds after the last fault until the end of the run; recovered
    when every entrypoint is back within :data:`RECOVERY_TOLERANCE` (or the sampling noise)
    of its baseline. ``recovered_at`` is when the last entrypoint came back for good."""
    start = scenario.fault_start
    if start is None:
        return Recovery("no-faults")
    end = scenario.fault_end
    if end is None:
        return Recovery("permanent-fault")
    w = rec.width
    b0 = int(-(-(end + grace) // w))
    if b0 >= rec.nb:
        return Recovery("undetermined", end, end + grace)
    base_hi = int(start // w)
    base_lo = base_hi // 10
    b_end = min(rec.nb, int(end // w))
    worst: tuple[float, str, float, float] | None = None
    back: list[int | None] = []
    for label, s in rec.entrypoints.items():
        after_offered = sum(s.arrivals[b0:])
        if after_offered == 0:
            continue
        # responses in a window include requests offered just before it: cap at 1
        after = min(1.0, sum(s.ok[b0:]) / after_offered)
        base_offered = sum(s.arrivals[base_lo:base_hi])
        base = min(1.0, sum(s.ok[base_lo:base_hi]) / base_offered) if base_offered else 1.0
        margin = after - _threshold(base, after_offered)
        if worst is None or margin < worst[0]:
            worst = (margin, label, base, after)
        back.append(_recovered_at(s, b_end, base, w))
    if worst is None:
        return Recovery("undetermined", end, b0 * w)
    margin, label, base, after = worst
    status = "recovered" if margin >= 0.0 else "metastable"
    at = None if any(b is None for b in back) else max(b for b in back if b is not None) * w
    return Recovery(status, end, b0 * w, base, after, label, at if status == "recovered" else None)
