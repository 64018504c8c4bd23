"""`meshwright diagram MODEL --view VIEW --format FORMAT`: export a diagram for docs and wikis."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from meshwright.check.engine import run_check
from meshwright.console import err_console
from meshwright.diagram.render import render
from meshwright.diagram.views import view
from meshwright.errors import UsageError
from meshwright.model import load_model

COMMANDS: dict[str, str] = {
    "diagram": "Draw the model: a context map, a C4-style container view or the call trees.",
}
"""The commands :func:`register` adds, each with the line `meshwright --help` shows for it;
`meshwright.cli` reads this without importing the module."""

LARGE_EDGES = 400
"""Edges above which laying out a whole view is slow and unreadable: the command says so."""


class View(StrEnum):
    context = "context"
    containers = "containers"
    calls = "calls"


class Format(StrEnum):
    svg = "svg"
    png = "png"
    mermaid = "mermaid"
    plantuml = "plantuml"
    dot = "dot"


def diagram_command(
    path: Annotated[Path, typer.Argument(help="Model file (mesh.yaml) or model directory.")],
    view_name: Annotated[
        View,
        typer.Option(
            "--view", "-v", help="context (context map), containers (C4 style) or calls (per entrypoint)."
        ),
    ] = View.context,
    format: Annotated[
        Format,
        typer.Option(
            "--format", "-f", help="svg or png (laid out by Graphviz), mermaid, plantuml or dot text."
        ),
    ] = Format.svg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    context: Annotated[
        str | None,
        typer.Option("--context", "-c", help="Only this bounded context and the services it talks to."),
    ] = None,
    entrypoint: Annotated[
        str | None,
        typer.Option("--entrypoint", "-e", help="calls view: only this entrypoint (its name or operation)."),
    ] = None,
    findings: Annotated[
        bool,
        typer.Option("--findings/--no-findings", help="Colour nodes by their worst review finding."),
    ] = True,
) -> None:
    """Draw the model: a context map, a C4-style container view or the call trees.

    Examples:

        meshwright diagram my-system -o context.svg                  # context map, SVG
        meshwright diagram my-system --view containers -f png -o c4.png
        meshwright diagram my-system --view calls -e orders.PlaceOrder -f mermaid   # for a README
        meshwright diagram big-system --context ordering -o ordering.svg       # one context

    svg and png need Graphviz's `dot`; mermaid, plantuml and dot text do not. Exit code 0,
    2 for an invalid model or option (or a missing `dot`).
    """
    if format is Format.png and output is None and sys.stdout.isatty():
        raise UsageError("png is binary: write it to a file with -o FILE (e.g. -o context.png)")
    loaded = load_model(path)
    found = run_check(loaded).findings if findings else []
    d = view(loaded.model, view_name.value, found, context=context, entrypoint=entrypoint)
    if format in (Format.svg, Format.png) and len(d.edges) > LARGE_EDGES and context is None:
        err_console.print(
            f"[yellow]note:[/] {len(d.nodes):,} nodes and {len(d.edges):,} edges: Graphviz may take "
            "minutes and the result is hard to read; draw one context with --context NAME"
        )
    data = render(d, format.value)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    err_console.print(f"wrote {output}: {len(d.nodes)} nodes, {len(d.edges)} edges")


def register(app: typer.Typer) -> None:
    """Add `meshwright diagram` to the command line."""
    app.command("diagram", short_help=COMMANDS["diagram"])(diagram_command)
