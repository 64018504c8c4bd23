"""`meshwright apply kafka MODEL --bootstrap HOST:PORT`: create or update the model's topics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from meshwright.apply.kafka import Change, apply_kafka
from meshwright.console import OutputFormat as Format
from meshwright.console import console, print_whole
from meshwright.errors import Diagnostic, ModelError
from meshwright.model import load_model
from meshwright.model.types import Broker

GROUPS: dict[str, str] = {
    "apply": "Make running infrastructure match the model (Kafka topics).",
}
"""The command groups :func:`register` adds, each with its help (the line `meshwright --help`
shows for it); `meshwright.cli` reads this without importing the module."""

app = typer.Typer(help=GROUPS["apply"], no_args_is_help=True)


_STYLE = {"create": "green", "grow": "yellow", "alter": "yellow", "unchanged": "dim", "foreign": "magenta"}


@app.command("kafka")
def kafka(
    path: Annotated[Path, typer.Argument(help="Model file (mesh.yaml) or model directory.")],
    bootstrap: Annotated[str, typer.Option("--bootstrap", "-b", help="A broker of the cluster, HOST:PORT.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each broker request.")
    ] = 15.0,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="text for people, json for machines.")
    ] = Format.text,
) -> None:
    """Create or update the model's topics through the Kafka admin protocol.

    Absent topics are created; topics meshwright created get partitions added and changed
    configs altered; topics it did not create are left alone. A topic the model gives fewer
    partitions (Kafka never removes them) or another replication factor is a located
    error, and then nothing is changed (exit 2). Example:
    `meshwright apply kafka my-system --bootstrap localhost:9092 --dry-run`.
    """
    loaded = load_model(path)
    if loaded.model.platform.broker is not Broker.kafka:
        raise ModelError(
            [
                Diagnostic(
                    loaded.locate("platform", "broker"),
                    f"the model's broker is {loaded.model.platform.broker.value}, not kafka",
                    "set platform.broker: kafka to manage its topics in Kafka",
                    path=("platform", "broker"),
                )
            ],
            outcome="nothing was changed on the broker",
        )
    changes = apply_kafka(loaded, bootstrap, dry_run=dry_run, timeout=timeout)
    _report(changes, bootstrap, dry_run, format)


def _report(changes: list[Change], bootstrap: str, dry_run: bool, format: Format) -> None:
    if format is Format.json:
        doc = {"bootstrap": bootstrap, "dry_run": dry_run, "topics": [c.to_json() for c in changes]}
        print(json.dumps(doc, indent=2))
        return
    table = Table("topic", "action", "partitions", "detail", box=None, pad_edge=False)
    for c in changes:
        detail = c.detail or ", ".join(f"{k}={v}" for k, v in sorted(c.config.items()))
        style = _STYLE[c.action]
        table.add_row(escape(c.topic), f"[{style}]{c.action}[/]", str(c.partitions), escape(detail))
    print_whole(console, table)
    made = sum(c.action in ("create", "grow", "alter") for c in changes)
    verb = "would change" if dry_run else "changed"
    console.print(f"{verb} {made} of {len(changes)} topics on {escape(bootstrap)}", soft_wrap=True)


def register(root: typer.Typer) -> None:
    """Add the `apply` command group to the CLI."""
    root.add_typer(app, name="apply")
