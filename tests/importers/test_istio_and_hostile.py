"""Istio call policies and authorization; hostile and malformed inputs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from meshwright.importers import reading
from meshwright.model import load_model

from .helpers import import_json, run

MANIFESTS = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: orders, namespace: shop}
    spec:
      replicas: 2
      selector: {matchLabels: {app: orders}}
      template:
        metadata: {labels: {app: orders}}
        spec:
          serviceAccountName: orders
          containers:
            - name: app
              image: example/orders:1
              ports: [{containerPort: 8080, name: http}]
              env:
                - {name: PAYMENT_URL, value: "http://payment.shop.svc.cluster.local:9000/charge"}
                - name: DB_PASSWORD
                  valueFrom: {secretKeyRef: {name: orders-db, key: password}}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: orders, namespace: shop}
    spec:
      selector: {app: orders}
      ports: [{name: http, port: 80, targetPort: http}]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: payment, namespace: shop}
    spec:
      selector: {matchLabels: {app: payment}}
      template:
        metadata: {labels: {app: payment}}
        spec:
          containers:
            - name: app
              image: example/payment:1
              ports: [{containerPort: 9000}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: payment, namespace: shop}
    spec:
      selector: {app: payment}
      ports: [{name: grpc-api, port: 9000}]
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: orders, namespace: shop}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: orders}
      minReplicas: 2
      maxReplicas: 10
      metrics:
        - type: Resource
          resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: w}
    """

ISTIO = """\
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: payment, namespace: shop}
    spec:
      hosts: [payment]
      http:
        - timeout: 2s
          retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,reset"}
          route: [{destination: {host: payment}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: payment, namespace: shop}
    spec:
      host: payment.shop.svc.cluster.local
      trafficPolicy:
        connectionPool: {http: {http2MaxRequests: 100, http1MaxPendingRequests: 10}}
        outlierDetection: {consecutive5xxErrors: 5, baseEjectionTime: 30s, interval: 10s}
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata: {name: payment, namespace: shop}
    spec:
      selector: {matchLabels: {app: payment}}
      action: ALLOW
      rules:
        - from: [{source: {principals: ["cluster.local/ns/shop/sa/orders"]}}]
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata: {name: default, namespace: shop}
    spec: {mtls: {mode: STRICT}}
    """


def _files(tmp_path: Path) -> tuple[Path, Path]:
    k8s, istio = tmp_path / "k8s.yaml", tmp_path / "istio.yaml"
    k8s.write_text(textwrap.dedent(MANIFESTS))
    istio.write_text(textwrap.dedent(ISTIO))
    return k8s, istio


def test_istio_policies_become_call_policies_and_authorization(tmp_path: Path) -> None:
    k8s, istio = _files(tmp_path)
    summary = import_json("kubernetes", str(k8s), "--istio", str(istio), "-o", str(tmp_path / "m"))
    model = load_model(tmp_path / "m").model
    orders, payment = model.services["orders"], model.services["payment"]
    (call,) = orders.calls
    assert call.to == "payment.request"
    assert call.timeout == 2.0
    assert call.mesh_retries is not None and call.mesh_retries.attempts == 4  # 3 retries = 4 tries
    assert call.mesh_retries.per_try_timeout == 0.5 and call.mesh_retries.retry_on == ["5xx", "reset"]
    assert call.circuit_breaker is not None and call.circuit_breaker.consecutive_errors == 5
    assert call.circuit_breaker.open_for == 30.0
    assert call.circuit_breaker.max_ejection == 10.0  # Istio's default maxEjectionPercent
    assert call.bulkhead is not None and (call.bulkhead.max_concurrent, call.bulkhead.max_queue) == (100, 10)
    assert [r.allow for r in payment.authorization] == [["orders"]]
    (edge,) = summary["edges"]
    assert edge["strongest"] == "AuthorizationPolicy"
    assert [e.split(" (")[0] for e in edge["evidence"]] == [
        "AuthorizationPolicy payment allows it",
        "env PAYMENT_URL=http://payment.shop.svc.cluster.local:9000/charge"]
    assert model.platform.mesh.value == "istio" and model.platform.mtls is True
    assert model.platform.namespace == "shop"
    # Kubernetes facts: named targetPort, port names, HPA, secrets by name only
    assert [(a.protocol, a.port, a.call_port) for a in orders.apis] == [("http", 8080, 80)]
    assert [(a.protocol, a.port) for a in payment.apis] == [("grpc", 9000)]
    assert orders.runtime.autoscale is not None
    assert (orders.runtime.autoscale.min, orders.runtime.autoscale.max) == (2, 10)
    assert orders.runtime.autoscale.cpu_target == 60
    assert [s.name for s in orders.secrets] == ["orders-db"] and "DB_PASSWORD" not in orders.config
    assert summary["skipped"]["Widget"] == 1
    assert any("kind Widget is not imported" in n for n in summary["notes"])
    text = (tmp_path / "m" / "services" / "orders.yaml").read_text()
    assert "policy: VirtualService payment (" in text and "DestinationRule payment (" in text


def test_istio_alone(tmp_path: Path) -> None:
    _, istio = _files(tmp_path)
    summary = import_json("istio", str(istio), "-o", str(tmp_path / "m"))
    assert summary["services"] == ["payment"]


BAD = {
    "broken.yaml": ("kind: Deployment\nmetadata: {name: x\n", "broken.yaml:3:1: error: malformed YAML"),
    "scalar.yaml": ("--- 5\n", "scalar.yaml:1:1: error: a Kubernetes document must be a mapping"),
    "shape.yaml": ("---\nkind: Deployment\nmetadata: {name: x}\nspec: {template: {spec: {containers: 5}}}\n",
                   "shape.yaml:2:1: error: spec.template.spec.containers must be a list, not int"),
    "laughs.yaml": ("a: &a [x, x, x, x, x, x, x, x, x]\n"
                    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
                              for i in range(8))
                    + "z: [" + ", ".join(["*i"] * 2100) + "]\n",
                    "error: more than 2000 YAML aliases"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_hostile_kubernetes_input_is_a_located_error(tmp_path: Path, name: str) -> None:
    text, expected = BAD[name]
    (tmp_path / name).write_text(text)
    r = run("import", "kubernetes", str(tmp_path / name), "-o", str(tmp_path / "m"))
    assert r.returncode == 2, r.stdout
    assert expected in r.stderr.replace(str(tmp_path) + "/", "")
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(("text", "expected"), [
    ('{"resourceSpans": [', "t.json:1:20: error: malformed JSON"),
    ('{"hello": 1}', "error: not a trace export"),
    ('{"resourceSpans": 5}', "error: expected a list in the trace file"),
    ('{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "x"}]}]}]}',
     "error: a span is malformed"),
    ("[]", "error: the trace file holds no spans"),
    ("[" * 100_000 + "]" * 100_000, "error: JSON nested too deeply"),
])
def test_hostile_trace_input_is_a_located_error(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "t.json").write_text(text)
    r = run("import", "traces", str(tmp_path / "t.json"), "-o", str(tmp_path / "m"))
    assert r.returncode == 2
    assert expected in r.stderr.replace(str(tmp_path) + "/", "")
    assert "Traceback" not in r.stderr


def test_huge_files_are_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text("# padding\n" * 200)
    with pytest.raises(reading.ModelError, match="more than the 0 MiB"):
        reading.read_text(path)


def test_a_large_manifest_imports(tmp_path: Path) -> None:
    """1,000 workloads with Services and env edges: linear work, no quadratic blow-up that
    would make a user wait."""
    docs = []
    for i in range(1000):
        docs.append(textwrap.dedent(f"""\
            apiVersion: apps/v1
            kind: Deployment
            metadata: {{name: s{i}}}
            spec:
              template:
                metadata: {{labels: {{app: s{i}}}}}
                spec:
                  containers:
                    - name: app
                      image: example/s{i}:1
                      ports: [{{containerPort: 8080, name: http}}]
                      env: [{{name: NEXT_ADDR, value: "s{(i + 1) % 1000}:80"}}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {{name: s{i}}}
            spec:
              selector: {{app: s{i}}}
              ports: [{{name: http, port: 80, targetPort: 8080}}]
            """))
    path = tmp_path / "big.yaml"
    path.write_text("---\n".join(docs))
    summary = import_json("kubernetes", str(path), "-o", str(tmp_path / "m"))
    assert len(summary["services"]) == 1000 and len(summary["edges"]) == 1000


def test_a_failing_kustomization_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "kustomization.yaml").write_text("resources:\n- missing.yaml\n")
    r = run("import", "kubernetes", str(tmp_path / "k"), "-o", str(tmp_path / "m"))
    assert r.returncode == 2
    assert "k/kustomization.yaml: error: `kubectl kustomize" in r.stderr
    assert "missing.yaml" in r.stderr and "Traceback" not in r.stderr
