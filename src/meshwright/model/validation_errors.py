"""Turn pydantic's validation errors into located diagnostics a person can act on."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from meshwright.errors import Diagnostic
from meshwright.model import bounds
from meshwright.model.source import PathKey, SourceMap
from meshwright.model.types import Model


def dotted(path: PathKey) -> str:
    """``services.cart.calls[0].timeout`` from a data path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    """' — did you mean 'x'?' for a close match, else ''."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else ""


def _resolve_path(loc: tuple[int | str, ...], raw: Any, root: type[BaseModel]) -> tuple[PathKey, bool]:
    """The part of pydantic's ``loc`` that names real data, and whether it all exists."""
    path: list[str | int] = []
    node = raw
    exists = True
    aliases = _aliases(root)
    for part in loc:
        if isinstance(part, str):
            part = aliases.get(part, part)
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and ("[" in part or "-" in part or part.endswith("]")):
            continue  # a union / validator tag, not data
        else:
            path.append(part)
            exists = False
            break
    return tuple(path), exists


def _unwrap(tp: Any) -> list[Any]:
    """Concrete member types of an annotation (Optional, Annotated, unions)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_unwrap(arg))
        return out
    return [tp]


def _aliases(root: type[BaseModel]) -> dict[str, str]:
    """Python field name → the key written in YAML, for fields with an alias (``for_`` → ``for``),
    over ``root`` and every model type reachable from it."""
    out: dict[str, str] = {}
    seen: set[type[BaseModel]] = set()
    todo: list[Any] = [root]
    while todo:
        tp = todo.pop()
        if not (isinstance(tp, type) and issubclass(tp, BaseModel)) or tp in seen:
            for arg in typing.get_args(tp):
                todo.extend(_unwrap(arg))
            continue
        seen.add(tp)
        for name, field in tp.model_fields.items():
            if field.alias and field.alias != name:
                out[name] = field.alias
            todo.extend(_unwrap(field.annotation))
    return out


def models_at(path: PathKey, root: type[BaseModel] = Model) -> list[type[BaseModel]]:
    """The model classes a mapping at ``path`` may be (several under a union)."""
    current: list[Any] = [root]
    for part in path:
        nxt: list[Any] = []
        for tp in current:
            origin = typing.get_origin(tp)
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                by_key = {(f.alias or n): f for n, f in tp.model_fields.items()}
                if isinstance(part, str) and part in by_key:
                    nxt.extend(_unwrap(by_key[part].annotation))
            elif origin in (list, dict):
                nxt.extend(_unwrap(typing.get_args(tp)[-1]))
        current = nxt
    return [tp for tp in current if isinstance(tp, type) and issubclass(tp, BaseModel)]


def fields_at(path: PathKey, root: type[BaseModel] = Model) -> list[str]:
    """Field names (as written in YAML) allowed in the mapping at ``path``, if it is a model."""
    return [(f.alias or n) for tp in models_at(path, root) for n, f in tp.model_fields.items()]


def shorthands_at(path: PathKey, root: type[BaseModel] = Model) -> list[str]:
    """What a single value at ``path`` stands for, for policies with a shorthand
    (``retries: 3`` is the attempts): "attempts", "max_concurrent", "a duration"."""
    found: list[str] = []
    for tp in models_at(path, root):
        schema = getattr(tp, "shorthand_schema", None)
        desc = str(schema.get("description", "")) if isinstance(schema, dict) else ""
        if desc.startswith("shorthand: "):
            found.append(desc.removeprefix("shorthand: "))
    return found


def _expected_values(ctx: dict[str, Any] | None) -> list[str]:
    if not ctx or "expected" not in ctx:
        return []
    return re.findall(r"'([^']*)'", str(ctx["expected"]))


def translate(
    exc: ValidationError,
    raw: Any,
    smap: SourceMap,
    root: type[BaseModel] = Model,
    subject: str = "the model",
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, at the file:line:col of the offending data.

    ``root`` is the type validated (the model, or e.g. a simulation scenario); ``subject``
    names it in messages."""
    out: list[Diagnostic] = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        loc = tuple(err["loc"])
        path, exists = _resolve_path(loc, raw, root)
        msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        where = dotted(path) or subject
        hint = ""
        if kind == "extra_forbidden":
            field = str(path[-1])
            allowed = fields_at(path[:-1], root)
            hint = did_you_mean(field, allowed)
            if not hint and allowed:
                hint = "allowed here: " + ", ".join(sorted(allowed))
            out.append(
                Diagnostic(
                    smap.locate(path, key=True),
                    f"unknown field '{field}' in {dotted(path[:-1]) or subject}",
                    hint,
                    code="unknown-field",
                    path=path,
                )
            )
            continue
        if kind == "missing":
            field = str(path[-1]) if path else "?"
            parent = path[:-1]
            out.append(
                Diagnostic(
                    smap.locate(parent),
                    f"missing required field '{field}' in {dotted(parent) or subject}",
                    f"add `{field}: ...`",
                    code="missing",
                    path=path,
                )
            )
            continue
        expected = _expected_values(err.get("ctx"))
        bound = _bound_message(kind, err.get("ctx"), where)
        if bound is not None:
            msg, hint = bound
        elif kind == "literal_error" and path == ("meshwright",):
            msg = f"unsupported format version {_value_at(raw, path)!r}" if exists else msg
            hint = "write `meshwright: 1` (the only format version so far)"
        elif expected and exists:
            got = _value_at(raw, path)
            suggestion = did_you_mean(str(got), expected)
            hint = suggestion or "allowed: " + ", ".join(expected)
            named = [p for p in path if isinstance(p, str)]
            msg = f"invalid value {got!r} for {named[-1] if named else path[-1]}"
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            msg = f"{where} must be a mapping (key: value pairs)"
            names = fields_at(path, root)
            if names:
                hint = "fields: " + ", ".join(names)
            elif entry := fields_at((*path, "NAME"), root):  # a mapping of name → model
                hint = "one entry per name, `NAME: {...}`, with fields: " + ", ".join(entry)
            short = shorthands_at(path, root)
            if short:
                msg = (f"{where} must be one value (the shorthand for {' or '.join(short)}) "
                       "or a mapping (key: value pairs)")
        elif kind == "list_type":
            msg = f"{where} must be a list (items starting with '- ')"
        elif kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
            msg = f"{where} must be a whole number"
            hint = "write digits only, e.g. 3"
            if kind == "int_parsing_size":
                msg += " of sensible size"
        elif kind in ("float_type", "float_parsing"):
            msg = f"{where} must be a number"
            hint = "write e.g. 1 or 0.5"
        elif kind in ("bool_type", "bool_parsing"):
            msg = f"{where} must be true or false"
            hint = "write true or false (without quotes)"
        elif kind in ("string_type",):
            msg = f"{where} must be text"
            hint = "write a name; quote it if it looks like a number, e.g. \"1.30\""
        elif kind == "finite_number":
            msg = f"{where} must be a finite number"
            hint = "write a number such as 3; .inf and .nan are not counts"
        else:
            msg = f"{where}: {msg}"
        out.append(Diagnostic(smap.locate(path), msg, hint, code=kind, path=path))
    return out


_SANITY_BOUNDS = frozenset(
    v for k, v in vars(bounds).items() if k.startswith("MAX_") and isinstance(v, int | float)
)
"""The sanity bounds of :mod:`meshwright.model.bounds` (not ranges such as ports)."""

_BOUNDS = {
    "greater_than": ("greater than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}


def _bound_message(kind: str, ctx: dict[str, Any] | None, where: str) -> tuple[str, str] | None:
    """Our words for a number outside its range: what the range is and what to write."""
    if kind not in _BOUNDS or not ctx:
        return None
    words, key = _BOUNDS[kind]
    limit = ctx.get(key)
    if not isinstance(limit, int | float):
        return None
    text = f"{limit:,}" if isinstance(limit, int) or float(limit).is_integer() else f"{limit:g}"
    if isinstance(limit, float) and limit.is_integer():
        text = f"{int(limit):,}"
    plain = str(int(limit)) if float(limit).is_integer() else f"{limit:g}"
    if key in ("le", "lt"):
        hint = f"write {plain} or less" if key == "le" else f"write a number below {plain}"
        if limit in _SANITY_BOUNDS:
            hint += " (the bound is far above real systems: this value is likely a typo)"
    else:
        hint = f"write {plain} or more" if key == "ge" else f"write a number above {plain}"
    return f"{where} must be {words} {text}", hint


def _value_at(raw: Any, path: PathKey) -> Any:
    node = raw
    for part in path:
        node = node[part]
    return node
