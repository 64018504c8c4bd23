"""Helm target: the chart passes the real Helm lint (helm-sdkpy) and its default values
render the same objects as the Kustomize base."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from emit.helpers import check_golden, fixture_model, helm_lint, helm_render, kubectl_kustomize, write
from meshwright.emit import emit_target
from meshwright.emit.yamltext import load_all

OBJ = dict[str, Any]


@pytest.fixture(scope="module")
def chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = write(tmp_path_factory.mktemp("helm"), emit_target("helm", fixture_model()))
    return out / "minishop"


def test_chart_passes_helm_lint(chart: Path) -> None:
    result = helm_lint(chart)
    assert result["TotalChartsLinted"] == 1
    assert not result["Errors"], result
    assert all(m["Severity"] < 2 for m in result["Messages"]), result  # nothing above INFO


def test_helm_lint_rejects_values_that_break_the_schema(chart: Path, tmp_path: Path) -> None:
    broken = tmp_path / "minishop"
    for f in chart.rglob("*"):
        if f.is_file():
            (broken / f.relative_to(chart)).parent.mkdir(parents=True, exist_ok=True)
            (broken / f.relative_to(chart)).write_bytes(f.read_bytes())
    values = (broken / "values.yaml").read_text(encoding="utf-8").replace("replicas: 3", "replicas: three", 1)
    (broken / "values.yaml").write_text(values, encoding="utf-8")
    result = helm_lint(broken)
    assert result["Errors"] or any(m["Severity"] >= 3 for m in result["Messages"]), result


def test_values_match_their_schema(chart: Path) -> None:
    import json

    [values] = load_all((chart / "values.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(values, json.loads((chart / "values.schema.json").read_text(encoding="utf-8")))


def test_default_values_render_the_kustomize_base(chart: Path, tmp_path: Path) -> None:
    base = write(tmp_path, emit_target("kubernetes", fixture_model())) / "base"
    expected = sorted(kubectl_kustomize(base), key=lambda o: (o["kind"], o["metadata"]["name"]))
    rendered = sorted(helm_render(chart, "minishop"), key=lambda o: (o["kind"], o["metadata"]["name"]))
    assert [(o["kind"], o["metadata"]["name"]) for o in rendered] == [
        (o["kind"], o["metadata"]["name"]) for o in expected
    ]
    for got, want in zip(rendered, expected, strict=True):
        assert got == want, (got["kind"], got["metadata"]["name"])


def test_values_override_the_rendered_objects(chart: Path) -> None:
    values = {"services": {"cart": {"replicas": 5, "image": "registry.example/cart:9.9"}}}
    objs = {(o["kind"], o["metadata"]["name"]): o for o in helm_render(chart, "shop-staging", values)}
    cart = objs["Deployment", "cart"]
    assert cart["spec"]["replicas"] == 5
    assert cart["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/cart:9.9"
    assert cart["metadata"]["namespace"] == "shop-staging"
    assert objs["Deployment", "frontend"]["spec"]["replicas"] == 2  # untouched
    assert "replicas" not in objs["Deployment", "checkout"]["spec"]  # autoscaled


def test_autoscaled_services_have_autoscaling_values_and_no_replicas(chart: Path) -> None:
    model = fixture_model()
    [values] = load_all((chart / "values.yaml").read_text(encoding="utf-8"))
    for name, svc in model.services.items():
        settings = values["services"][name]
        auto = svc.runtime.autoscale
        if auto is None:
            assert settings["replicas"] == svc.runtime.replicas and "autoscaling" not in settings
        else:
            assert "replicas" not in settings, name
            assert settings["autoscaling"] == {
                "minReplicas": auto.min,
                "maxReplicas": auto.max,
                "targetCPUUtilizationPercentage": round(auto.cpu_target),
            }


def test_helm_refuses_replicas_for_an_autoscaled_service(chart: Path) -> None:
    with pytest.raises(Exception, match=r"/services/checkout.*additional propert.*'replicas' not allowed"):
        helm_render(chart, "minishop", {"services": {"checkout": {"replicas": 5}}})


def test_chart_metadata(chart: Path) -> None:
    [meta] = load_all((chart / "Chart.yaml").read_text(encoding="utf-8"))
    assert meta["apiVersion"] == "v2" and meta["name"] == "minishop"
    assert meta["kubeVersion"] == ">=1.30.0-0"


def test_golden_files() -> None:
    check_golden("minishop/helm", emit_target("helm", fixture_model()))
