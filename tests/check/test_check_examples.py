"""The review on the bundled examples: the shop passes, Online Boutique shows real findings."""

from __future__ import annotations

import pytest

from conftest import EXAMPLES
from meshwright.check import Severity, run_check
from meshwright.check.context import call_sites
from meshwright.model import load_model


@pytest.mark.skipif(not (EXAMPLES / "shop").exists(), reason="examples/shop not written yet")
def test_shop_has_no_error_findings() -> None:
    report = run_check(load_model(EXAMPLES / "shop"))
    errors = [f"{f.location}: {f.code} {f.message}" for f in report.findings if f.severity is Severity.error]
    assert errors == []
    for f in report.suppressed:  # every deliberate suppression says why
        assert f.suppressed and f.suppressed.strip()


@pytest.mark.skipif(not (EXAMPLES / "online-boutique").exists(), reason="example not written yet")
def test_online_boutique_shows_missing_timeouts_where_they_are_missing() -> None:
    loaded = load_model(EXAMPLES / "online-boutique")
    report = run_check(loaded, select=["MW201"])
    untimed = {path for _, path, call in call_sites(loaded.model) if call.timeout is None}
    assert untimed, "the real Online Boutique sets no call timeouts"
    assert {f.path for f in report.findings} == untimed
    assert all(f.location.file.endswith("mesh.yaml") and f.location.line > 0 for f in report.findings)


def test_online_boutique_namespace_and_images_are_findings_at_their_lines() -> None:
    """What Checkov finds in the generated manifests (CKV_K8S_21, CKV_K8S_14) the review
    reports first, at the model's lines: `namespace: default` and the bare image names."""
    loaded = load_model(EXAMPLES / "online-boutique")
    text = (EXAMPLES / "online-boutique" / "mesh.yaml").read_text(encoding="utf-8").splitlines()
    [ns] = run_check(loaded, select=["MW614"]).findings
    assert text[ns.location.line - 1].strip() == "namespace: default"
    images = run_check(loaded, select=["MW606"]).findings
    assert {f.path[1] for f in images} == set(loaded.model.services)
    assert all(text[f.location.line - 1].strip().startswith("image:") for f in images)
