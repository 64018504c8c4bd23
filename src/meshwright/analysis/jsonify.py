"""Analysis results as JSON-ready data: dataclasses to dicts, inf/nan to null (the text is
written by :mod:`meshwright.jsontext`)."""

from __future__ import annotations

import dataclasses
import math
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
