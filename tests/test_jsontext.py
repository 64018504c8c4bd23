"""dumps_indented writes exactly what json.dumps(obj, indent=2) writes."""

from __future__ import annotations

import enum
import json
import math
from collections import OrderedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meshwright.jsontext import dumps_indented

_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_keys = st.text() | st.integers() | st.booleans() | st.none() | st.floats()
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=30,
)


@given(_json)
def test_same_text_as_json_dumps(value: object) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2)


class Colour(enum.StrEnum):
    red = "red"


class Level(enum.IntEnum):
    high = 3


class Items(list[object]):
    pass


def test_subclasses_and_specials_as_json() -> None:
    value = {"c": Colour.red, "l": Level.high, "n": [math.nan, -math.inf, math.inf],
             "e": {}, "a": [], "u": "→ \"q\"\n\t\x00", "b": [True, False, None, 1.5, -0.0],
             "o": OrderedDict([("k", (1, 2))]), "s": Items([1, {}])}
    assert dumps_indented(value) == json.dumps(value, indent=2)


def test_non_json_values_raise_as_json_does() -> None:
    with pytest.raises(TypeError):
        dumps_indented({"x": [object()]})
    with pytest.raises(TypeError):
        dumps_indented({(1, 2): 1})
