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
