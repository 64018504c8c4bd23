"""Round trip on a real system: Online Boutique's release manifest → import → model.

- The model validates and every stage runs on it at once.
- Services, ports (container and Service ports), images and call edges equal both the
  manifest itself and the hand-written examples/online-boutique model (whose images are
  the bare names of the base manifests: compared by the image's last path component).
- `emit kubernetes` of the imported model allows exactly the traffic the project's own
  NetworkPolicies allow (the same comparison as tests/emit/test_online_boutique.py).
- The Kustomize directory (rendered with `kubectl kustomize`) gives the same model;
  NetworkPolicies and Istio files add evidence, the strongest kind winning.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from emit.test_online_boutique import _ours as emitted_pairs
from emit.test_online_boutique import _theirs as project_pairs
from meshwright.emit.yamltext import load_all
from meshwright.model import Model, load_model

from .helpers import OB_RELEASE, OB_SHARED, ROOT, import_json, run, runs_every_stage

HAND = ROOT / "examples" / "online-boutique"
POLICIES = OB_SHARED / "kustomize" / "components" / "network-policies"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("ob") / "model"
    summary = import_json("kubernetes", str(OB_RELEASE), "-o", str(out), "--system", "online-boutique")
    return out, summary


@pytest.fixture(scope="module")
def model(imported: tuple[Path, dict[str, Any]]) -> Model:
    return load_model(imported[0]).model


@pytest.fixture(scope="module")
def hand() -> Model:
    return load_model(HAND).model


def _edges(model: Model) -> set[tuple[str, str]]:
    return {(n, c.target_service) for n, s in model.services.items() for c in s.all_calls()}


def _manifest_objects() -> list[dict[str, Any]]:
    return load_all(OB_RELEASE.read_text(encoding="utf-8"))


def test_every_stage_runs_on_the_imported_model(imported: tuple[Path, dict[str, Any]],
                                                tmp_path: Path) -> None:
    runs_every_stage(imported[0], tmp_path)


def test_services_ports_and_images_equal_the_hand_written_model(model: Model, hand: Model) -> None:
    assert set(model.services) == set(hand.services)
    for name, svc in hand.services.items():
        ours = model.services[name]
        assert [(a.protocol, a.port, a.call_port) for a in ours.apis] == [
            (a.protocol, a.port, a.call_port) for a in svc.apis], name
        assert ours.image is not None and svc.image is not None
        assert re.split(r"[/:]", ours.image)[-2] == svc.image, name
        assert ours.runtime.cpu == svc.runtime.cpu and ours.runtime.memory_limit == svc.runtime.memory_limit
        assert set(ours.datastores) == set(svc.datastores)
        kinds = {k: d.kind for k, d in svc.datastores.items()}
        assert {k: d.kind for k, d in ours.datastores.items()} == kinds
    assert model.services["frontend"].expose == "public"
    assert sum(1 for s in model.services.values() if s.expose == "public") == 1


def test_images_equal_the_manifest(model: Model) -> None:
    deployments = {o["metadata"]["name"]: o for o in _manifest_objects() if o["kind"] == "Deployment"}
    for name, svc in model.services.items():
        assert svc.image == deployments[name]["spec"]["template"]["spec"]["containers"][0]["image"]


def test_call_edges_equal_the_hand_written_model(model: Model, hand: Model) -> None:
    assert len(_edges(hand)) == 14
    assert _edges(model) == _edges(hand)


def test_load_generator_is_a_traffic_source_and_unknown_hosts_are_notes(
        imported: tuple[Path, dict[str, Any]]) -> None:
    _, summary = imported
    assert "loadgenerator" in summary["traffic_sources"]
    assert any("shoppingassistantservice" in n for n in summary["notes"])
    assert summary["skipped"] == {"ServiceAccount": 11}
    mesh = (imported[0] / "mesh.yaml").read_text()
    assert "TODO entrypoints: frontend is public" in mesh
    assert "entrypoints:" not in mesh.replace("TODO entrypoints:", "")  # no invented rates


def test_edges_carry_their_provenance_as_comments(imported: tuple[Path, dict[str, Any]]) -> None:
    text = (imported[0] / "services" / "frontend.yaml").read_text()
    line = next(ln for ln in text.splitlines() if "cartservice.request" in ln)
    assert "# env CART_SERVICE_ADDR=cartservice:7070 (" in line
    assert "kubernetes-manifests.yaml:" in line
    assert "TODO operations" in text


# ---------------------------------------------------------------- emit → NetworkPolicies

def test_emitted_network_policies_equal_the_real_projects(model: Model) -> None:
    # the pairs compared exactly as tests/emit/test_online_boutique.py does for the example
    ours, theirs = emitted_pairs(model)[0], project_pairs(model)
    assert len(theirs) >= 15
    assert ours == theirs


# ---------------------------------------------------------------- other inputs


def test_kustomize_directory_gives_the_same_model(model: Model, tmp_path: Path) -> None:
    out = tmp_path / "k"
    import_json("kubernetes", str(OB_SHARED / "kubernetes-manifests"), "-o", str(out))
    other = load_model(out).model
    assert set(other.services) == set(model.services)
    assert _edges(other) == _edges(model)
    assert other.services["emailservice"].apis[0].call_port == 5000
    assert other.services["frontend"].image == "frontend"  # the base manifests' bare names


def test_network_policies_add_evidence_and_win(tmp_path: Path) -> None:
    out = tmp_path / "np"
    policies = sorted(str(p) for p in POLICIES.glob("network-policy-*.yaml"))
    summary = import_json("kubernetes", str(OB_RELEASE), *policies, "-o", str(out))
    edges = {(e["caller"], e["callee"]): e for e in summary["edges"]}
    assert len(edges) == 14
    assert all(e["strongest"] == "NetworkPolicy" for e in edges.values())
    assert summary["edge_sources"] == {"NetworkPolicy": 14, "env": 14}
    cart = edges[("checkoutservice", "cartservice")]
    assert cart["evidence"][0].startswith("NetworkPolicy cartservice allows ingress (")
    assert cart["evidence"][1].startswith("env CART_SERVICE_ADDR=cartservice:7070")
    text = (out / "services" / "checkoutservice.yaml").read_text()
    assert "# NetworkPolicy cartservice allows ingress" in text


def test_istio_files_make_the_gateway_route_public_and_note_external_hosts(tmp_path: Path) -> None:
    out = tmp_path / "istio"
    summary = import_json("kubernetes", str(OB_RELEASE), "--istio", str(OB_SHARED / "istio-manifests"),
                          "-o", str(out))
    mesh = load_model(out).model
    assert mesh.platform.mesh.value == "istio"
    assert any("ServiceEntry allow-egress-googleapis" in n for n in summary["notes"])
    text = (out / "services" / "frontend.yaml").read_text()
    assert "expose: public  # Service frontend-external is type LoadBalancer" in text


def test_cli_text_summary(tmp_path: Path) -> None:
    r = run("import", "kubernetes", str(OB_RELEASE), "-o", str(tmp_path / "m"))
    assert r.returncode == 0, r.stderr
    assert "imported" in r.stdout and "10 services" in r.stdout and "14 call edges" in r.stdout
    assert "traffic source loadgenerator" in r.stdout
    again = run("import", "kubernetes", str(OB_RELEASE), "-o", str(tmp_path / "m"))
    assert again.returncode == 2 and "--force" in again.stderr
