"""`meshwright import openslo FILE [--model MODEL]`: OpenSLO v1 SLOs → the model's ``slo:``.

Prints, for each service, the ``slo:`` block its OpenSLO documents describe, as YAML to
paste under ``services.<name>`` (or JSON with ``--format json``). With ``--model`` every
service must exist in the model; OpenSLO names (DNS labels) map back to model names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from meshwright.command_groups import IMPORT
from meshwright.console import OutputFormat as Format
from meshwright.emit.observability.openslo import load_openslo, slo_block
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump
from meshwright.errors import Diagnostic, Location, ModelError, UsageError
from meshwright.model import load_model

IMPORTS: tuple[str, ...] = ("openslo",)
"""The subcommands this module adds to `meshwright import` (:data:`~meshwright.command_groups.IMPORT`);
`meshwright.cli` reads this without importing the module."""


def import_openslo(
    file: Annotated[Path, typer.Argument(help="OpenSLO v1 YAML (one or more documents).")],
    model: Annotated[
        Path | None, typer.Option("--model", "-m", help="Model whose services the SLOs must belong to.")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="text (YAML) or json.")] = Format.text,
) -> None:
    """Read OpenSLO v1 SLOs (from meshwright, Sloth or Pyrra users) into `slo:` blocks.

    Example: `meshwright import openslo slos.yaml --model my-system`, then paste each
    block under its service.
    """
    if not file.is_file():
        raise UsageError(f"{file} is not a file: pass an OpenSLO YAML file")
    slos = load_openslo(file)
    if model is not None:
        names = {dns_name(n): n for n in load_model(model).model.services}
        unknown = [s for s in slos if s not in names and dns_name(s) not in names]
        if unknown:
            raise ModelError(
                [
                    Diagnostic(
                        Location(str(file)),
                        f"SLO of service '{s}', which the model {model} does not have",
                        f"services are: {', '.join(sorted(names.values()))}",
                    )
                    for s in unknown
                ],
                "the OpenSLO file was not imported",
            )
        slos = {names.get(s, names.get(dns_name(s), s)): v for s, v in slos.items()}
    blocks = {"services": {s: {"slo": slo_block(v)} for s, v in sorted(slos.items())}}
    if format is Format.json:
        print(json.dumps(blocks, indent=2))
        return
    print(dump(blocks), end="")


def register(app: typer.Typer) -> None:
    """Add `import openslo` to the shared `import` group."""
    IMPORT.command("openslo")(import_openslo)
