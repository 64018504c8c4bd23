"""The ``observability`` emit target: every file of this package, chosen by
``platform.telemetry``."""

from __future__ import annotations

import json

from meshwright.emit.observability import (
    alertmanager,
    fluent_bit,
    grafana,
    logs,
    network,
    openslo,
    prometheus_rules,
    promtool_tests,
    runbooks,
    summary,
    tracing,
)
from meshwright.emit.observability.service_monitors import monitored, scraped_services, service_monitor
from meshwright.emit.registry import target
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump, dump_all
from meshwright.model.types import Model
from meshwright.pipeline import Artifact

KUBERNETES_FILES = frozenset(
    {
        "prometheus/servicemonitors.yaml",
        "prometheus/prometheusrules.yaml",
        "alertmanager/alertmanagerconfig.yaml",
        "grafana/grafanadashboards.yaml",
        "tracing/opentelemetrycollector.yaml",
        "tracing/jaeger.yaml",
        "logging/fluent-bit.yaml",
        "logging/eck.yaml",
        "kubernetes/network-policies.yaml",
    }
)
"""Files of Kubernetes resources, listed in ``kustomization.yaml`` (``kubectl apply -k``)."""


def prometheus_files(model: Model) -> list[Artifact]:
    """ServiceMonitors, rule files with their promtool tests, PrometheusRules,
    Alertmanager configuration and runbooks."""
    slos = prometheus_rules.slo_rules(model)
    monitors = dump_all(service_monitor(model, n) for n in scraped_services(model))
    out = [Artifact("prometheus/servicemonitors.yaml", monitors)]
    for rules in slos:
        rule_file = f"{rules.name}.rules.yaml"
        out.append(Artifact(f"prometheus/rules/{rule_file}", dump(prometheus_rules.rule_file(rules))))
        out.append(
            Artifact(
                f"prometheus/rules/{rules.name}.test.yaml", dump(promtool_tests.test_file(rules, rule_file))
            )
        )
        out.append(Artifact(prometheus_rules.runbook_path(rules), runbooks.runbook(rules)))
    if slos:
        out.append(
            Artifact(
                "prometheus/prometheusrules.yaml",
                dump_all(prometheus_rules.prometheus_rule(model, r) for r in slos),
            )
        )
        for service, docs in openslo.documents(model, slos).items():
            out.append(Artifact(f"openslo/{dns_name(service)}.yaml", dump_all(docs)))
        out.append(Artifact("alertmanager/alertmanager.yml", dump(alertmanager.alertmanager_config())))
        out.append(
            Artifact("alertmanager/alertmanagerconfig.yaml", dump(alertmanager.alertmanager_resource(model)))
        )
    return out


def grafana_files(model: Model) -> list[Artifact]:
    """Dashboards as JSON and as GrafanaDashboard resources, and provisioning files."""
    slos = prometheus_rules.slo_rules(model)
    boards = grafana.dashboards(model, monitored(model), slos)
    out = [Artifact(f"grafana/dashboards/{f}", grafana.dashboard_text(d)) for f, d in boards.items()]
    out.append(
        Artifact(
            "grafana/grafanadashboards.yaml",
            dump_all(grafana.dashboard_resource(model, f, d) for f, d in boards.items()),
        )
    )
    out.append(
        Artifact("grafana/provisioning/datasources/prometheus.yaml", dump(grafana.datasource_provisioning()))
    )
    out.append(
        Artifact("grafana/provisioning/dashboards/meshwright.yaml", dump(grafana.dashboard_provisioning()))
    )
    return out


def tracing_files(model: Model) -> list[Artifact]:
    """The collector's configuration and resource, and a Jaeger resource for jaeger."""
    out = [
        Artifact("tracing/otel-collector.yaml", dump(tracing.collector_config(model))),
        Artifact("tracing/opentelemetrycollector.yaml", dump(tracing.collector_resource(model))),
    ]
    if model.platform.telemetry.tracing == "jaeger":
        out.append(Artifact("tracing/jaeger.yaml", dump(tracing.jaeger_resource(model))))
    return out


def logging_files(model: Model) -> list[Artifact]:
    """Fluent Bit configuration and DaemonSet, index template, ILM policy and ECK resources."""
    return [
        Artifact("logging/fluent-bit.conf", logs.fluent_bit_config(model)),
        Artifact("logging/fluent-bit.yaml", dump_all(fluent_bit.objects(model))),
        Artifact("logging/index-template.json", _json(logs.index_template(model))),
        Artifact("logging/ilm-policy.json", _json(logs.ilm_policy(model))),
        Artifact(
            "logging/eck.yaml",
            dump_all([logs.elasticsearch_resource(model), logs.kibana_resource(model)]),
        ),
    ]


def _json(data: object) -> str:
    return json.dumps(data, indent=2) + "\n"


@target("observability", "SLO rules and burn-rate alerts, ServiceMonitors, dashboards, tracing, logging")
def emit(model: Model) -> list[Artifact]:
    """The observability files ``platform.telemetry`` selects."""
    telemetry = model.platform.telemetry
    out: list[Artifact] = []
    if telemetry.metrics == "prometheus":
        out += prometheus_files(model)
        out.append(Artifact("metrics-contract.yaml", dump(summary.metrics_contract(model))))
        out.append(Artifact("README.md", summary.readme(model, prometheus_rules.slo_rules(model))))
        if telemetry.dashboards == "grafana":
            out += grafana_files(model)
    if telemetry.tracing != "none":
        out += tracing_files(model)
    if telemetry.logs == "elasticsearch":
        out += logging_files(model)
    policies = network.policies(model)
    if policies:
        out.append(Artifact("kubernetes/network-policies.yaml", dump_all(policies)))
    resources = [a.path for a in out if a.path in KUBERNETES_FILES]
    if resources:
        kustomization = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": sorted(resources),
        }
        out.append(Artifact("kustomization.yaml", dump(kustomization)))
    return sorted(out, key=lambda a: a.path)
