"""Deterministic YAML text from plain dicts: block style, keys in insertion order."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import SafeRepresenter

_YAML11_AMBIGUOUS = re.compile(
    r"^(y|yes|n|no|true|false|on|off|null|~|[-+]?(\.inf|\.nan)"
    r"|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[-+]?0[bxo]?[0-9a-f_]+|[-+]?[0-9_.]+(e[-+]?[0-9]+)?)$",
    re.IGNORECASE,
)
"""Strings a YAML 1.1 reader (kubectl, Helm, compose) would take for a bool, null or number."""


def _str(representer: SafeRepresenter, data: str) -> ScalarNode:
    style = "'" if _YAML11_AMBIGUOUS.match(data) else None
    return representer.represent_scalar("tag:yaml.org,2002:str", data, style=style)


class _Representer(SafeRepresenter):
    """Safe representer that quotes YAML-1.1-ambiguous strings and writes no aliases
    (a subclass, so other users of ruamel are not changed)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Representer.add_representer(str, _str)


def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.Representer = _Representer
    y.default_flow_style = False
    y.representer.sort_base_mapping_type_on_output = False
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def dump(data: Any) -> str:
    """One YAML document."""
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def dump_all(docs: Iterable[Any]) -> str:
    """Several YAML documents separated by ``---``."""
    return "---\n".join(dump(d) for d in docs)


def load_all(text: str) -> list[Any]:
    """Documents of a YAML stream, empty ones dropped (for tests and patches)."""
    return [d for d in YAML(typ="safe", pure=True).load_all(text) if d is not None]
