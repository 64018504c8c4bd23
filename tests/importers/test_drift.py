"""`meshwright diff MODEL --against kubernetes PATH`: the drift check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .helpers import OB_SHARED, ROOT, run

HAND = ROOT / "examples" / "online-boutique"


def _diff(*args: str) -> tuple[int, list[dict[str, str]]]:
    r = run("diff", *args, "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    return r.returncode, json.loads(r.stdout)["differences"]


def test_the_hand_written_model_matches_the_base_manifests() -> None:
    code, diffs = _diff(str(HAND), "--against", "kubernetes", str(OB_SHARED / "kubernetes-manifests"))
    assert (code, diffs) == (0, [])


def test_drift_names_the_service_edge_image_replicas_port_and_timeout(tmp_path: Path) -> None:
    manifests = tmp_path / "m"
    shutil.copytree(OB_SHARED / "kubernetes-manifests", manifests)
    (manifests / "kustomization.yaml").unlink()  # plain directory: the files as they are
    (manifests / "adservice.yaml").unlink()  # a service no longer deployed
    checkout = (manifests / "checkoutservice.yaml").read_text()
    checkout = checkout.replace("image: checkoutservice", "image: checkoutservice:v2")
    checkout = checkout.replace("  template:", "  replicas: 3\n  template:", 1)
    (manifests / "checkoutservice.yaml").write_text(checkout)
    email = (manifests / "emailservice.yaml").read_text().replace("port: 5000", "port: 5001")
    (manifests / "emailservice.yaml").write_text(email)
    rec = (manifests / "recommendationservice.yaml").read_text()
    (manifests / "recommendationservice.yaml").write_text(
        rec.replace("value: \"productcatalogservice:3550\"", "value: \"currencyservice:7000\""))
    istio = tmp_path / "vs.yaml"
    istio.write_text("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: pay}\n"
                     "spec:\n  hosts: [paymentservice]\n  http:\n    - timeout: 3s\n"
                     "      route: [{destination: {host: paymentservice}}]\n")
    code, diffs = _diff(str(HAND), str(manifests), "--istio", str(istio))
    assert code == 1
    found = {(d["kind"], d["subject"], d["model"], d["running"]) for d in diffs}
    assert found == {
        ("service", "adservice", "declared", "not running"),
        ("image", "checkoutservice", "checkoutservice", "checkoutservice:v2"),
        ("replicas", "checkoutservice", "1", "3"),
        ("ports", "emailservice", "5000→8080", "5001→8080"),
        ("edge", "recommendationservice → productcatalogservice", "calls", "no evidence of the call"),
        ("edge", "recommendationservice → currencyservice", "no call", "calls"),
        ("timeout", "checkoutservice → paymentservice", "none", "3s"),
    }
    r = run("diff", str(HAND), "--against", "kubernetes", str(manifests))
    assert r.returncode == 1 and "differences" in r.stdout and "Traceback" not in r.stderr
