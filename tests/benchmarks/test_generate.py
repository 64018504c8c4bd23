"""The synthetic-system generator: valid, reproducible, and shaped as documented."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pytest

from conftest import ROOT
from meshwright.callpolicy import semantics
from meshwright.graph import edges, service_graph
from meshwright.model import Model, load_model, load_text

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import SERVICES_PER_FILE, generate, write_model


@pytest.fixture(scope="module")
def model50() -> Model:
    return load_text(generate(50, seed=3), "generated.yaml").model


def test_a_generated_model_validates_with_the_requested_shape(model50: Model) -> None:
    assert len(model50.services) == 50
    assert len(model50.contexts) == 5
    events = [t for t, topic in model50.topics.items() if not topic.dead_letter]
    assert len(events) == 10
    assert all(model50.producers(t) and model50.consumers(t) for t in events)
    assert model50.entrypoints
    calls = edges(model50)
    assert len(calls) == 5 * 50
    assert nx.is_directed_acyclic_graph(service_graph(model50))


def test_generated_timeouts_cover_retries_of_idempotent_operations(model50: Model) -> None:
    retried = 0
    for edge in edges(model50):
        call = edge.call
        assert call.timeout is not None
        app = semantics(call).app
        if app.retries:
            retried += 1
            callee = model50.operation(edge.callee)
            assert callee is not None and callee.idempotent
            assert app.per_try_timeout is not None
            budget = app.schedule(app.per_try_timeout)
            assert budget <= call.timeout + 1e-9
    assert retried > 0


def test_same_seed_same_text_other_seed_other_text() -> None:
    assert generate(30, seed=11) == generate(30, seed=11)
    assert generate(30, seed=11) != generate(30, seed=12)


def test_the_directory_form_is_the_same_model_split_into_fragments(tmp_path: Path) -> None:
    root = write_model(tmp_path / "big", 120, seed=5)
    fragments = sorted((root / "services").glob("*.yaml"))
    assert len(fragments) == -(-120 // SERVICES_PER_FILE)
    assert load_model(root).model == load_text(generate(120, seed=5)).model
