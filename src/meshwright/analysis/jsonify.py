"""Analysis results as JSON-ready data: dataclasses to dicts, inf/nan to null; and the
indented JSON text of such data, written faster than ``json.dumps(…, indent=2)``."""

from __future__ import annotations

import dataclasses
import math
from json import encoder as _json_encoder
from json.encoder import encode_basestring_ascii
from typing import Any

from pydantic import BaseModel

from meshwright.graph import Edge

_FIELDS: dict[type, tuple[str, ...]] = {}
"""Field names per dataclass type (``dataclasses.fields`` is slow next to the copy)."""


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def jsonable(value: Any) -> Any:
    """A JSON-ready copy of ``value``: dataclass fields plus its ``json_extra`` properties;
    a call edge as caller, callee and its source path; non-finite floats as None."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:  # the common leaves first
        return value
    if t is float:
        return value if math.isfinite(value) else None
    if isinstance(value, Edge):
        return {
            "caller": value.caller,
            "callee": value.callee,
            "path": ".".join(str(p) for p in value.path),
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {name: jsonable(getattr(value, name)) for name in _field_names(t)}
        for name in getattr(value, "json_extra", ()):
            out[name] = jsonable(getattr(value, name))
        return out
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def dumps(value: Any, indent: int = 2) -> str:
    """``json.dumps(value, indent=indent)``, byte for byte (ASCII, ``","``/``": "``
    separators, NaN and Infinity as the standard library writes them), for data made of
    dicts, lists, tuples, strings, numbers, booleans and None. The standard library
    encodes indented output in pure Python through nested generators; here a container
    holding only scalars is written by the C encoder in one call, its item separator
    being the newline and indentation of its level."""
    out: list[str] = []
    _encode(value, out, "\n", " " * indent, {})
    return "".join(out)


_Flat = Any  # the C encoder: (object, level) -> tuple of strings
_CONTAINERS = (dict, list, tuple)


def _flat_encoder(inner: str, cache: dict[str, _Flat]) -> _Flat:
    enc = cache.get(inner)
    if enc is None:
        make = getattr(_json_encoder, "c_make_encoder", None)  # CPython's _json
        if make is None:  # pragma: no cover - CPython always has it
            return None
        enc = cache[inner] = make(
            None, _unserialisable, encode_basestring_ascii, None, ": ", "," + inner, False, False, True
        )
    return enc


def _unserialisable(o: Any) -> Any:
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _float(f: float) -> str:
    if f != f:
        return "NaN"
    if f == math.inf:
        return "Infinity"
    if f == -math.inf:
        return "-Infinity"
    return float.__repr__(f)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return encode_basestring_ascii(k)
    if k is True:
        return '"true"'
    if k is False:
        return '"false"'
    if k is None:
        return '"null"'
    if isinstance(k, int):
        return encode_basestring_ascii(int.__repr__(k))
    if isinstance(k, float):
        return encode_basestring_ascii(_float(k))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(k).__name__}")


def _encode(o: Any, out: list[str], nl: str, step: str, cache: dict[str, _Flat]) -> None:
    t = type(o)
    if t is str:
        out.append(encode_basestring_ascii(o))
    elif t is float:
        out.append(float.__repr__(o) if math.isfinite(o) else _float(o))
    elif o is None:
        out.append("null")
    elif o is True:
        out.append("true")
    elif o is False:
        out.append("false")
    elif t is int:
        out.append(int.__repr__(o))
    elif isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        inner = nl + step
        if t is dict and all(type(k) is str for k in o) and not any(
            isinstance(v, _CONTAINERS) for v in o.values()
        ):
            enc = _flat_encoder(inner, cache)
            if enc is not None:
                text = "".join(enc(o, 0))
                out.append("{" + inner + text[1:-1] + nl + "}")
                return
        sep = "," + inner
        head = "{" + inner
        for k, v in o.items():
            key = encode_basestring_ascii(k) if type(k) is str else _key(k)
            tv = type(v)
            if tv is str:
                out.append(f"{head}{key}: {encode_basestring_ascii(v)}")
            elif tv is float and math.isfinite(v):
                out.append(f"{head}{key}: {float.__repr__(v)}")
            elif v is None:
                out.append(f"{head}{key}: null")
            else:
                out.append(f"{head}{key}: ")
                _encode(v, out, inner, step, cache)
            head = sep
        out.append(nl + "}")
    elif isinstance(o, list | tuple):
        if not o:
            out.append("[]")
            return
        inner = nl + step
        if (t is list or t is tuple) and not any(isinstance(v, _CONTAINERS) for v in o):
            enc = _flat_encoder(inner, cache)
            if enc is not None:
                text = "".join(enc(o, 0))
                out.append("[" + inner + text[1:-1] + nl + "]")
                return
        sep = "," + inner
        out.append("[" + inner)
        first = True
        for v in o:
            if not first:
                out.append(sep)
            first = False
            _encode(v, out, inner, step, cache)
        out.append(nl + "]")
    elif isinstance(o, str):
        out.append(encode_basestring_ascii(o))
    elif isinstance(o, int):
        out.append(int.__repr__(o))
    elif isinstance(o, float):
        out.append(_float(o))
    else:
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
