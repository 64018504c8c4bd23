"""`meshwright publish etcd MODEL --endpoint URL`: load the model's etcd key layout."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from meshwright.console import console
from meshwright.emit.etcd import prefix
from meshwright.emit.names import ensure_distinct_names
from meshwright.emit.registry import emit_target
from meshwright.model import load_model
from meshwright.publish.etcd import EtcdGateway, publish

GROUPS: dict[str, str] = {
    "publish": (
        "Load what the model says into a running system: etcd (the discovery: etcd key "
        "layout). Example: meshwright publish etcd my-system --endpoint http://127.0.0.1:2379"
    ),
}
"""The command groups :func:`register` adds, each with its help (the line `meshwright --help`
shows for it); `meshwright.cli` reads this without importing the module."""

PUBLISH = typer.Typer(name="publish", help=GROUPS["publish"], no_args_is_help=True)


class Format(StrEnum):
    text = "text"
    json = "json"


@PUBLISH.command("etcd")
def publish_etcd(
    path: Annotated[Path, typer.Argument(help="Model file (mesh.yaml) or model directory.")],
    endpoint: Annotated[
        str, typer.Option("--endpoint", "-e", help="etcd client URL (its v3 JSON gateway).")
    ] = "http://127.0.0.1:2379",
    format: Annotated[
        Format, typer.Option("--format", "-f", help="text for people, json for machines.")
    ] = Format.text,
) -> None:
    """Put the model's keys under /meshwright/SYSTEM/ into etcd and delete the keys an
    earlier publish wrote that the model no longer has (a removed service's, a removed
    call's). Keys meshwright did not write are never touched: it keeps the list of its
    keys in /meshwright/SYSTEM/.owned. The layout is `meshwright emit etcd`'s keys.json
    (one key per service, endpoint and call policy).

    Example: `meshwright publish etcd my-system --endpoint http://127.0.0.1:2379`,
    then `etcdctl get --prefix /meshwright/my-system/services/orders/`.
    """
    loaded = load_model(path)
    ensure_distinct_names(loaded)
    model = loaded.model
    [doc] = emit_target("etcd", model)
    keys = [(kv["key"], kv["value"]) for kv in json.loads(doc.content)["keys"]]
    report = publish(EtcdGateway(endpoint), prefix(model), keys)
    if format is Format.json:
        data = {"endpoint": endpoint, "prefix": report.prefix, "put": report.put, "deleted": report.deleted}
        print(json.dumps(data, indent=2))
        return
    console.print(
        f"[green]✓[/] etcd {escape(endpoint)}: {len(report.put)} keys put under {escape(report.prefix)}"
        + (f", {len(report.deleted)} no longer in the model deleted" if report.deleted else ""),
        soft_wrap=True,
    )
    for key in report.deleted:
        console.print(f"  [yellow]deleted[/] {escape(key)}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the `publish` command group to the CLI."""
    app.add_typer(PUBLISH)
