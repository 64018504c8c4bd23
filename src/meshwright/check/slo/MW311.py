from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.emit.conventions import METRICS_PORT_ENV, metrics_port
from meshwright.emit.telemetry_env import telemetry_env


class MetricsPortSetInConfig(Rule):
    """A service's `config` sets the metrics port, or (with telemetry selected) an
    OpenTelemetry variable, that the platform sets itself (`METRICS_PORT`, `OTEL_*`): the
    generated value wins, so the image is told another port (or exporter) than the one
    declared, and Prometheus scrapes a port where the service serves no metrics.

    **Anti-pattern**

    ```yaml
    services:
      api:
        apis: [{name: A, port: 80, operations: {Get: {}}}]
        config: {METRICS_PORT: "8081"}
    ```

    **Best practice**

    ```yaml
    services:
      api:
        apis: [{name: A, port: 80, operations: {Get: {}}}]
        runtime: {metrics_port: 8081}
    ```
    """

    code = "MW311"
    name = "slo.metrics-port-in-config"
    severity = Severity.warning
    rationale = (
        "Every workload serves /healthz and /metrics on `runtime.metrics_port`; the "
        "ServiceMonitors, the compose Prometheus and the network policies scrape that port, "
        "and the Deployments and compose set `METRICS_PORT` and the `OTEL_*` variables from "
        "the model. A `config` entry of the same name is overridden, so what it asks for "
        "never happens: the service has no metrics port where it is scraped."
    )
    fix = (
        "Remove the entry from `config` and set `runtime.metrics_port` (for the port) or "
        "`platform.telemetry` (for exporters and tracing)."
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            generated = {METRICS_PORT_ENV: str(metrics_port(svc)), **telemetry_env(ctx.model, sname)}
            for key, value in svc.config.items():
                if key in generated and generated[key] != value:
                    yield Hit(
                        ("services", sname, "config", key),
                        f"{sname} sets {key}={value!r} in config, but the platform sets "
                        f"{key}={generated[key]!r} (from the model) and that wins",
                    )
