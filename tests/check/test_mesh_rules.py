"""The mesh rules (MW7xx) on the examples: MW703 reports exactly the mesh emitter's notes at
their model lines; MW702 reads the ejection the Istio files render."""

from __future__ import annotations

from conftest import EXAMPLES
from meshwright.check import run_check
from meshwright.check.mesh.MW702 import ejectable
from meshwright.emit.istio import max_ejection_percent
from meshwright.emit.istio import notes as istio_notes
from meshwright.emit.registry import emit_target
from meshwright.emit.yamltext import load_all
from meshwright.graph import edges
from meshwright.model import load_model


def test_mw703_reports_every_istio_note_at_its_model_line() -> None:
    loaded = load_model(EXAMPLES / "shop")
    notes = istio_notes(loaded.model)
    findings = run_check(loaded, select=["MW703"]).findings
    assert sorted((f.path, f.message) for f in findings) == sorted(
        (n.path, f"istio: {n.message}") for n in notes
    )
    assert all(f.location.line > 1 for f in findings)
    web_bff = [f for f in findings if f.path[:2] == ("services", "web-bff") and "rate_limit" in f.path]
    assert web_bff and web_bff[0].location.file.endswith("web-bff.yaml")


def test_mw702_compares_the_rendered_ejection_with_the_spare_capacity() -> None:
    loaded = load_model(EXAMPLES / "shop")
    model = loaded.model
    rendered = {
        (
            d["spec"]["workloadSelector"]["matchLabels"]["app.kubernetes.io/name"],
            d["spec"]["host"].split(".")[0],
        ): d["spec"]["trafficPolicy"]["outlierDetection"]["maxEjectionPercent"]
        for a in emit_target("istio", model)
        if a.path.endswith(".yaml")
        for d in load_all(a.content)
        if d["kind"] == "DestinationRule" and "outlierDetection" in d["spec"].get("trafficPolicy", {})
    }
    assert rendered
    for (caller, callee), percent in rendered.items():
        shares = {
            max_ejection_percent(e.call)
            for e in edges(model)
            if (e.caller_service, e.callee_service) == (caller, callee)
        }
        assert percent in shares, (caller, callee)
    from meshwright.analysis.capacity import capacity

    cap = capacity(model)
    flagged = {
        (f.message.split(" for ")[1].split(" may")[0]) for f in run_check(loaded, select=["MW702"]).findings
    }
    for (caller, callee), percent in rendered.items():
        n = model.services[callee].runtime.replicas
        need = cap[callee].replicas_needed
        assert need is not None
        assert (f"{caller} → {callee}" in flagged) == (n - ejectable(n, percent) < need), (caller, callee)
    assert ejectable(2, 10) == 1 and ejectable(6, 34) == 2 and ejectable(3, 100) == 3
