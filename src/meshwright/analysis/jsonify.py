"""Analysis results as JSON-ready data: dataclasses to dicts, inf/nan to null (the text is
written by :mod:`meshwright.jsontext`); :func:`dumps` writes that text straight from the
results, without the JSON-ready copy."""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from meshwright import jsontext
from meshwright.graph import Edge

_FIELDS: dict[type, tuple[str, ...]] = {}
"""Field names per dataclass type (``dataclasses.fields`` is slow next to the copy)."""


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def attributes(value: Any) -> dict[str, Any]:
    """A dataclass instance's fields and ``json_extra`` properties as :func:`jsonable`
    writes them (the values as they are)."""
    return {name: getattr(value, name) for name in _record(type(value)).names}


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


def dumps(value: Any) -> str:
    """Exactly ``jsontext.dumps_indented(jsonable(value))``, written in one pass over
    ``value`` (at 10,000 services the copy took as long as a third of the writing)."""
    return _write(value, 0)


_encode_str = jsontext.encode_str
_float_repr = float.__repr__
_int_repr = int.__repr__


@dataclass(frozen=True)
class _Record:
    """How a dataclass type is written: its attributes and, per nesting level, the text
    around their values."""

    names: tuple[str, ...]
    get: Callable[[Any], Any]
    """The attribute values as a tuple (``operator.attrgetter``)."""
    templates: dict[int, str]
    """Per level: the whole object with ``%s`` for each value."""

    def template(self, level: int) -> str:
        text = self.templates.get(level)
        if text is None:
            keys = [_encode_str(n).replace("%", "%%") + ": %s" for n in self.names]
            text = self.templates[level] = jsontext.container(keys, level, "{}")
        return text


_RECORDS: dict[type, _Record] = {}
"""Per dataclass type: its fields, then its ``json_extra`` properties."""


def _record(cls: type) -> _Record:
    out = _RECORDS.get(cls)
    if out is None:
        names = tuple(dict.fromkeys((*_field_names(cls), *getattr(cls, "json_extra", ()))))
        if not names:
            get: Callable[[Any], Any] = lambda v: ()  # noqa: E731
        elif len(names) == 1:
            one = operator.attrgetter(names[0])
            get = lambda v: (one(v),)  # noqa: E731
        else:
            get = operator.attrgetter(*names)
        out = _RECORDS[cls] = _Record(names, get, {})
    return out


_SCALARS = frozenset({str, float, int, bool, type(None)})


def _values(values: list[Any] | tuple[Any, ...], level: int) -> list[str]:
    """Each of ``values`` written at ``level``, the scalars (most values) inline. (The C
    encoder of ``json`` is slower here: its set-up per call costs more than ten values.)"""
    out: list[str] = []
    add = out.append
    for v in values:
        t = type(v)
        if t is float:
            add(_float_repr(v) if v - v == 0.0 else "null")  # inf and nan: null
        elif t is str:
            add(_encode_str(v))
        elif v is None:
            add("null")
        elif t is bool:
            add("true" if v else "false")
        elif t is int:
            add(_int_repr(v))
        else:
            add(_write(v, level))
    return out


def _scalar(v: Any) -> str:
    t = type(v)
    if t is float:
        return _float_repr(v) if v - v == 0.0 else "null"  # inf and nan: null
    if t is str:
        return _encode_str(v)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    return _int_repr(v)


def _write(value: Any, level: int) -> str:
    t = type(value)
    record = _RECORDS.get(t)
    if record is not None:  # a dataclass type written before
        if not record.names:
            return "{}"
        return record.template(level) % tuple(_values(record.get(value), level + 1))
    if t is Edge:
        return _write_edge(value, level)
    if t is dict:
        return _write_dict(value, level)
    if t is list or t is tuple:
        return jsontext.container(_values(value, level + 1), level, "[]")
    if t in _SCALARS:
        return _scalar(value)
    return _write_other(value, level)


_EDGE = _Record(("caller", "callee", "path"), operator.attrgetter("caller", "callee"), {})
"""A call edge is written as caller, callee and its source path (dotted)."""


def _write_edge(edge: Edge, level: int) -> str:
    path = ".".join(map(str, edge.path))
    return _EDGE.template(level) % (
        _encode_str(edge.caller), _encode_str(edge.callee), _encode_str(path)
    )


def _write_dict(value: dict[Any, Any], level: int) -> str:
    if not all(type(k) is str for k in value):
        value = {str(k): v for k, v in value.items()}  # jsonable's keys (later ones win)
    keys = [_encode_str(k) + ": " for k in value]
    items = list(map(str.__add__, keys, _values(list(value.values()), level + 1)))
    return jsontext.container(items, level, "{}")


def _write_other(value: Any, level: int) -> str:
    """:func:`jsonable`'s order for everything but exact JSON types and known records."""
    if isinstance(value, Edge):
        return _write_edge(value, level)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _record(type(value))
        return _write(value, level)
    if isinstance(value, BaseModel):
        return jsontext.encode_at(value.model_dump(mode="json"), level)
    if isinstance(value, dict):
        return _write_dict(value, level)
    if isinstance(value, list | tuple):
        return jsontext.container(_values(value, level + 1), level, "[]")
    if isinstance(value, float):
        return _float_repr(value) if math.isfinite(value) else "null"
    return jsontext.encode_at(value, level)  # str and int subclasses; raises for non-JSON
