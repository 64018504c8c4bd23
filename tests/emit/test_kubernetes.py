"""Kubernetes target: objects as modelled, restricted pods, checked by kubectl and schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from emit.helpers import check_golden, fixture_model, kubectl_kustomize, write
from meshwright.emit import emit_target
from meshwright.emit.kubernetes import base_files
from meshwright.model import load_text

OBJ = dict[str, Any]


def _by_kind(objects: list[OBJ]) -> dict[tuple[str, str], OBJ]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[OBJ]]:
    """The fixture's base and overlays, each rendered by `kubectl kustomize`."""
    out = write(tmp_path_factory.mktemp("k8s"), emit_target("kubernetes", fixture_model()))
    return {
        name: kubectl_kustomize(out / path)
        for name, path in (("base", "base"), ("dev", "overlays/dev"), ("prod", "overlays/prod"))
    }


def test_golden_files() -> None:
    check_golden("minishop/kubernetes", emit_target("kubernetes", fixture_model()))


@pytest.mark.parametrize("layer", ["base", "dev", "prod"])
@pytest.mark.parametrize("version", ["1.30.0", kubernetes_validate.latest_version()])
def test_every_object_is_valid_for_kubernetes(
    rendered: dict[str, list[OBJ]], layer: str, version: str
) -> None:
    assert rendered[layer]
    for obj in rendered[layer]:
        kubernetes_validate.validate(obj, version, strict=True)


def test_base_holds_the_objects_of_each_service(rendered: dict[str, list[OBJ]]) -> None:
    objs = _by_kind(rendered["base"])
    assert {o["metadata"].get("namespace") for o in rendered["base"]} == {"minishop"}
    for name in ("frontend", "cart", "checkout", "payment", "email"):
        for kind in ("Deployment", "Service", "ServiceAccount", "NetworkPolicy"):
            assert (kind, name) in objs, (kind, name)
    assert ("PodDisruptionBudget", "cart") in objs  # replicas 3
    assert ("PodDisruptionBudget", "payment") not in objs  # a single replica
    assert ("HorizontalPodAutoscaler", "checkout") in objs
    assert ("HorizontalPodAutoscaler", "cart") not in objs
    assert objs["ConfigMap", "frontend-config"]["data"] == {"FEATURE_NEW_UI": "yes", "LOG_LEVEL": "info"}
    hpa = objs["HorizontalPodAutoscaler", "checkout"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 10)
    assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == 70


def test_pods_meet_the_restricted_pod_security_standard(rendered: dict[str, list[OBJ]]) -> None:
    for obj in rendered["base"]:
        if obj["kind"] != "Deployment":
            continue
        pod = obj["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["capabilities"]["drop"] == ["ALL"]
        assert pod["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"


def test_probes_follow_the_api_protocol(rendered: dict[str, list[OBJ]]) -> None:
    objs = _by_kind(rendered["base"])
    cart = objs["Deployment", "cart"]["spec"]["template"]["spec"]["containers"][0]
    assert cart["readinessProbe"]["grpc"] == {"port": 7070}
    front = objs["Deployment", "frontend"]["spec"]["template"]["spec"]["containers"][0]
    assert front["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http-8080"}
    assert front["resources"] == {
        "requests": {"cpu": "200m", "memory": "256Mi"},
        "limits": {"memory": "256Mi"},
    }


def test_secrets_are_referenced_never_inlined() -> None:
    loaded = load_text(
        """
        meshwright: 1
        system: s
        services:
          api:
            apis: [{name: A, port: 80, operations: {Get: {}}}]
            secrets: [{name: db-password, value: hunter2}]
        """.replace("\n        ", "\n")
    )
    text = "".join(str(a.content) for a in emit_target("kubernetes", loaded.model))
    assert "hunter2" not in text
    pod = next(o for o in base_files(loaded.model)["api.yaml"] if o["kind"] == "Deployment")
    spec = pod["spec"]["template"]["spec"]
    assert {"name": "secret-db-password", "secret": {"secretName": "db-password"}} in spec["volumes"]
    env = {e["name"]: e["value"] for e in spec["containers"][0]["env"]}
    assert env["DB_PASSWORD_FILE"] == "/run/secrets/db-password"


def test_kubernetes_patch_overrides_generated_fields(rendered: dict[str, list[OBJ]]) -> None:
    dep = _by_kind(rendered["base"])["Deployment", "checkout"]
    assert dep["metadata"]["annotations"] == {"team": "orders"}
    env = dep["spec"]["template"]["spec"]["containers"][0]["env"]
    names = [e["name"] for e in env]
    assert names[-1] == "JAVA_TOOL_OPTIONS"  # appended, merged into the container by name
    assert "CART_ADDR" in names  # generated entries kept


def test_dev_overlay_is_small_and_prod_is_as_modelled(rendered: dict[str, list[OBJ]]) -> None:
    dev, prod = _by_kind(rendered["dev"]), _by_kind(rendered["prod"])
    assert ("Namespace", "minishop-dev") in dev and ("Namespace", "minishop") in prod
    assert dev["Namespace", "minishop-dev"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == (
        "restricted"
    )
    assert {o["metadata"].get("namespace") for o in rendered["dev"] if o["kind"] != "Namespace"} == {
        "minishop-dev"
    }
    assert all(d["spec"]["replicas"] == 1 for (k, _), d in dev.items() if k == "Deployment")
    assert not any(k in ("HorizontalPodAutoscaler", "PodDisruptionBudget") for k, _ in dev)
    checkout = dev["Deployment", "checkout"]["spec"]["template"]["spec"]["containers"][0]
    assert checkout["resources"]["requests"] == {"cpu": "50m", "memory": "64Mi"}
    assert checkout["resources"]["limits"] == {"cpu": "1000m", "memory": "512Mi"}
    assert "replicas" not in prod["Deployment", "checkout"]["spec"]  # the autoscaler's
    assert ("HorizontalPodAutoscaler", "checkout") in prod


def _replicas(layer: list[OBJ]) -> dict[str, int | None]:
    """Deployment name → its spec.replicas, None when the field is absent."""
    return {o["metadata"]["name"]: o["spec"].get("replicas") for o in layer if o["kind"] == "Deployment"}


def test_autoscaled_deployments_leave_replicas_to_the_autoscaler(rendered: dict[str, list[OBJ]]) -> None:
    model = fixture_model()
    autoscaled = {n for n, s in model.services.items() if s.runtime.autoscale is not None}
    assert autoscaled == {"checkout"}
    for layer in ("base", "prod"):
        deployments = _by_kind(rendered[layer])
        for name in autoscaled:
            assert "replicas" not in deployments["Deployment", name]["spec"], (layer, name)
    assert {n: r for n, r in _replicas(rendered["dev"]).items() if n in autoscaled} == {"checkout": 1}


def test_autoscaler_bounds_are_the_models(rendered: dict[str, list[OBJ]]) -> None:
    model = fixture_model()
    for layer in ("base", "prod"):
        objs = _by_kind(rendered[layer])
        for name, svc in model.services.items():
            auto = svc.runtime.autoscale
            if auto is None:
                assert ("HorizontalPodAutoscaler", name) not in objs
                continue
            hpa = objs["HorizontalPodAutoscaler", name]["spec"]
            assert (hpa["minReplicas"], hpa["maxReplicas"]) == (auto.min, auto.max), (layer, name)
            assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}


def test_services_without_autoscale_keep_their_replicas(rendered: dict[str, list[OBJ]]) -> None:
    model = fixture_model()
    fixed = {n: s.runtime.replicas for n, s in model.services.items() if s.runtime.autoscale is None}
    assert fixed == {"frontend": 2, "cart": 3, "payment": 1, "email": 1}
    for layer in ("base", "prod"):
        assert {n: r for n, r in _replicas(rendered[layer]).items() if n in fixed} == fixed, layer
    assert {n: r for n, r in _replicas(rendered["dev"]).items() if n in fixed} == dict.fromkeys(fixed, 1)


SCALING = """meshwright: 1
system: scaling
services:
  api:
    runtime: {replicas: 4, autoscale: {min: 2, max: 5, cpu_target: 80}}
    apis: [{name: A, protocol: http, port: 8080, operations: {Get: {}}}]
  worker:
    runtime: {replicas: 2}
  idle:
    runtime: {replicas: 0}
"""


def test_replicas_and_autoscaler_in_every_layer(tmp_path: Path) -> None:
    """The autoscaler owns the count whatever ``replicas`` says; dev pins one replica."""
    out = write(tmp_path, emit_target("kubernetes", load_text(SCALING).model))
    layers = {
        n: kubectl_kustomize(out / p)
        for n, p in (("base", "base"), ("dev", "overlays/dev"), ("prod", "overlays/prod"))
    }
    for layer in ("base", "prod"):
        assert _replicas(layers[layer]) == {"api": None, "worker": 2, "idle": 0}, layer
        hpa = _by_kind(layers[layer])["HorizontalPodAutoscaler", "api"]["spec"]
        assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 5)
    assert _replicas(layers["dev"]) == {"api": 1, "worker": 1, "idle": 0}
    assert not any(o["kind"] == "HorizontalPodAutoscaler" for o in layers["dev"])


def test_output_is_deterministic() -> None:
    first = emit_target("kubernetes", fixture_model())
    assert first == emit_target("kubernetes", fixture_model())


def test_written_layout(tmp_path: Path) -> None:
    out = write(tmp_path, emit_target("kubernetes", fixture_model()))
    assert (out / "base" / "kustomization.yaml").is_file()
    assert (out / "overlays" / "dev" / "patches" / "hpa-checkout.yaml").is_file()


@pytest.mark.parametrize(
    ("runtime", "budget"),
    [
        ("{replicas: 4, autoscale: {min: 1, max: 5}}", False),  # may scale down to one pod
        ("{replicas: 1, autoscale: {min: 2, max: 5}}", True),  # never fewer than two
        ("{replicas: 3}", True),
        ("{replicas: 1}", False),
    ],
)
def test_disruption_budget_follows_the_fewest_replicas(runtime: str, budget: bool) -> None:
    """Under an autoscaler the count that matters is ``autoscale.min``, not ``replicas``."""
    model = load_text(
        "meshwright: 1\nsystem: s\nservices:\n  api:\n"
        f"    runtime: {runtime}\n"
        "    apis: [{name: A, protocol: http, port: 8080, operations: {Get: {}}}]\n"
    ).model
    files = emit_target("kubernetes", model)
    kinds = [o["kind"] for o in base_files(model)["api.yaml"]]
    assert ("PodDisruptionBudget" in kinds) == budget
    dev = [a.path for a in files if a.path.startswith("overlays/dev/patches/pdb-")]
    assert dev == (["overlays/dev/patches/pdb-api.yaml"] if budget else [])
