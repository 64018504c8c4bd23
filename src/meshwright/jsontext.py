"""``json.dumps(obj, indent=2)``, the same text, faster for large reports.

With ``indent`` the standard library encodes in Python, through nested generators, one
small string at a time; a check of a 10,000-service model writes about 100,000 findings
that way. :func:`dumps_indented` builds each container with one ``join`` and encodes
strings with the standard library's C function, so the text is byte for byte what
``json.dumps(obj, indent=2)`` writes (ASCII-escaped, ``", "`` / ``": "`` separators,
``NaN``/``Infinity`` for non-finite floats, keys in insertion order). Any value it does
not know (a non-JSON type) is handed to :func:`json.dumps`, which raises as it always did;
a container that holds itself raises RecursionError (json: ValueError).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any

_INDENT = "  "


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == float("-inf"):
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring_ascii(key)
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return f'"{int.__repr__(key)}"'
    if isinstance(key, float):
        return f'"{_float(key)}"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _encode(value: Any, level: int) -> str:
    kind = type(value)  # exact types first (the common case), then json.encoder's order
    if kind is str:
        return encode_basestring_ascii(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = "\n" + _INDENT * (level + 1)
        pairs = [
            (encode_basestring_ascii(k) if type(k) is str else _key(k)) + ": " + _encode(v, level + 1)
            for k, v in value.items()
        ]
        return "{" + inner + ("," + inner).join(pairs) + "\n" + _INDENT * level + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = "\n" + _INDENT * (level + 1)
        items = [_encode(v, level + 1) for v in value]
        return "[" + inner + ("," + inner).join(items) + "\n" + _INDENT * level + "]"
    if kind is int:
        return int.__repr__(value)
    return _other(value, level)


def _other(value: Any, level: int) -> str:
    # json.encoder's order: str before int (a str enum is a str), bools before int
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (list, tuple, dict)):  # subclasses: as their base
        return _encode(dict(value) if isinstance(value, dict) else list(value), level)
    # not JSON: json.dumps raises its own TypeError (or calls the value's encoder)
    return json.dumps(value, indent=2).replace("\n", "\n" + _INDENT * level)


def dumps_indented(obj: Any) -> str:
    """Exactly ``json.dumps(obj, indent=2)``."""
    return _encode(obj, 0)


# Building blocks for writers of the same text straight from typed objects
# (``analysis.jsonify.dumps``), so the layout is defined here only.

encode_str = encode_basestring_ascii
"""A JSON string literal (ASCII-escaped) of a ``str``."""

NEWLINES = tuple("\n" + _INDENT * level for level in range(64))
"""``NEWLINES[level]``: the line break and indentation before a value at ``level``."""


def newline(level: int) -> str:
    return NEWLINES[level] if level < len(NEWLINES) else "\n" + _INDENT * level


def container(items: list[str], level: int, brackets: str) -> str:
    """A list (``brackets`` ``"[]"``) or an object (``"{}"``, items ``key: value``) at
    ``level`` whose items are written already (at ``level + 1``)."""
    if not items:
        return brackets
    inner = newline(level + 1)
    return brackets[0] + inner + ("," + inner).join(items) + newline(level) + brackets[1]


def encode_at(value: Any, level: int) -> str:
    """``value`` written as :func:`dumps_indented` writes it at nesting ``level``."""
    return _encode(value, level)
