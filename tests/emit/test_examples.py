"""Both example models through every target, checked by the real tools, with golden files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest

from emit.helpers import HERE, check_golden, helm_lint, helm_render, kubectl_kustomize, write
from meshwright.emit import emit_all
from meshwright.emit.kubernetes.labels import namespace
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import load_all
from meshwright.model import load_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
COMPOSE = jsonschema.Draft201909Validator(
    json.loads((HERE / "schemas" / "compose_spec.json").read_text(encoding="utf-8"))
)


@pytest.fixture(scope="module", params=["shop", "online-boutique"])
def example(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    name: str = request.param
    if not (EXAMPLES / name).exists():
        pytest.fail(f"examples/{name} is missing: the example models are part of the repository")
    model = load_model(EXAMPLES / name).model
    return name, write(tmp_path_factory.mktemp(name), emit_all(model))


def test_golden_files(example: tuple[str, Path]) -> None:
    name, _ = example
    check_golden(name, emit_all(load_model(EXAMPLES / name).model))


@pytest.mark.golden_tool  # kubectl renders the golden kubernetes/ output
def test_kustomize_renders_valid_objects(example: tuple[str, Path]) -> None:
    _, out = example
    for layer in ("base", "overlays/dev", "overlays/prod"):
        objects = kubectl_kustomize(out / "kubernetes" / layer)
        assert any(o["kind"] == "Deployment" for o in objects)
        for obj in objects:
            kubernetes_validate.validate(obj, kubernetes_validate.latest_version(), strict=True)


@pytest.mark.golden_tool  # Helm lints the golden chart (and skips below Python 3.12)
def test_helm_chart_lints_and_renders_the_base(example: tuple[str, Path]) -> None:
    name, out = example
    model = load_model(EXAMPLES / name).model
    chart = out / "helm" / dns_name(model.system)
    result = helm_lint(chart)
    assert not result["Errors"] and all(m["Severity"] < 2 for m in result["Messages"]), result

    def key(o: dict[str, object]) -> tuple[str, str]:
        return (str(o["kind"]), str(o["metadata"]["name"]))  # type: ignore[index]

    rendered = sorted(helm_render(chart, namespace(model)), key=key)
    assert rendered == sorted(kubectl_kustomize(out / "kubernetes" / "base"), key=key)


def test_compose_is_valid(example: tuple[str, Path]) -> None:
    _, out = example
    [doc] = load_all((out / "compose" / "compose.yaml").read_text(encoding="utf-8"))
    COMPOSE.validate(doc)
