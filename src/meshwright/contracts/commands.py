"""`meshwright diff OLD NEW`: the contract changes that break a caller, exit 1 when any."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from meshwright.console import console
from meshwright.contracts.diff import breaking_changes
from meshwright.model import load_model


class Format(StrEnum):
    text = "text"
    json = "json"


def diff(
    old: Annotated[Path, typer.Argument(help="The model before the change (file or directory).")],
    new: Annotated[Path, typer.Argument(help="The model after the change.")],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="text for people, json for machines.")
    ] = Format.text,
) -> None:
    """List the contract changes from OLD to NEW that break a caller or a consumer.

    Removed operations, changed protocols or ports, operations no longer idempotent while
    retried, removed or unpublished topics still consumed, changed partition keys, fewer
    partitions. Exit 1 when any, 0 when none, 2 for an invalid model. Wire it into pull
    requests: `meshwright diff main-model/ model/`.
    """
    changes = breaking_changes(load_model(old), load_model(new))
    if format is Format.json:
        print(json.dumps({"breaking": [c.to_json() for c in changes]}, indent=2))
    else:
        for c in changes:
            where, kind = escape(str(c.location)), escape(f"[{c.kind}]")
            console.print(f"[bold]{where}[/]: [red]breaking[/] {kind} {escape(c.message)}")
        if changes:
            n = len(changes)
            console.print(f"[red]{n} breaking change{'s' if n != 1 else ''}[/]")
        else:
            console.print("[green]✓[/] no breaking contract change")
    if changes:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the `diff` command to the CLI."""
    app.command("diff")(diff)
