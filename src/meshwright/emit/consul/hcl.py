"""The HCL writer of Consul config entries: attributes and object literals only
(``Key = { ... }``, ``Key = [ { ... }, ]``), the subset HCL 1 (Consul's parser) and HCL 2
read alike."""

from __future__ import annotations

import json
from typing import Any

INDENT = "  "


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")
    raise TypeError(f"no HCL form for {value!r}")


def _value(value: Any, depth: int) -> str:
    pad = INDENT * depth
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{\n" + _body(value, depth + 1) + pad + "}"
    if isinstance(value, list):
        if not any(isinstance(v, dict | list) for v in value):
            return "[" + ", ".join(_scalar(v) for v in value) + "]"
        inner = "".join(f"{pad}{INDENT}{_value(v, depth + 1)},\n" for v in value)
        return "[\n" + inner + pad + "]"
    return _scalar(value)


def _body(obj: dict[str, Any], depth: int) -> str:
    pad = INDENT * depth
    return "".join(f"{pad}{key} = {_value(v, depth)}\n" for key, v in obj.items())


def hcl_document(obj: dict[str, Any]) -> str:
    """``obj`` as an HCL file of top-level attributes."""
    return _body(obj, 0)
