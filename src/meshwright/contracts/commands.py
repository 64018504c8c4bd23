"""`meshwright diff OLD NEW`: the contract changes that break a caller, exit 1 when any."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from meshwright.command_groups import IMPORT
from meshwright.console import OutputFormat as Format
from meshwright.console import console, err_console
from meshwright.contracts.diff import breaking_changes
from meshwright.contracts.openapi_import import model_from_openapi
from meshwright.contracts.proto_import import model_from_protos
from meshwright.emit.yamltext import dump
from meshwright.errors import UsageError
from meshwright.model import load_model, load_text

IMPORTS: tuple[str, ...] = ("proto", "openapi")
"""The subcommands this module adds to `meshwright import` (:data:`~meshwright.command_groups.IMPORT`);
`meshwright.cli` reads this without importing the module."""

import_app = IMPORT
"""`import proto` and `import openapi` are subcommands of the shared `import` group."""


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


@import_app.command("proto")
def import_proto(
    files: Annotated[list[Path], typer.Argument(help=".proto files declaring gRPC services.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the model here instead of stdout.")
    ] = None,
    system: Annotated[str | None, typer.Option(help="System name; default: the first package.")] = None,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port of every API (a .proto has none).")
    ] = 50051,
) -> None:
    """A model with a service and gRPC API per service of the .proto files, one operation
    per rpc (idempotent when its idempotency_level says so).

    Example: `meshwright import proto protos/demo.proto -o mesh.yaml`, then add calls,
    runtime and the rest, and `meshwright validate mesh.yaml`.
    """
    doc = model_from_protos(files, system, port)
    _write_model(doc, out, "ports are --port, not read from the files")


@import_app.command("openapi")
def import_openapi(
    file: Annotated[Path, typer.Argument(help="An OpenAPI 3 document (YAML or JSON).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the model here instead of stdout.")
    ] = None,
    service: Annotated[str | None, typer.Option(help="Service name; default: from info.title.")] = None,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port when the document's first server has none.")
    ] = 8080,
) -> None:
    """A model with one service serving the document's operations over HTTP, one operation
    per path and method (idempotent by x-idempotent, else by the HTTP method).

    Example: `meshwright import openapi api.yaml --service orders -o mesh.yaml`.
    """
    doc = model_from_openapi(file, service, port)
    _write_model(doc, out, "operation names from operationId, else method and path")


def _write_model(doc: dict[str, Any], out: Path | None, note: str) -> None:
    """Print or write an imported model, after checking it loads as a valid model."""
    text = f"# Imported by meshwright: {note}.\n" + dump(doc)
    load_text(text, str(out or "<imported>"))
    if out is None:
        print(text, end="")
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
    n = len(doc["services"])
    err_console.print(f"wrote {escape(str(out))}: {n} service{'s' if n != 1 else ''}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Nothing to add: `import proto|openapi` are on the shared `import` group, and `diff`
    (importers.commands) calls :func:`diff` for two models."""
