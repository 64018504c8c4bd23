"""`platform.orchestrator` and `platform.discovery` are read: they choose what `build`
writes, and a combination that cannot run is a located error with the fix."""

from __future__ import annotations

import pytest

from meshwright.emit.registry import targets
from meshwright.errors import ModelError
from meshwright.model import load_text

SERVICES = """\
services:
  web:
    image: registry.example/t/web:1.0.0
    expose: public
    apis: [{name: Web, protocol: http, port: 8080, operations: {Home: {}}}]
topics: {ev: {}}
"""


def _platform(platform: str) -> str:
    return f"meshwright: 1\nsystem: t\nplatform: {{{platform}}}\n{SERVICES}"


@pytest.mark.parametrize(
    ("platform", "field", "words"),
    [
        ("orchestrator: compose, mesh: istio", "mesh", "istio runs only on Kubernetes"),
        ("orchestrator: compose, mesh: linkerd", "mesh", "`orchestrator: kubernetes`"),
        ("orchestrator: compose, discovery: kubernetes", "discovery", "`discovery: consul`"),
        ("mesh: consul, discovery: etcd", "discovery", "write `discovery: consul`"),
    ],
)
def test_a_combination_that_cannot_run_is_a_located_error(platform: str, field: str, words: str) -> None:
    text = _platform(platform)
    with pytest.raises(ModelError) as caught:
        load_text(text, "mesh.yaml")
    [d] = caught.value.diagnostics
    assert d.location.line == 3 and d.location.col == text.splitlines()[2].index(f"{field}:") + len(field) + 3
    assert words in d.message and f"platform.{field}" in d.message
    assert "Value error" not in d.message and "Input should" not in d.message


@pytest.mark.parametrize(
    "platform",
    ["orchestrator: compose", "orchestrator: compose, discovery: consul, mesh: consul",
     "orchestrator: compose, discovery: etcd", "mesh: istio, discovery: consul", "discovery: etcd"],
)
def test_combinations_that_run_load(platform: str) -> None:
    load_text(_platform(platform), "mesh.yaml")


def _built(platform: str) -> set[str]:
    model = load_text(_platform(platform), "mesh.yaml").model
    return {t.name for t in targets() if t.selected(model)}


def test_orchestrator_chooses_the_deploy_targets_build_writes() -> None:
    kubernetes_only = {"kubernetes", "helm", "kafka", "gateway"}
    assert kubernetes_only | {"compose", "docker"} <= _built("orchestrator: kubernetes, broker: kafka")
    on_compose = _built("orchestrator: compose, broker: kafka")
    assert {"compose", "docker"} <= on_compose and not on_compose & kubernetes_only


def test_discovery_chooses_the_registry_build_writes() -> None:
    assert not {"consul", "etcd"} & _built("discovery: kubernetes")
    assert "consul" in _built("discovery: consul") and "etcd" not in _built("discovery: consul")
    assert "etcd" in _built("discovery: etcd") and "consul" not in _built("discovery: etcd")
