"""Differential: random small models analysed and simulated with fixed seeds agree on
availability within 2 % relative, or within the run's sampling noise. Call semantics
covered: retry_on, app × mesh retries, per-try and overall deadlines, fail-fast and slow
failures, fallbacks with deep targets, parallel groups, fractional per_request. Queueing
is kept out (huge concurrency, fast services): the queueing analysis tests it."""

from __future__ import annotations

import math
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meshwright.analysis.availability import composed_availability
from meshwright.model import Model
from meshwright.simulate import SimOptions, simulate

RATE = 500.0
DURATION = 24.0
PER_TRY = 0.010
"""Per-try timeout of calls to slow leaves (their mean service time is 10 ms: 37 % of
tries time out)."""
WORDS = ["5xx", "gateway_error", "reset", "unavailable", "timeout", "refused"]


@st.composite
def layer(draw: st.DrawFn, slow: bool) -> dict[str, Any] | None:
    attempts = draw(st.integers(1, 3))
    if attempts == 1:
        return None
    out: dict[str, Any] = {
        "attempts": attempts,
        "retry_on": draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=2, unique=True)),
    }
    if slow:
        out["per_try_timeout"] = PER_TRY
    elif draw(st.booleans()):
        out["backoff"] = {"base": "1ms", "jitter": draw(st.sampled_from(["full", "equal", "none"]))}
    return out


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    """2..5 services in a DAG; leaves may be slow (timeouts) or fail fast."""
    n = draw(st.integers(2, 5))
    targets: dict[int, list[int]] = {
        i: [j for j in range(i + 1, n) if draw(st.booleans())] for i in range(n)
    }
    if not targets[0]:
        targets[0] = [1]
    leaves = {i for i in range(n) if not targets[i]}
    slow_leaves = {i for i in leaves if i > 0 and draw(st.booleans())}
    services: dict[str, Any] = {}
    for i in range(n):
        calls = []
        for j in targets[i]:
            slow = j in slow_leaves
            call: dict[str, Any] = {
                "to": f"s{j}.Op",
                "per_request": draw(st.sampled_from([1.0, 1.0, 0.5, 1.5, 2.0])),
            }
            app = draw(layer(slow))
            mesh = draw(layer(slow))
            if app and mesh and slow:
                if draw(st.booleans()):
                    # the application try leaves room for exactly the proxy's tries
                    app["per_try_timeout"] = mesh["attempts"] * PER_TRY - 1e-4
                else:
                    del app["per_try_timeout"]  # only the proxy's tries are bounded
            if app:
                call["retries"] = app
            if mesh:
                call["mesh_retries"] = mesh
            if slow and draw(st.booleans()):
                # an overall deadline that leaves room for exactly k timed-out tries
                k = draw(st.integers(1, 3))
                call["timeout"] = k * PER_TRY - 1e-4
                if not app and not mesh:
                    call["retries"] = {"attempts": 3, "per_try_timeout": PER_TRY}
            elif slow and not app and not mesh:
                call["timeout"] = PER_TRY
            choice = draw(st.sampled_from(["none", "none", "static", "operation"]))
            others = [k for k in range(i + 1, n) if k != j]
            if choice == "static":
                call["fallback"] = "static"
            elif choice == "operation" and others:
                call["fallback"] = f"s{draw(st.sampled_from(others))}.Op"
            calls.append(call)
        if len(calls) > 1 and draw(st.booleans()):
            for c in calls[:2]:
                c["parallel"] = "fan"
        time = {"mean": PER_TRY, "distribution": "exponential"} if i in slow_leaves else 0.001
        services[f"s{i}"] = {
            "availability": draw(st.sampled_from([100.0, 99.0, 95.0, 90.0, 80.0])),
            "runtime": {"concurrency": 10_000},
            "apis": [{"name": "Api", "port": 80, "operations": {"Op": {"service_time": time}}}],
            "calls": calls,
        }
    return {
        "meshwright": 1,
        "system": "diff",
        "services": services,
        "entrypoints": [{"operation": "s0.Op", "rate": RATE}],
    }


EXAMPLES = int(os.environ.get("DIFF_EXAMPLES", "8"))
"""Examples per run (DIFF_EXAMPLES=60 DIFF_REPORT=1 explores more and prints each gap)."""


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_availability_analysed_equals_simulated(raw: dict[str, Any]) -> None:
    m = Model.model_validate(raw)
    expected = composed_availability(m)["s0.Op"].composed
    r = simulate(m, None, SimOptions(duration=DURATION, seed=5, engine="python"))
    t = r.totals["entrypoints"]["s0.Op"]
    n = (t["ok"] or 0) + (t["errors"] or 0)
    observed = t["success"]
    # 2 % relative, or 4 σ of the run's sampling noise where that is wider (low
    # availabilities: ~12,000 requests give σ ≈ 0.45 % at a = 0.6)
    sigma = math.sqrt(max(expected * (1 - expected), 1e-9) / n)
    if os.environ.get("DIFF_REPORT"):
        print(f"DIFF {observed:.4f} {expected:.4f} {abs(observed - expected) / expected:.4f}")
    assert abs(observed - expected) <= max(0.02 * expected, 4 * sigma), (observed, expected, n)
