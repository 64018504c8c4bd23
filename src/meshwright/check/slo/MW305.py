from __future__ import annotations

import itertools
from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.units import format_duration


class LatencyPercentilesOutOfOrder(Rule):
    """Latency objectives contradict each other (p50 > p95 or p95 > p99).

    **Anti-pattern**

    ```yaml
    services:
      cart: {slo: {latency: {p50: 200ms, p99: 100ms}}}
    ```

    **Best practice**

    ```yaml
    services:
      cart: {slo: {latency: {p50: 50ms, p99: 200ms}}}
    ```
    """

    code = "MW305"
    name = "slo.latency-percentiles-out-of-order"
    severity = Severity.error
    rationale = "A higher percentile can never be faster than a lower one; one of the objectives is a typo."
    fix = "Order the objectives: p50 ≤ p95 ≤ p99."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            lat = svc.slo.latency if svc.slo else None
            if lat is None:
                continue
            levels = (("p50", lat.p50), ("p95", lat.p95), ("p99", lat.p99))
            given = [(k, v) for k, v in levels if v is not None]
            for (lo, lv), (hi, hv) in itertools.pairwise(given):
                if lv > hv:
                    yield Hit(
                        ("services", sname, "slo", "latency", hi),
                        f"{sname}: latency {lo} {format_duration(lv)} is above {hi} {format_duration(hv)}",
                    )
