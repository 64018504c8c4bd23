"""Random and mutated YAML never yields a traceback: only a model or located errors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meshwright.errors import ModelError
from meshwright.model import load_text
from meshwright.model.scaffold import STARTER_MODEL

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["250ms", "1s", "50/s", "500m", "512Mi", "grpc", "a.b"]),
)
KEYS = st.sampled_from([
    "meshwright", "system", "services", "calls", "to", "timeout", "retries", "apis", "operations",
    "topics", "contexts", "entrypoints", "sagas", "steps", "do", "runtime", "replicas", "port",
    "protocol", "rate", "operation", "context", "x", "attempts", "publishes", "consumes",
])
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=25,
)


def _load(text: str) -> None:
    try:
        load_text(text, "fuzz.yaml")
    except ModelError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.location.file == "fuzz.yaml"
            assert d.location.line >= 1 and d.location.col >= 1
            assert d.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_random_structures(value: object) -> None:
    import json

    _load(json.dumps(value, allow_nan=True) if not isinstance(value, str) else value)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    _load(text)


LINES = STARTER_MODEL.splitlines()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(LINES) - 1),
            st.sampled_from(["delete", "dup", "indent", "dedent", "garble", "swap"]),
            st.text(max_size=8),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_starter_model(mutations: list[tuple[int, str, str]]) -> None:
    lines = list(LINES)
    for index, kind, junk in mutations:
        i = min(index, len(lines) - 1)
        if not lines:
            break
        if kind == "delete":
            del lines[i]
        elif kind == "dup":
            lines.insert(i, lines[i])
        elif kind == "indent":
            lines[i] = "  " + lines[i]
        elif kind == "dedent":
            lines[i] = lines[i][2:]
        elif kind == "garble":
            cut = len(lines[i]) // 2
            lines[i] = lines[i][:cut] + junk + lines[i][cut:]
        else:
            j = (i + 1) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
    _load("\n".join(lines) + "\n")
