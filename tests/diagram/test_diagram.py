"""`meshwright diagram`: the views of the real examples, laid out by the real Graphviz.

The SVG tests count what Graphviz drew (``<g class="node">``, ``class="edge"``,
``class="cluster"``) against counts taken from the model itself, not from the diagram."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli_runner import run
from meshwright.check.engine import run_check
from meshwright.diagram import render
from meshwright.diagram.views import view
from meshwright.model import Model, load_model

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ("shop", "online-boutique")
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = os.environ.get("MESHWRIGHT_UPDATE_GOLDEN") == "1"

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def _load(example: str) -> Model:
    return load_model(ROOT / "examples" / example).model


def _sync_pairs(model: Model) -> set[tuple[str, str]]:
    return {
        (s, c.target_service)
        for s, svc in model.services.items()
        for _, op, _ in svc.operations()
        for c in svc.calls_of(op)
    }


def _topic_users(model: Model) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    pub: dict[str, set[str]] = {}
    sub: dict[str, set[str]] = {}
    for s, svc in model.services.items():
        for t in svc.publishes:
            pub.setdefault(t, set()).add(s)
        for _, _, op in svc.operations():
            for t in op.publishes:
                pub.setdefault(t, set()).add(s)
        for c in svc.consumes:
            sub.setdefault(c.topic, set()).add(s)
    return pub, sub


def expected_counts(model: Model, name: str) -> tuple[int, int, int]:
    """(nodes, edges, clusters) of a view, counted from the model."""
    pub, sub = _topic_users(model)
    contexts = {svc.context for svc in model.services.values() if svc.context}
    if name == "context":
        async_pairs = {(p, c) for t in sub for p in pub.get(t, ()) for c in sub[t]}
        return len(model.services), len(_sync_pairs(model)) + len(async_pairs), len(contexts)
    if name == "containers":
        stores = {d for svc in model.services.values() for d in svc.datastores}
        owned = sum(len(svc.datastores) for svc in model.services.values())
        topics = set(pub) | set(sub)
        nodes = len(model.entrypoints) + len(model.services) + len(stores) + len(topics)
        flows = sum(len(v) for v in pub.values()) + sum(len(v) for v in sub.values())
        edges = len(model.entrypoints) + len(_sync_pairs(model)) + owned + flows
        return nodes, edges, len(contexts) + (1 if topics else 0)
    ops: set[str] = set()
    calls = 0
    stack = [ep.operation for ep in model.entrypoints]
    while stack:
        op = stack.pop()
        if op in ops:
            continue
        ops.add(op)
        service, _, oname = op.partition(".")
        out = model.services[service].calls_of(oname)
        calls += len(out)
        stack += [c.to for c in out]
    services = {op.split(".", 1)[0] for op in ops}
    return len(model.entrypoints) + len(ops), len(model.entrypoints) + calls, len(services)


def svg_counts(svg: str) -> tuple[int, int, int]:
    return (
        len(re.findall(r'<g id="node\d+" class="node"', svg)),
        len(re.findall(r'<g id="edge\d+" class="edge"', svg)),
        len(re.findall(r'<g id="clust\d+" class="cluster"', svg)),
    )


@needs_dot
@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("name", ["context", "containers", "calls"])
def test_svg_draws_every_element_of_the_model(example: str, name: str) -> None:
    loaded = load_model(ROOT / "examples" / example)
    findings = run_check(loaded).findings
    svg = render(view(loaded.model, name, findings), "svg").decode()
    assert svg_counts(svg) == expected_counts(loaded.model, name)
    assert svg.rstrip().endswith("</svg>")


@needs_dot
def test_context_map_colours_services_by_their_worst_finding() -> None:
    loaded = load_model(ROOT / "examples" / "online-boutique")
    findings = run_check(loaded).findings
    errors = {str(f.path[1]) for f in findings if f.severity.value == "error" and f.path[0] == "services"}
    svg = render(view(loaded.model, "context", findings), "svg").decode()
    for service in errors:  # error fill on the service's node
        block = svg.split(f"<title>s_{service}</title>", 1)[1].split("</g>", 1)[0]
        assert 'fill="#fde2e1"' in block, service
    plain = render(view(loaded.model, "context", []), "svg").decode()
    assert "#fde2e1" not in plain


def _element(svg: str, title: str) -> str:
    """The unescaped text of the SVG group whose <title> is ``title`` (up to the next group)."""
    after = html.unescape(svg).split(f"<title>{title}</title>", 1)[1]
    return re.split(r'<g id="(?:node|edge|clust)\d+"', after, maxsplit=1)[0]


@needs_dot
def test_sync_edges_are_solid_async_dashed_and_labelled_with_policy() -> None:
    svg = render(view(_load("shop"), "context"), "svg").decode()
    # checkout → payment: timeout 1.5s, 2 tries (examples/shop/services/checkout.yaml)
    sync = _element(svg, "s_checkout->s_payment")
    assert "1.5s ×2" in sync and "stroke-dasharray" not in sync
    topic = _element(svg, "s_orders->s_notification")
    assert "stroke-dasharray" in topic and "order-confirmed" in topic


def test_context_narrows_to_one_context_and_its_neighbours() -> None:
    model = _load("shop")
    d = view(model, "context", context="payments")
    inside = {n.label for n in d.nodes if n.kind == "service"}
    outside = {n.label for n in d.nodes if n.kind == "external"}
    assert inside == {"payment", "fraud"}
    assert outside == {"checkout"}  # the only caller of payments
    assert all(model.services[e.source[2:]].context == "payments"
               or model.services[e.target[2:]].context == "payments" for e in d.edges)


def test_unknown_context_or_entrypoint_is_a_usage_error() -> None:
    done = run("diagram", str(ROOT / "examples/shop"), "--context", "payment", "-f", "mermaid")
    assert done.returncode == 2
    assert "did you mean 'payments'" in done.stderr
    done = run("diagram", str(ROOT / "examples/shop"), "--view", "calls", "-e", "chekout", "-f", "dot")
    assert done.returncode == 2 and "did you mean 'checkout'" in done.stderr


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("name", ["context", "containers", "calls"])
@pytest.mark.parametrize("fmt", ["mermaid", "plantuml"])
def test_text_formats_match_golden_files(example: str, name: str, fmt: str) -> None:
    loaded = load_model(ROOT / "examples" / example)
    text = render(view(loaded.model, name, run_check(loaded).findings), fmt).decode()
    path = GOLDEN / f"{example}-{name}.{'mmd' if fmt == 'mermaid' else 'puml'}"
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        f"{path.name} changed: review it, then rerun with MESHWRIGHT_UPDATE_GOLDEN=1"
    )


def test_mermaid_and_plantuml_declare_every_node_and_edge() -> None:
    model = _load("shop")
    d = view(model, "containers")
    mmd = render(d, "mermaid").decode()
    puml = render(d, "plantuml").decode()
    assert len(re.findall(r"^\s+n\d+ (-->|-\.->|---|==>)", mmd, re.M)) == len(d.edges)
    assert len(re.findall(r"^n\d+ (-->|\.\.>|--|==>) n\d+", puml, re.M)) == len(d.edges)
    assert puml.startswith("@startuml") and puml.rstrip().endswith("@enduml")


@needs_dot
def test_cli_writes_png_and_svg(tmp_path: Path) -> None:
    png = tmp_path / "c4.png"
    done = run("diagram", str(ROOT / "examples/shop"), "--view", "containers", "-f", "png", "-o", str(png))
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    done = run("diagram", str(ROOT / "examples/online-boutique"), "--view", "calls", "--no-findings")
    assert done.returncode == 0 and done.stdout.lstrip().startswith("<?xml")


def test_missing_dot_is_a_clear_error_with_the_fix(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "meshwright", "diagram", str(ROOT / "examples/shop"),
         "-o", str(tmp_path / "x.svg")],
        capture_output=True, text=True, check=False, timeout=120,
        env={"PATH": str(tmp_path), "COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert done.returncode == 2
    assert "dot" in done.stderr and "apt-get install graphviz" in done.stderr
    assert "--format mermaid" in done.stderr and "Traceback" not in done.stderr


def test_every_text_format_groups_nodes_the_same_way() -> None:
    """Clusters with nodes in cluster order (an empty one is skipped but keeps its index),
    then the nodes outside any known cluster, in node order by cluster."""
    from meshwright.diagram.dot import to_dot
    from meshwright.diagram.graph import Cluster, Diagram, Node
    from meshwright.diagram.mermaid import to_mermaid
    from meshwright.diagram.plantuml import to_plantuml

    d = Diagram(
        title="t", view="context",
        nodes=(
            Node("a", "A", "service", cluster="c2"),
            Node("x", "X", "external"),
            Node("b", "B", "service", cluster="gone"),
            Node("c", "C", "service", cluster="c2"),
            Node("y", "Y", "external"),
        ),
        edges=(),
        clusters=(Cluster("c1", "empty"), Cluster("c2", "two")),
    )
    inside, outside = d.grouped()
    assert [(i, c.id, [n.id for n in ns]) for i, c, ns in inside] == [(1, "c2", ["a", "c"])]
    assert [n.id for n in outside] == ["x", "y", "b"]
    assert d.short_ids() == {"a": "n1", "x": "n2", "b": "n3", "c": "n4", "y": "n5"}
    mermaid = to_mermaid(d).splitlines()
    assert mermaid[2:9] == ['  subgraph g2["two"]', '    n1["A"]', '    n4["C"]', "  end",
                            '  n2["X"]', '  n5["Y"]', '  n3["B"]']
    plantuml = to_plantuml(d).splitlines()
    assert plantuml[4:11] == ['package "two" {', '  rectangle "A" as n1', '  rectangle "C" as n4',
                              "}", 'rectangle "X" as n2 #F8FAFC;line.dashed',
                              'rectangle "Y" as n5 #F8FAFC;line.dashed', 'rectangle "B" as n3']
    dot = to_dot(d)
    assert "subgraph cluster_1 {" in dot and "cluster_0" not in dot
    assert dot.index('"x" [') < dot.index('"y" [') < dot.index('"b" [')
