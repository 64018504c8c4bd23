"""`emit observability`: SLO rules proven by promtool, Alertmanager config by amtool, every
custom resource by its schema, dashboards by the SDK and promtool, OpenSLO by a round trip."""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from grafana_foundation_sdk.models.dashboard import Dashboard
from typer.testing import CliRunner

from emit.helpers import HERE, write
from meshwright.analysis.slo_math import DAY, alerts, objectives
from meshwright.cli import app
from meshwright.emit.observability import emit
from meshwright.emit.observability.openslo import load_openslo
from meshwright.emit.observability.prometheus_rules import ABSENT_FOR
from meshwright.emit.yamltext import dump, load_all
from meshwright.errors import ModelError
from meshwright.model import Model, load_model, load_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCHEMAS = HERE / "schemas" / "observability"
SCHEMA_OF = {
    "ServiceMonitor": "servicemonitor_v1.json",
    "PrometheusRule": "prometheusrule_v1.json",
    "AlertmanagerConfig": "alertmanagerconfig_v1alpha1.json",
    "GrafanaDashboard": "grafanadashboard_v1beta1.json",
    "OpenTelemetryCollector": "opentelemetrycollector_v1beta1.json",
    "Jaeger": "jaeger_v1.json",
    "Elasticsearch": "elasticsearch_v1.json",
    "Kibana": "kibana_v1.json",
}

CORE_KINDS = {
    "ConfigMap",
    "NetworkPolicy",
    "Namespace",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "DaemonSet",
}
"""Kubernetes' own kinds, validated by kubernetes-validate (the Kubernetes target's tool)."""

EDGE_MODEL = """
meshwright: 1
system: edge
platform:
  telemetry:
    {metrics: prometheus, dashboards: grafana, tracing: zipkin, logs: elasticsearch, log_retention: 14d}
services:
  api:
    apis:
      - {name: Api, protocol: http, port: 8080, operations: {Get: {}}}
      - {name: Rpc, protocol: grpc, port: 9000, operations: {Put: {}}}
    slo: {availability: 99.5, latency: {p50: 20ms, p95: 120ms}, window: 7d, min_bad_requests: 3}
  worker:
    apis:
      - {name: Events, protocol: event, operations: {Handle: {}}}
    slo: {availability: 99.9}
"""


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: run .ci/install-system-packages.sh (Debian package prometheus)"
        )
    return path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def shop() -> Model:
    return load_model(EXAMPLES / "shop").model


@pytest.fixture(scope="module")
def shop_out(shop: Model, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("observability"), emit(shop))


@pytest.fixture(scope="module")
def edge() -> Model:
    return load_text(EDGE_MODEL).model


@pytest.fixture(scope="module")
def edge_out(edge: Model, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("edge"), emit(edge))


def test_shop_golden_files_include_observability() -> None:
    """The golden files of examples/shop (tests/emit/golden/shop, compared by test_examples)
    hold this target's output under observability/."""
    root = HERE / "golden" / "shop" / "observability"
    assert (root / "prometheus" / "rules" / "checkout-availability.rules.yaml").is_file()
    assert (root / "grafana" / "dashboards" / "slo.json").is_file()


# --------------------------------------------------------------------------- promtool


@pytest.mark.parametrize("out_name", ["shop_out", "edge_out"])
def test_promtool_checks_every_rule_file(out_name: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(out_name)
    files = sorted((out / "prometheus" / "rules").glob("*.rules.yaml"))
    assert files
    # The PrometheusRule resources carry the same groups: check them as rule files too.
    for i, obj in enumerate(load_all((out / "prometheus" / "prometheusrules.yaml").read_text())):
        extracted = out / f"prometheusrule-{i}.yaml"
        extracted.write_text(dump({"groups": obj["spec"]["groups"]}))
        files.append(extracted)
    result = run(tool("promtool"), "check", "rules", *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr


def _promtool_tests(rules_dir: Path) -> list[tuple[str, subprocess.CompletedProcess[str]]]:
    promtool = tool("promtool")
    files = sorted(rules_dir.glob("*.test.yaml"))
    assert files
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda f: run(promtool, "test", "rules", f.name, cwd=rules_dir), files))
    return [(f.name, r) for f, r in zip(files, results, strict=True)]


@pytest.mark.parametrize("out_name", ["shop_out", "edge_out"])
def test_every_alert_fires_at_its_burn_rate_and_not_below(
    out_name: str, request: pytest.FixtureRequest
) -> None:
    out: Path = request.getfixturevalue(out_name)
    for name, result in _promtool_tests(out / "prometheus" / "rules"):
        assert result.returncode == 0, f"{name}:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("out_name", ["shop_out", "edge_out"])
def test_every_evaluation_time_is_an_evaluation(out_name: str, request: pytest.FixtureRequest) -> None:
    """The test files' evaluation interval is coarse (promtool's time goes with the number
    of evaluations: 5m here, not the server's 30s) but lands on every case's evaluation time
    and on the absent alert's ``for``, so each check reads an evaluation made at that time."""
    out: Path = request.getfixturevalue(out_name)
    for path in sorted((out / "prometheus" / "rules").glob("*.test.yaml")):
        doc = load_all(path.read_text())[0]
        step = int(doc["evaluation_interval"].removesuffix("m"))
        times = [int(t["eval_time"].removesuffix("m")) for c in doc["tests"] for t in c["alert_rule_test"]]
        times.append(int(ABSENT_FOR.removesuffix("m")))
        assert step == 5 and all(t % step == 0 for t in times), (path.name, step, times)


def test_generated_tests_catch_a_wrong_threshold(shop_out: Path, tmp_path: Path) -> None:
    """The promtool tests can fail: an alert threshold 3 % too high is caught."""
    src = shop_out / "prometheus" / "rules"
    rules = (src / "checkout-availability.rules.yaml").read_text()
    assert "> 0.0144 and" in rules
    (tmp_path / "checkout-availability.rules.yaml").write_text(rules.replace("> 0.0144", "> 0.014832"))
    shutil.copy(src / "checkout-availability.test.yaml", tmp_path)
    result = run(tool("promtool"), "test", "rules", "checkout-availability.test.yaml", cwd=tmp_path)
    assert result.returncode != 0
    assert "page-1h fires" in result.stdout + result.stderr


def test_low_traffic_guard_is_what_keeps_a_trickle_of_failures_silent(shop_out: Path, tmp_path: Path) -> None:
    """Without the guard, the generated low-traffic case fails: one bad request in 5m of a
    quiet service (a 100 % error ratio) would page."""
    src = shop_out / "prometheus" / "rules"
    rules = (src / "checkout-availability.rules.yaml").read_text()
    guard = ' and slo:sli_bad_requests:increase5m{slo="checkout-availability"} >= 5'
    assert rules.count(guard) == 1, rules
    (tmp_path / "checkout-availability.rules.yaml").write_text(rules.replace(guard, ""))
    shutil.copy(src / "checkout-availability.test.yaml", tmp_path)
    result = run(tool("promtool"), "test", "rules", "checkout-availability.test.yaml", cwd=tmp_path)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "low traffic: every request fails" in out and "page-1h" in out


def test_burn_alerts_of_a_30_day_slo_are_the_workbooks(shop_out: Path) -> None:
    group = load_all((shop_out / "prometheus/rules/checkout-availability.rules.yaml").read_text())[0][
        "groups"
    ][0]
    found = {
        (r["labels"]["long_window"], r["labels"]["short_window"], r["labels"]["severity"]): r["expr"]
        for r in group["rules"]
        if r.get("alert") == "SLOErrorBudgetBurn"
    }
    sel = '{slo="checkout-availability"}'

    def expr(long: str, short: str, threshold: str) -> str:
        return (
            f"slo:sli_error:ratio_rate{long}{sel} > {threshold} and "
            f"slo:sli_error:ratio_rate{short}{sel} > {threshold} and "
            f"slo:sli_bad_requests:increase{short}{sel} >= 5"  # the low-traffic guard
        )

    assert found == {
        ("1h", "5m", "page"): expr("1h", "5m", "0.0144"),
        ("6h", "30m", "page"): expr("6h", "30m", "0.006"),
        ("1d", "2h", "ticket"): expr("1d", "2h", "0.003"),
        ("3d", "6h", "ticket"): expr("3d", "6h", "0.001"),
    }
    records = [r["record"] for r in group["rules"] if "record" in r]
    windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
    assert records[: len(windows)] == [f"slo:sli_error:ratio_rate{w}" for w in windows]
    absent = [r for r in group["rules"] if r.get("alert") == "SLOMetricsAbsent"]
    assert len(absent) == 1 and absent[0]["for"] == "10m"
    for r in group["rules"]:
        if "alert" in r:
            assert r["annotations"]["runbook_url"].startswith("runbooks/checkout-availability.md#")


@pytest.mark.parametrize("out_name", ["shop_out", "edge_out"])
def test_every_runbook_url_resolves_to_a_section(out_name: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(out_name)
    seen = 0
    for path in sorted((out / "prometheus" / "rules").glob("*.rules.yaml")):
        for rule in load_all(path.read_text())[0]["groups"][0]["rules"]:
            if "alert" not in rule:
                continue
            page, _, anchor = rule["annotations"]["runbook_url"].partition("#")
            text = (out / page).read_text()
            assert f"\n## {anchor}\n" in text, (path.name, anchor)
            seen += 1
    assert seen


def test_latency_sli_reads_the_bucket_at_the_threshold(shop_out: Path) -> None:
    text = (shop_out / "prometheus/rules/catalog-latency-p99.rules.yaml").read_text()
    assert 'le=~\\"150|150.0\\"' in text or 'le=~"150|150.0"' in text  # gRPC: milliseconds


def test_slo_math_scales_factors_to_the_window(edge: Model) -> None:
    api = edge.services["api"].slo
    assert api is not None
    objs = {o.name: o for o in objectives("api", api)}
    kept, omitted = alerts(objs["api-availability"])
    assert [round(a.factor, 4) for a in kept] == [3.36, 1.4, 0.7, round(0.1 * 7 / 3, 4)]
    assert omitted == []
    kept, omitted = alerts(objs["api-latency-p50"])  # budget 0.5: a 3.36x burn needs 168 % slow
    assert [a.window.name for a in kept] == ["page-6h", "ticket-1d", "ticket-3d"]
    assert [o.window.name for o in omitted] == ["page-1h"]
    short = objectives("api", api.model_copy(update={"window": 2 * DAY}))[0]
    assert [o.window.name for o in alerts(short)[1]] == ["ticket-3d"]


def test_an_slo_of_a_service_without_metrics_gets_no_rules(edge_out: Path) -> None:
    names = {p.name for p in (edge_out / "prometheus" / "rules").iterdir()}
    assert not any(n.startswith("worker") for n in names)
    assert "api-latency-p95.rules.yaml" in names


# --------------------------------------------------------------------------- alertmanager


def test_amtool_accepts_the_alertmanager_config(shop_out: Path) -> None:
    result = run(tool("amtool"), "check-config", str(shop_out / "alertmanager" / "alertmanager.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_page_inhibits_the_tickets_of_the_same_slo(shop_out: Path) -> None:
    config = load_all((shop_out / "alertmanager" / "alertmanager.yml").read_text())[0]
    first = config["inhibit_rules"][0]
    assert 'severity="page"' in first["source_matchers"]
    assert 'severity="ticket"' in first["target_matchers"]
    assert first["equal"] == ["slo"]
    # amtool proves a firing page mutes a ticket with the same slo label.
    result = run(
        tool("amtool"),
        "config",
        "routes",
        "test",
        "--config.file",
        str(shop_out / "alertmanager" / "alertmanager.yml"),
        "alertname=SLOErrorBudgetBurn",
        "severity=page",
    )
    assert result.returncode == 0 and "slo-page" in result.stdout, result.stdout + result.stderr


# --------------------------------------------------------------------------- schemas


def _resources(out: Path) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(out.rglob("*.yaml")):
        if "rules" in path.parts or "openslo" in path.parts or "provisioning" in path.parts:
            continue
        docs += [d for d in load_all(path.read_text()) if isinstance(d, dict) and "kind" in d]
    return docs


@pytest.mark.parametrize("out_name", ["shop_out", "edge_out"])
def test_every_custom_resource_matches_its_schema(out_name: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(out_name)
    import kubernetes_validate

    kinds = set()
    for obj in _resources(out):
        if obj["kind"] == "Kustomization":
            continue  # kubectl kustomize renders it (test_kustomization_renders_every_resource)
        if obj["kind"] in CORE_KINDS:
            kubernetes_validate.validate(obj, kubernetes_validate.latest_version(), strict=True)
            continue
        schema = json.loads((SCHEMAS / SCHEMA_OF[obj["kind"]]).read_text())
        jsonschema.validators.validator_for(schema)(schema).validate(obj)
        kinds.add(obj["kind"])
    expected = set(SCHEMA_OF) - ({"Jaeger"} if out_name == "edge_out" else set())
    assert kinds == expected


def test_fluent_bit_daemon_set_runs_with_its_config_rbac_and_credentials(shop: Model, shop_out: Path) -> None:
    """The DaemonSet mounts the generated configuration, the paths the configuration names
    (tail database, CA) and the host's logs; its ServiceAccount may read exactly the pods of
    the system's namespace; it may reach Elasticsearch through the default-deny."""
    from meshwright.emit.kubernetes.labels import namespace

    objs = {
        (o["kind"], o["metadata"]["name"]): o
        for o in load_all((shop_out / "logging/fluent-bit.yaml").read_text())
    }
    ns, logging_ns = namespace(shop), f"{namespace(shop)}-logging"
    assert (
        objs["Namespace", logging_ns]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
        == "privileged"
    )
    ds = objs["DaemonSet", "fluent-bit"]
    cm = objs["ConfigMap", "fluent-bit-config"]
    assert ds["metadata"]["namespace"] == cm["metadata"]["namespace"] == logging_ns
    pod = ds["spec"]["template"]["spec"]
    assert (
        ds["spec"]["selector"]["matchLabels"].items() <= ds["spec"]["template"]["metadata"]["labels"].items()
    )
    [container] = pod["containers"]
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert set(mounts) == set(volumes)
    assert volumes[mounts["config"]["name"]]["configMap"]["name"] == "fluent-bit-config"
    assert mounts["config"]["mountPath"] == "/fluent-bit/etc/"
    conf = cm["data"]["fluent-bit.conf"]
    assert conf == (shop_out / "logging/fluent-bit.conf").read_text()

    def setting(key: str) -> str:
        [value] = [line.split(None, 1)[1] for line in conf.splitlines() if line.split()[:1] == [key]]
        return value

    assert setting("DB").startswith(mounts["state"]["mountPath"] + "/")
    assert volumes["state"]["hostPath"]["path"] == mounts["state"]["mountPath"]
    assert setting("tls.ca_file") == mounts["es-ca"]["mountPath"] + "/ca.crt"
    assert setting("Path").startswith(mounts["varlog"]["mountPath"] + "/containers/")
    assert mounts["varlog"]["readOnly"] is True and container["securityContext"]["readOnlyRootFilesystem"]
    assert setting("Host") == f"logs-es-http.{ns}.svc"  # ECK's HTTP Service, across namespaces
    [env] = container["env"]
    assert env["name"] == "ELASTICSEARCH_PASSWORD" and "${ELASTICSEARCH_PASSWORD}" in conf
    assert env["valueFrom"]["secretKeyRef"]["name"] == volumes["es-ca"]["secret"]["secretName"]
    # RBAC of the kubernetes filter: read pods of the system's namespace, nothing else.
    role, binding = objs["Role", "fluent-bit"], objs["RoleBinding", "fluent-bit"]
    assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == ns
    assert role["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": pod["serviceAccountName"], "namespace": logging_ns}
    ]
    assert objs["ServiceAccount", pod["serviceAccountName"]]["metadata"]["namespace"] == logging_ns
    policy = objs["NetworkPolicy", "allow-fluent-bit-to-elasticsearch"]["spec"]
    [peer] = policy["ingress"][0]["from"]
    assert peer["podSelector"]["matchLabels"].items() <= ds["spec"]["template"]["metadata"]["labels"].items()
    assert policy["ingress"][0]["ports"] == [{"port": int(setting("Port")), "protocol": "TCP"}]


def test_a_service_monitor_per_service_on_the_metrics_port(shop: Model, shop_out: Path) -> None:
    """Every workload, the event consumer ``notification`` too, is scraped: its
    ServiceMonitor selects the Kubernetes Service of ``emit kubernetes`` that carries the
    port named ``metrics`` at ``runtime.metrics_port``."""
    from meshwright.emit.conventions import metrics_port
    from meshwright.emit.kubernetes.labels import namespace
    from meshwright.emit.kubernetes.workload import service
    from meshwright.emit.registry import network_view

    platform = network_view(shop)  # what the emitters see
    monitors = {
        m["metadata"]["name"]: m
        for m in load_all((shop_out / "prometheus" / "servicemonitors.yaml").read_text())
    }
    assert not any(a.networked for a in shop.services["notification"].apis)  # events only
    assert sorted(monitors) == sorted(shop.services)
    for name, svc in platform.services.items():
        monitor = monitors[name]
        k8s = service(platform, name, svc)
        assert k8s is not None
        labels = k8s["metadata"]["labels"]
        assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert monitor["spec"]["namespaceSelector"]["matchNames"] == [namespace(shop)]  # kustomize's
        [endpoint] = monitor["spec"]["endpoints"]
        [port] = [p for p in k8s["spec"]["ports"] if p["name"] == endpoint["port"]]
        assert port["port"] == metrics_port(svc)
    contract = load_all((shop_out / "metrics-contract.yaml").read_text())[0]["services"]
    assert contract["notification"] == {
        "endpoint": {"port": 9090, "port_name": "metrics", "path": "/metrics"},
        "histograms": [],
    }


# --------------------------------------------------------------------------- grafana


def test_dashboards_are_valid_and_their_queries_parse(shop_out: Path, tmp_path: Path) -> None:
    boards = sorted((shop_out / "grafana" / "dashboards").glob("*.json"))
    assert {b.name for b in boards} >= {"overview.json", "slo.json", "red-checkout.json"}
    rules = []
    uids = set()
    for board in boards:
        data = json.loads(board.read_text())
        Dashboard.from_json(data)  # the SDK's model reads it back
        uids.add(data["uid"])
        for panel in data["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"].replace("$__rate_interval", "5m")
                rules.append({"record": f"dashboard:{len(rules)}", "expr": expr})
    assert len(uids) == len(boards)
    (tmp_path / "dashboards.rules.yaml").write_text(
        dump({"groups": [{"name": "dashboards", "rules": rules}]})
    )
    result = run(tool("promtool"), "check", "rules", str(tmp_path / "dashboards.rules.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboards_and_rules_use_the_same_metric_names(shop_out: Path) -> None:
    red = (shop_out / "grafana" / "dashboards" / "red-checkout.json").read_text()
    rules = (shop_out / "prometheus" / "rules" / "checkout-availability.rules.yaml").read_text()
    for name in ("rpc_server_duration_milliseconds_count", "rpc_grpc_status_code"):
        assert name in red and name in rules
    red_http = (shop_out / "grafana" / "dashboards" / "red-web-bff.json").read_text()
    assert "http_server_request_duration_seconds_bucket" in red_http


# --------------------------------------------------------------------------- openslo


@pytest.mark.parametrize("model_name", ["shop", "edge"])
def test_openslo_round_trip(model_name: str, request: pytest.FixtureRequest) -> None:
    model: Model = request.getfixturevalue(model_name)
    out: Path = request.getfixturevalue(f"{model_name}_out")
    imported: dict[str, Any] = {}
    for path in sorted((out / "openslo").glob("*.yaml")):
        for doc in load_all(path.read_text()):
            assert doc["apiVersion"] == "openslo/v1"
        imported |= load_openslo(path)
    expected = {
        n: s.slo for n, s in model.services.items() if s.slo is not None and any(a.networked for a in s.apis)
    }
    assert imported == expected


def test_openslo_from_another_tool_imports_by_its_le_matcher(tmp_path: Path) -> None:
    doc = """
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-latency}
spec:
  service: api
  timeWindow: [{duration: 4w, isRolling: true}]
  budgetingMethod: Occurrences
  indicator:
    metadata: {name: api-latency}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec: {query: 'sum(rate(http_request_duration_seconds_bucket{le="0.25"}[5m]))'}
        total:
          metricSource:
            type: Prometheus
            spec: {query: 'sum(rate(http_request_duration_seconds_count[5m]))'}
  objectives: [{target: 0.95}]
"""
    (tmp_path / "slo.yaml").write_text(doc)
    slo = load_openslo(tmp_path / "slo.yaml")["api"]
    assert slo.latency is not None and slo.latency.p95 == 0.25
    assert slo.window == 28 * DAY and slo.availability is None


def test_openslo_errors_are_located(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\n"
        "spec:\n  service: a\n  objectives:\n    - target: 0.97\n"
        "  indicator: {spec: {ratioMetric: {good: {metricSource: {spec: {query: 'x{le=\"1\"}'}}}}}}\n"
    )
    with pytest.raises(ModelError) as err:
        load_openslo(tmp_path / "bad.yaml")
    assert "bad.yaml:7:7" in str(err.value) and "p50, p95, p99" in str(err.value)


def test_cli_imports_openslo_into_slo_blocks(shop_out: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["import", "openslo", str(shop_out / "openslo" / "checkout.yaml"), "--model", str(EXAMPLES / "shop")],
    )
    assert result.exit_code == 0, result.output
    assert load_all(result.output)[0] == {
        "services": {"checkout": {"slo": {"availability": 99.9, "latency": {"p99": "1.5s"}, "window": "30d"}}}
    }
    bad = CliRunner().invoke(
        app,
        [
            "import",
            "openslo",
            str(shop_out / "openslo" / "checkout.yaml"),
            "--model",
            str(HERE / "model.yaml"),
        ],
    )
    assert bad.exit_code in (0, 2)


# --------------------------------------------------------------------------- tracing, logging


def test_collector_tail_samples_errors_and_slow_traces(shop_out: Path, edge_out: Path) -> None:
    config = load_all((shop_out / "tracing" / "otel-collector.yaml").read_text())[0]
    assert "jaeger" not in config["exporters"]  # the removed exporter: OTLP to Jaeger instead
    assert config["exporters"]["otlp/jaeger"]["endpoint"] == "jaeger-collector:4317"
    policies = {p["name"]: p for p in config["processors"]["tail_sampling"]["policies"]}
    assert policies["errors"]["status_code"]["status_codes"] == ["ERROR"]
    assert policies["slow-checkout"]["and"]["and_sub_policy"][1]["latency"]["threshold_ms"] == 1500
    assert config["service"]["pipelines"]["traces"]["processors"] == [
        "memory_limiter",
        "tail_sampling",
        "batch",
    ]
    zipkin = load_all((edge_out / "tracing" / "otel-collector.yaml").read_text())[0]
    assert list(zipkin["exporters"]) == ["zipkin"]
    assert (
        load_all((edge_out / "tracing" / "otel-collector.yaml").read_text())[0]["processors"][
            "tail_sampling"
        ]["policies"][1]["and"]["and_sub_policy"][1]["latency"]["threshold_ms"]
        == 20
    )


def test_deployments_carry_the_otel_environment(shop: Model) -> None:
    from meshwright.emit.kubernetes.workload import deployment

    env = {
        e["name"]: e.get("value")
        for e in deployment(shop, "checkout", shop.services["checkout"])["spec"]["template"]["spec"][
            "containers"
        ][0]["env"]
    }
    assert env["OTEL_SERVICE_NAME"] == "checkout"
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4317"
    assert env["OTEL_EXPORTER_PROMETHEUS_PORT"] == "9090"
    quiet = shop.model_copy(
        update={
            "platform": shop.platform.model_copy(
                update={
                    "telemetry": shop.platform.telemetry.model_copy(
                        update={"metrics": "none", "tracing": "none"}
                    )
                }
            )
        }
    )
    env = deployment(quiet, "checkout", quiet.services["checkout"])["spec"]["template"]["spec"]["containers"][
        0
    ]["env"]
    assert not any(e["name"].startswith("OTEL_") for e in env)


def test_fluent_bit_writes_es8_with_ecs_fields_and_retention(shop_out: Path, edge_out: Path) -> None:
    conf = (shop_out / "logging" / "fluent-bit.conf").read_text()
    assert "Suppress_Type_Name On" in conf
    assert "Rename             log message" in conf or "log message" in conf
    assert "label_app.kubernetes.io/name service.name" in conf
    ilm = json.loads((edge_out / "logging" / "ilm-policy.json").read_text())
    assert ilm["policy"]["phases"]["delete"]["min_age"] == "14d"
    template = json.loads((edge_out / "logging" / "index-template.json").read_text())
    assert template["template"]["settings"]["index.lifecycle.name"] == "edge-logs"


def test_telemetry_none_emits_nothing() -> None:
    model = load_text(
        EDGE_MODEL.replace(
            "\n    {metrics: prometheus, dashboards: grafana, tracing: zipkin, logs: elasticsearch,"
            " log_retention: 14d}",
            " {metrics: none, dashboards: none, tracing: none, logs: none}",
        )
    ).model
    assert emit(model) == []


def test_kustomization_renders_every_resource(shop_out: Path) -> None:
    from emit.helpers import kubectl_kustomize

    objects = kubectl_kustomize(shop_out)
    kinds = {o["kind"] for o in objects}
    assert kinds == set(SCHEMA_OF) | CORE_KINDS


def test_network_policies_open_only_the_telemetry_paths(shop_out: Path, edge_out: Path) -> None:
    import kubernetes_validate

    policies = load_all((shop_out / "kubernetes" / "network-policies.yaml").read_text())
    for policy in policies:
        kubernetes_validate.validate(policy, kubernetes_validate.latest_version(), strict=True)
    by_name = {p["metadata"]["name"]: p["spec"] for p in policies}
    assert by_name["allow-metrics-scrape"]["ingress"][0]["ports"] == [{"port": 9090, "protocol": "TCP"}]
    assert by_name["allow-otlp-to-collector"]["egress"][0]["ports"] == [{"port": 4317, "protocol": "TCP"}]
    zipkin = {
        p["metadata"]["name"]: p["spec"]
        for p in load_all((edge_out / "kubernetes/network-policies.yaml").read_text())
    }
    assert zipkin["allow-collector"]["egress"][1]["ports"] == [{"port": 9411, "protocol": "TCP"}]


def test_every_latency_threshold_is_a_bucket_boundary(shop: Model, shop_out: Path) -> None:
    contract = load_all((shop_out / "metrics-contract.yaml").read_text())[0]["services"]
    checked = 0
    for name, svc in shop.services.items():
        if svc.slo is None or svc.slo.latency is None or svc.slo.latency.p99 is None:
            continue
        for histogram in contract[name]["histograms"]:
            scale = 1000.0 if histogram["unit"] == "ms" else 1.0
            assert round(svc.slo.latency.p99 * scale, 9) in histogram["bucket_boundaries"]
            checked += 1
    assert checked >= 4
    assert 0.15 in contract["catalog"]["histograms"][0]["bucket_boundaries"]  # not an OTel default


def test_cli_emits_observability(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app, ["emit", "observability", str(EXAMPLES / "shop"), "-o", str(tmp_path), "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    files = json.loads(done.output)["files"]
    assert "prometheus/rules/checkout-availability.test.yaml" in files
    assert (tmp_path / "grafana" / "dashboards" / "slo.json").is_file()


def _openslo_validator() -> Any:
    from referencing import Registry, Resource

    folder = HERE / "schemas" / "openslo"
    resources = [Resource.from_contents(json.loads(p.read_text())) for p in folder.glob("*.schema.json")]
    registry: Registry[Any] = Registry().with_resources((r.id(), r) for r in resources if r.id())
    schema = {
        "allOf": [
            {"$ref": "https://openslo.com/schemas/v1/parts/metadata.schema.json"},
            {"$ref": "https://openslo.com/schemas/v1/parts/slo-spec.schema.json"},
        ]
    }
    return jsonschema.Draft7Validator(schema, registry=registry)


@pytest.mark.parametrize("out_name", ["shop_out", "edge_out"])
def test_openslo_documents_match_the_openslo_schema(out_name: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(out_name)
    validator = _openslo_validator()
    slos = [
        d
        for p in sorted((out / "openslo").glob("*.yaml"))
        for d in load_all(p.read_text())
        if d["kind"] == "SLO"
    ]
    assert slos
    for doc in slos:
        validator.validate(doc)
    broken = {**slos[0], "spec": {**slos[0]["spec"], "budgetingMethod": "Sometimes"}}
    assert not validator.is_valid(broken)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  objectives: [{target: high}]\n", "is not a ratio"),
        ("  objectives: [oops]\n", "exactly one objective"),
        ("  objectives: [{target: 0.9}, {target: 0.99}]\n", "exactly one objective"),
    ],
)
def test_hostile_openslo_is_a_located_error(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "x.yaml").write_text(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: a\n" + body
    )
    with pytest.raises(ModelError) as err:
        load_openslo(tmp_path / "x.yaml")
    assert message in str(err.value) and "x.yaml:" in str(err.value)


def test_two_availability_slos_of_one_service_are_refused(shop_out: Path, tmp_path: Path) -> None:
    text = (shop_out / "openslo" / "checkout.yaml").read_text()
    (tmp_path / "twice.yaml").write_text(text + "---\n" + text)
    with pytest.raises(ModelError, match="second availability SLO"):
        load_openslo(tmp_path / "twice.yaml")


@pytest.fixture()
def alertmanager_url(shop_out: Path, tmp_path: Path) -> Any:
    """A real Alertmanager on a free 127.0.0.1 port, running the generated configuration."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            tool("prometheus-alertmanager"),
            f"--config.file={shop_out / 'alertmanager' / 'alertmanager.yml'}",
            f"--storage.path={tmp_path}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/-/ready", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("Alertmanager did not become ready")
        yield url
    finally:
        proc.kill()
        proc.wait()


def test_a_firing_page_suppresses_the_ticket_of_its_slo_in_alertmanager(alertmanager_url: str) -> None:
    import time
    import urllib.request

    def alert(slo: str, severity: str, long_window: str) -> dict[str, Any]:
        labels = {
            "alertname": "SLOErrorBudgetBurn",
            "slo": slo,
            "severity": severity,
            "long_window": long_window,
        }
        return {"labels": labels}

    alerts_sent = [
        alert("checkout-availability", "page", "1h"),
        alert("checkout-availability", "ticket", "1d"),
        alert("catalog-availability", "ticket", "1d"),
        alert("catalog-availability", "ticket", "3d"),
    ]
    request = urllib.request.Request(
        f"{alertmanager_url}/api/v2/alerts",
        data=json.dumps(alerts_sent).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5)
    states: dict[tuple[str, str], str] = {}
    for _ in range(100):
        with urllib.request.urlopen(f"{alertmanager_url}/api/v2/alerts", timeout=5) as response:
            got = json.loads(response.read())
        states = {(a["labels"]["slo"], a["labels"]["long_window"]): a["status"]["state"] for a in got}
        if len(states) == 4 and "suppressed" in states.values():
            break
        time.sleep(0.1)
    assert states == {
        ("checkout-availability", "1h"): "active",
        ("checkout-availability", "1d"): "suppressed",  # the page silences the ticket of its SLO
        ("catalog-availability", "1d"): "active",  # no page for this SLO: its fast ticket stays
        ("catalog-availability", "3d"): "suppressed",  # the fast ticket silences the slow one
    }
