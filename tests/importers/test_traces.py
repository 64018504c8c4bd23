"""Traces → model, and the round trip model → generated traces → import → model.

The committed fixtures (data/traces/{otlp,jaeger,zipkin}.json) were generated from
data/traces/model.yaml by tracegen.py (20 s of traffic, seed 7). The three formats hold the
same spans, so they must import to the same model; that model must have the generating
model's edges per operation, and its per_request, rates, service times and availability
within sampling tolerance. The Online Boutique round trip generates traces of the
hand-written model at test time and imports them together with the real manifests.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from meshwright.importers.traces import parse_spans
from meshwright.model import Model, load_model

from .helpers import OB_RELEASE, ROOT, TRACES, import_json, runs_every_stage
from .tracegen import generate, to_jaeger, to_otlp, to_zipkin

FORMATS = ("otlp", "jaeger", "zipkin")


def _calls(model: Model) -> dict[tuple[str, str], dict[str, float]]:
    """(service, operation) → call target → calls per request (summed over repeats)."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for name, svc in model.services.items():
        for _, op, _ in svc.operations():
            targets: dict[str, float] = defaultdict(float)
            for call in svc.calls_of(op):
                targets[call.to] += call.per_request
            out[(name, op)] = dict(targets)
    return out


def _import(tmp: Path, *args: str) -> Model:
    import_json(*args, "-o", str(tmp))
    return load_model(tmp).model


@pytest.fixture(scope="module")
def source() -> Model:
    return load_model(TRACES / "model.yaml").model


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The committed fixtures, each imported into a model directory."""
    out = {}
    for fmt in FORMATS:
        out[fmt] = tmp_path_factory.mktemp(fmt) / "model"
        import_json("traces", str(TRACES / f"{fmt}.json"), "-o", str(out[fmt]), "--system", "traced")
    return out


@pytest.fixture(scope="module", params=FORMATS)
def imported(request: pytest.FixtureRequest, source: Model,
             tmp_path_factory: pytest.TempPathFactory) -> Model:
    """Five minutes of the source model's traffic, in one format, imported."""
    writer = {"otlp": to_otlp, "jaeger": to_jaeger, "zipkin": to_zipkin}[request.param]
    tmp = tmp_path_factory.mktemp(f"gen-{request.param}")
    (tmp / "traces.json").write_text(json.dumps(writer(generate(source, seconds=300, seed=5))))
    return _import(tmp / "model", "traces", str(tmp / "traces.json"))


def test_formats_are_recognised() -> None:
    seen = {parse_spans(json.loads((TRACES / f"{f}.json").read_text()), f)[0] for f in FORMATS}
    assert seen == {"OTLP", "Jaeger", "Zipkin"}


def test_the_three_fixtures_import_to_the_same_model(fixtures: dict[str, Path]) -> None:
    """Same spans in three formats: the same files, but for the provenance comments
    naming the input file."""
    texts = {fmt: {p.relative_to(d).as_posix(): p.read_text().replace(f"{fmt}.json", "F")
                   .replace("(OTLP)", "(F)").replace("(Jaeger)", "(F)").replace("(Zipkin)", "(F)")
                   for p in sorted(d.rglob("*.yaml"))} for fmt, d in fixtures.items()}
    assert texts["otlp"] == texts["jaeger"] == texts["zipkin"]
    web = (fixtures["otlp"] / "services" / "web.yaml").read_text()
    assert "{to: pricing.Quote, per_request: 2} # traces: 100 calls (" in web
    assert "span self time of" in web


def test_round_trip_edges_and_rates(source: Model, imported: Model) -> None:
    theirs, ours = _calls(source), _calls(imported)
    assert set(ours) == set(theirs)
    for key, targets in theirs.items():
        assert set(ours[key]) == set(targets), key
        for target, per_request in targets.items():
            assert ours[key][target] == pytest.approx(per_request, rel=0.08), (key, target)
    rates = {e.operation: e.rate for e in imported.entrypoints}
    for ep in source.entrypoints:  # 600 and more arrivals: a standard error below 4 %
        assert rates[ep.operation] == pytest.approx(ep.rate, rel=0.15), ep.operation


def test_round_trip_ports_protocols_and_api_names(source: Model, imported: Model) -> None:
    for name, svc in source.services.items():
        assert [(a.name, a.protocol, a.port) for a in imported.services[name].apis] == [
            (a.name, a.protocol, a.port) for a in svc.apis]


def test_service_times_are_span_self_times(source: Model, imported: Model) -> None:
    for name, svc in source.services.items():
        for _, op, operation in svc.operations():
            got = imported.services[name].operation(op)
            assert got is not None
            assert got.service_time.mean == pytest.approx(operation.service_time.mean, rel=0.15), (name, op)
    # downstream time is not own time: Checkout waits ≈ 3 + 2×1 + 12 ms but works ≈ 4 ms
    checkout = imported.services["web"].operation("Checkout")
    assert checkout is not None and checkout.service_time.mean < 0.005
    assert checkout.service_time.p99 == pytest.approx(0.020, rel=0.3)  # its lognormal p99


def test_error_rates_become_availability(imported: Model) -> None:
    # payment fails by itself 2 % of the time (availability 98 %); web's own 0.5 % and the
    # failures it passes on from payment are told apart: web's availability stays its own.
    # tolerances: 3 standard errors of a binomial share (≈ 600 Charge, ≈ 1,500 web spans)
    assert imported.services["payment"].availability == pytest.approx(98, abs=1.8)
    assert imported.services["web"].availability == pytest.approx(99.5, abs=0.6)
    assert imported.services["cart"].availability == pytest.approx(99.9, abs=0.3)
    # pricing never fails (availability 100): no error seen is no proof of 100 %, so the
    # import leaves the model's default
    assert imported.services["pricing"].availability == 99.9


def test_every_stage_runs_on_a_traced_model(fixtures: dict[str, Path], tmp_path: Path) -> None:
    runs_every_stage(fixtures["otlp"], tmp_path)


def test_json_lines_otlp(tmp_path: Path, source: Model) -> None:
    spans = generate(source, seconds=5, seed=3)
    lines = tmp_path / "spans.jsonl"
    half = len(spans) // 2
    lines.write_text(json.dumps(to_otlp(spans[:half])) + "\n" + json.dumps(to_otlp(spans[half:])) + "\n")
    model = _import(tmp_path / "m", "traces", str(lines))
    assert set(model.services) == set(source.services)


@pytest.mark.parametrize("writer", [to_otlp, to_jaeger, to_zipkin])
def test_online_boutique_round_trip(tmp_path: Path, writer: object) -> None:
    """The hand-written model's traffic as traces, imported with the real manifests: the
    operations, and each operation's calls, are the hand-written ones."""
    hand = load_model(ROOT / "examples" / "online-boutique").model
    spans = generate(hand, seconds=240, seed=11)
    trace_file = tmp_path / "traces.json"
    trace_file.write_text(json.dumps(writer(spans)))  # type: ignore[operator]
    out = tmp_path / "m"
    summary = import_json("kubernetes", str(OB_RELEASE), "--traces", str(trace_file), "-o", str(out))
    model = load_model(out).model
    theirs, ours = _calls(hand), _calls(model)
    exercised = {k for k in theirs if (k[0], k[1]) in ours}
    assert len(exercised) >= 15
    for key in exercised:
        assert set(ours[key]) == set(theirs[key]), key
        for target, per_request in theirs[key].items():
            assert ours[key][target] == pytest.approx(per_request, rel=0.25, abs=0.3), (key, target)
    # gRPC spans name their API (the proto service); HTTP spans do not
    assert {(a.name if a.protocol == "grpc" else a.protocol, a.port, a.call_port)
            for s in model.services.values() for a in s.apis} == {
        (a.name if a.protocol == "grpc" else a.protocol, a.port, a.call_port)
        for s in hand.services.values() for a in s.apis}
    strongest = {e["strongest"] for e in summary["edges"]}
    assert strongest == {"traces"}
    assert "TODO entrypoints" not in (out / "mesh.yaml").read_text()
    assert {e.operation for e in model.entrypoints} == {e.operation for e in hand.entrypoints}
