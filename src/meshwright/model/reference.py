"""The model reference (docs/model-reference.md), generated from the typed model itself.

Run ``python -m meshwright.model.reference > docs/model-reference.md``; a test keeps the
committed page equal to this output.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any, Union

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from meshwright.model import units
from meshwright.model.types import Model, Strict

_UNIT_NAMES = {
    "Duration": "duration (250ms, 1.5s, 2m, 7d)",
    "Rate": "rate (50/s, 3000/min)",
    "Percentage": "percentage (99.9)",
    "Cpu": "cpu (500m, 2)",
    "Memory": "memory (512Mi, 1Gi)",
}


def _unit_name(tp: Any) -> str | None:
    for name in _UNIT_NAMES:
        if tp == getattr(units, name):
            return _UNIT_NAMES[name]
    return None


def _type_text(tp: Any, seen: list[type[BaseModel]]) -> str:
    unit = _unit_name(tp)
    if unit:
        return unit
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return _type_text(args[0], seen)
    if origin in (Union, types.UnionType):
        parts = [_type_text(a, seen) for a in args if a is not type(None)]
        text = " or ".join(parts)
        return text + (" (optional)" if type(None) in args else "")
    if origin is list:
        return f"list of {_type_text(args[0], seen)}"
    if origin is dict:
        return f"map of name → {_type_text(args[1], seen)}"
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return " \\| ".join(f"`{m.value}`" for m in tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp not in seen:
            seen.append(tp)
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    return getattr(tp, "__name__", str(tp))


def _default_text(field: Any) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        value = field.default_factory()
        return "" if value in ([], {}) else f"`{value}`"
    value = field.default
    if value is None or value is PydanticUndefined or value == "":
        return ""
    if isinstance(value, BaseModel):
        return "(defaults)"
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    return f"`{value}`"


def render() -> str:
    """Markdown: one table per model type, in the order a reader meets them."""
    seen: list[type[BaseModel]] = [Model]
    out = [
        "# Model reference",
        "",
        "Generated from `src/meshwright/model/types.py` by `python -m meshwright.model.reference`;",
        "do not edit by hand. Durations, rates, percentages and quantities accept the",
        "shorthands shown; policies marked *shorthand* accept a single value for their main field.",
        "",
    ]
    i = 0
    while i < len(seen):
        cls = seen[i]
        i += 1
        out.append(f"## {cls.__name__}")
        out.append("")
        doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        if doc and not doc.startswith("Base of"):
            out.append(doc)
            out.append("")
        if issubclass(cls, Strict) and cls.shorthand_schema is not None:
            desc = cls.shorthand_schema.get("description", "null means all defaults")
            out.append(f"*Shorthand*: {desc}.")
            out.append("")
        out.append("| field | type | default | meaning |")
        out.append("| --- | --- | --- | --- |")
        for name, field in cls.model_fields.items():
            type_text = _type_text(field.annotation, seen)
            meaning = (field.description or "").replace("|", "\\|")
            out.append(f"| `{name}` | {type_text} | {_default_text(field)} | {meaning} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
