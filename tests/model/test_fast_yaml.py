"""The rapidyaml path reads what the libyaml composer reads: same data, same types, same
positions; what it cannot read the same way goes to the composer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate import write_model
from hypothesis import given, settings
from hypothesis import strategies as st

from meshwright.model import source
from meshwright.model.ryml_load import parse_fast

ROOT = Path(__file__).resolve().parents[2]


def typed(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: typed(v) for k, v in x.items()}
    if isinstance(x, list):
        return [typed(v) for v in x]
    return (type(x).__name__, repr(x))


def composed(text: str) -> tuple[Any, source.SourceMap, list[Any]]:
    smap = source.SourceMap(files=["f.yaml"])
    diags: list[Any] = []
    data, smap, diags = source._load_yaml(text, "f.yaml", smap, diags, ())
    return data, smap, diags


def assert_same(text: str) -> bool:
    """True when the fast path took ``text`` (and then agrees with the composer)."""
    fast = parse_fast(text, "f.yaml")
    if fast is None:
        return False
    data, positions = fast
    old, smap, diags = composed(text)
    assert not diags, (text, diags)
    assert typed(data) == typed(old), text
    for key, table in ((False, smap.values.table), (True, smap.keys.table)):
        for path, pos in table.items():
            assert positions.position(path, key) == pos, (text, path, key)
    return True


CASES = [
    "a: 1\nb: on\nc: no\nd: 10ms\n",
    "a: |\n  x\n  y\nb: >-\n  z\n",
    "a: |2-\n    x\n",
    "a: '~'\nb: \"0x1F\"\nc: 'TRUE'\n",
    "'1.5': x\n200: ok\n'007': x\n",
    "a: [1, '012', \"x\", {b: [], c: {}}]\n",
    "a: NaN\nb: Infinity\nc: 1e400\nd: -0\ne: .5\nf: 1.\n",
    "a: \"multi\n  line\"\nb: plain\n  folded\nc: 1\n",
    "k: v # comment\nj:\n\n  m: 1\n",
    "a:\n- - 1\n  - 2\n- b\n- {x: 1}\n",
    "x: é ü\ny: \"\\u00e9\\t\"\nz: 1\n",
    "a: ''\nb: 'null'\nc: \"true\"\n'true': 1\n'null': 2\n",
    "a:\nb:\n  c:\n  d: null\n",
]


@pytest.mark.parametrize("text", CASES)
def test_fast_path_agrees_with_the_composer(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: ~\n", "a: TRUE\n", "a: 0x1F\n", "a: 012\n", "a: +1\n", "a: .inf\n", "true: 1\n",
        "1.5: x\n", "a: &p {x: 1}\nb: *p\n", "a: !!str 1\n", "a:\tb\n", "a: b\r\n",
        "---\na: 1\n---\nb: 2\n", "a: 1\na: 2\n", "a: [1, 2\n", "a: x: y\n", "? [a]\n: 1\n",
        "%YAML 1.2\n---\na: 1\n", "<<: {a: 1}\n", "a: 'TRUE'\nb: TRUE\n",
    ],
)
def test_what_reads_otherwise_goes_to_the_composer(text: str) -> None:
    assert parse_fast(text, "f.yaml") is None


def test_rapidyaml_errors_stay_off_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    assert parse_fast("a: [1, 2\n", "f.yaml") is None
    assert capfd.readouterr().err == ""


def test_examples_agree_and_take_the_fast_path() -> None:
    files = sorted((ROOT / "examples").rglob("*.yaml"))
    taken = [f for f in files if assert_same(f.read_text(encoding="utf-8"))]
    assert len(taken) >= len(files) // 2, "most example files should take the fast path"


def test_generated_model_takes_the_fast_path(tmp_path: Path) -> None:
    model = write_model(tmp_path / "m", 60, 7)
    for f in [model / "mesh.yaml", *sorted((model / "services").glob("*.yaml"))]:
        assert assert_same(f.read_text(encoding="utf-8")), f


_TOKENS = st.sampled_from(
    ["0", "1", "9", ".", "-", "+", "e", "E", "x", "o", "_", "a", "inf", "nan", "Inf", "NaN",
     "~", "null", "Null", "true", "True", "TRUE", "on", "yes", ":", " "]
)
_SCALAR = st.lists(_TOKENS, min_size=1, max_size=5).map("".join).map(str.strip).filter(bool)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SCALAR, min_size=1, max_size=4), st.booleans())
def test_random_scalars_agree(values: list[str], as_keys: bool) -> None:
    if as_keys:
        text = "".join(f"{v}: {i}\n" for i, v in enumerate(values))
    else:
        flow = [v for v in values if not v.startswith(":")]  # see the test below
        text = "".join(f"k{i}: {v}\n" for i, v in enumerate(values)) + "l: [" + ", ".join(flow) + "]\n"
    _, _, diags = composed(text)
    fast = parse_fast(text, "f.yaml")
    if diags:
        assert fast is None, (text, diags)
    elif fast is not None:
        assert_same(text)


def test_flow_plain_scalar_may_start_with_a_colon() -> None:
    """YAML 1.2 allows ``[:0]`` (a plain ':0'); libyaml (YAML 1.1) refuses it. The fast
    path reads it as YAML 1.2 does: a documented difference from the composer."""
    fast = parse_fast("l: [:0]\n", "f.yaml")
    assert fast is not None and fast[0] == {"l": [":0"]}


@pytest.mark.parametrize("text", [
    "a: 1\nb:\n  c: [x, y]\n  d: 'q'\n",  # ASCII: columns are byte counts
    "é: 1\nb:\n  ü: [ß, y]\n  d: 'ñ'  # ☃\n  e: ☃☃ x\n",  # columns count characters
])
def test_positions_asked_again_agree_with_the_composer(text: str) -> None:
    """Positions are remembered per path once found (and misses too): asking again, in
    any order, answers as the composer does, also past multi-byte characters."""
    fast = parse_fast(text, "f.yaml")
    assert fast is not None
    _, positions = fast
    _, smap, _ = composed(text)
    for _ in range(2):
        for key, table in ((False, smap.values.table), (True, smap.keys.table)):
            for path, pos in reversed(table.items()):
                assert positions.position(path, key) == pos, (path, key)
        assert positions.position(("missing",), False) is None
        assert positions.position(("b", "missing"), True) is None
