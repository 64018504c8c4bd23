"""`meshwright decompose`: propose microservices from a monolith's runtime traces."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from meshwright.console import OutputFormat as Format
from meshwright.console import console, err_console, progress_bar
from meshwright.decompose.cluster import METHODS
from meshwright.decompose.inputs import read_inputs
from meshwright.decompose.propose import Constraints, decompose, kebab
from meshwright.decompose.report import report_json, report_markdown
from meshwright.decompose.writer import write_model
from meshwright.errors import UsageError

COMMANDS: dict[str, str] = {
    "decompose": (
        "Propose services for a monolith: a model directory, partition.json and a report."
    ),
}
"""The commands :func:`register` adds, each with the line `meshwright --help` shows for it;
`meshwright.cli` reads this without importing the module."""


class Method(StrEnum):
    leiden = "leiden"
    spectral = "spectral"
    hdbscan = "hdbscan"
    all = "all"


def _pins(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        cls, sep, svc = value.partition("=")
        if not sep or not cls.strip() or not svc.strip():
            raise UsageError(f"--pin {value!r}: write CLASS=SERVICE, e.g. --pin Order=ordering")
        name = kebab(svc.strip())
        if name != svc.strip():
            raise UsageError(f"--pin {value!r}: service names are lower-case kebab, e.g. {name}")
        out[cls.strip()] = name
    return out


def _together(values: list[str]) -> list[list[str]]:
    groups = []
    for value in values:
        group = [c.strip() for c in value.split(",") if c.strip()]
        if len(group) < 2:
            raise UsageError(f"--together {value!r}: name two or more classes, e.g. Cart,CartItem")
        groups.append(group)
    return groups


def decompose_command(
    path: Annotated[Path, typer.Argument(help="Directory of Mono2Micro trace files (flow-*.txt).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the proposed model.")],
    system: Annotated[
        str | None, typer.Option(help="System name of the model (default: from PATH).")
    ] = None,
    services: Annotated[
        int | None, typer.Option(help="Number of services to propose (default: chosen by quality).")
    ] = None,
    together: Annotated[
        list[str] | None, typer.Option(help="Classes kept in one service: A,B,C (repeatable).")
    ] = None,
    pin: Annotated[
        list[str] | None, typer.Option(help="Put a class in a named service: CLASS=SERVICE (repeatable).")
    ] = None,
    method: Annotated[
        Method, typer.Option(help="Clustering: leiden (default), spectral, hdbscan, or all of them.")
    ] = Method.leiden,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same proposal.")] = 0,
    force: Annotated[bool, typer.Option(help="Overwrite a non-empty output directory.")] = False,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="text for people, json for machines.")
    ] = Format.text,
) -> None:
    """Propose services for a monolith: a model directory, partition.json and a report.

    Writes OUT/mesh.yaml and OUT/services/*.yaml (a model that `validate`, `check` and `analyze`
    read), OUT/partition.json ({class: service}), OUT/report.md and OUT/report.json.
    Exit code 0, 2 for unreadable input or a bad option.

    Example: `meshwright decompose traces/ -o proposal/` (traces/ holds flow-*.txt).
    """
    if seed < 0:
        raise UsageError(f"--seed {seed} is negative: use 0 or a positive integer")
    constraints = Constraints(
        together=_together(together or []), pins=_pins(pin or []), services=services
    )
    methods = METHODS if method is Method.all else (method.value,)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file: give a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(f"{out} exists and is not empty; pass --force to overwrite it")
    mono = read_inputs(path)
    name = system or kebab(path.resolve().name if path.is_dir() else path.resolve().parent.name)
    if format is Format.text:
        err_console.print(
            f"decompose: {len(mono.class_names())} classes, {len(mono.events)} calls from "
            f"{', '.join(mono.sources)}"
        )
    if format is Format.text and err_console.is_terminal:
        with progress_bar("clustering {task.description}", "{task.completed}/{task.total} runs") as bar:
            task = bar.add_task("", total=None)

            def progress(method: str, done: int, total: int) -> None:
                bar.update(task, description=method, completed=done, total=total)

            dec = decompose(mono, constraints, methods, seed, progress)
    else:
        dec = decompose(mono, constraints, methods, seed)
    written = write_model(dec, out, name, force=True)
    data = report_json(dec)
    (out / "report.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text(report_markdown(data), encoding="utf-8")
    if format is Format.json:
        print(json.dumps({"out": str(out), "files": [str(p) for p in written], **data}, indent=2))
        return
    table = Table(title=f"{data['services']} services for {data['classes']} classes")
    for col in ("service", "classes", "core classes", "cohesion"):
        table.add_column(col, justify="right" if col in ("classes", "cohesion") else "left")
    for exp in data["explanations"]:
        table.add_row(
            exp["service"], str(len(exp["classes"])), ", ".join(exp["core_classes"][:3]),
            f"{exp['cohesion']:.0%}",
        )
    console.print(table)
    scores = data["scores"]
    console.print(
        "SM {SM:.3f} (higher better) · ICP {ICP:.3f} · IFN {IFN:.2f} · NED {NED:.3f} · "
        "BCP {BCP:.3f} (lower better)".format(**scores)
    )
    console.print(f"wrote {len(written) + 2} files to {out}/")


def register(app: typer.Typer) -> None:
    """Add `decompose` to the command line."""
    app.command("decompose", short_help=COMMANDS["decompose"])(decompose_command)
