"""Render a :class:`Diagram` in any supported format: the formats' one dispatcher."""

from __future__ import annotations

import re

from meshwright.diagram.dot import layout, to_dot
from meshwright.diagram.graph import Diagram
from meshwright.diagram.mermaid import to_mermaid
from meshwright.diagram.plantuml import to_plantuml

FORMATS = ("svg", "png", "mermaid", "plantuml", "dot")
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)


def render(d: Diagram, fmt: str) -> bytes:
    """The diagram as ``fmt`` (one of :data:`FORMATS`); svg and png are laid out by ``dot``."""
    if fmt == "mermaid":
        return to_mermaid(d).encode("utf-8")
    if fmt == "plantuml":
        return to_plantuml(d).encode("utf-8")
    if fmt == "dot":
        return to_dot(d).encode("utf-8")
    if fmt in ("svg", "png"):
        return layout(to_dot(d), fmt)
    raise ValueError(f"unknown diagram format {fmt!r}")


def inline_svg(d: Diagram) -> str:
    """The laid-out SVG without its XML prolog and doctype, to embed in HTML."""
    return _PROLOG.sub("", render(d, "svg").decode("utf-8"), count=1)
