from __future__ import annotations

from collections.abc import Iterator

from meshwright.analysis.wording import plural
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.wording import percent_above, rates_apart


class CertainOverload(Rule):
    """A service's replicas × concurrency cannot serve the load the entrypoints send.

    **Anti-pattern**

    ```yaml
    entrypoints: [{operation: api.Get, rate: 500/s}]
    services:
      api:
        runtime: {replicas: 1, concurrency: 4}
        apis: [{name: Api, port: 80, operations: {Get: {service_time: 20ms}}}]
    ```

    **Best practice**

    ```yaml
    entrypoints: [{operation: api.Get, rate: 500/s}]
    services:
      api:
        runtime: {replicas: 2, concurrency: 16}
        apis: [{name: Api, port: 80, operations: {Get: {service_time: 20ms}}}]
    ```
    """

    code = "MW605"
    name = "operations.certain-overload"
    severity = Severity.error
    rationale = (
        "Each request holds a concurrency slot for its operation's time; when requests arrive "
        "faster than replicas × concurrency slots free up (utilization ≥ 100 %), the queue "
        "grows without bound: latency climbs until requests time out, whatever the timeouts."
    )
    fix = "Raise `runtime.replicas` (or `concurrency`), or cut the time each request holds a slot."
    references = ("Harchol-Balter, Performance Modeling and Design of Computer Systems, ch. 14 (M/M/k)",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, cap in ctx.capacity.items():
            if cap.arrival_rate <= 0 or not cap.overloaded or cap.servers == 0:
                continue  # no servers at all is MW612's finding
            need = f"; it needs {plural(cap.replicas_needed, 'replica')}" if cap.replicas_needed else ""
            receives, serves = rates_apart(cap.arrival_rate, cap.servers / cap.holding_time)
            yield Hit(
                ("services", sname, "runtime"),
                f"{sname} receives {receives} but {plural(cap.replicas, 'replica')} × "
                f"{ctx.model.services[sname].runtime.concurrency} concurrency serve at most "
                f"{serves} (utilization {percent_above(cap.queue.utilisation * 100)} %){need}",
            )
