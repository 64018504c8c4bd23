"""`meshwright import kubernetes|compose|istio|traces ... -o DIR`: write a model directory.

Every subcommand also takes ``--istio PATH`` and ``--traces FILE`` (repeatable) so sources
combine into one model, the strongest evidence of an edge winning. The written model is
validated before it is put in place: an import never leaves a model that does not load.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from meshwright.command_groups import IMPORT
from meshwright.console import OutputFormat as Format
from meshwright.console import console
from meshwright.errors import ModelError, UsageError
from meshwright.importers.builder import ModelBuilder
from meshwright.importers.compose import import_compose
from meshwright.importers.drift import diff
from meshwright.importers.kubernetes import import_kubernetes
from meshwright.importers.summary import print_summary, summarize
from meshwright.importers.traces import import_traces
from meshwright.importers.writer import write
from meshwright.model import load_model

COMMANDS: dict[str, str] = {
    "diff": "Compare a model with its next version, or with what runs.",
}
"""The commands :func:`register` adds, each with the line `meshwright --help` shows for it;
`meshwright.cli` reads this without importing the module."""

IMPORTS: tuple[str, ...] = ("kubernetes", "compose", "istio", "traces")
"""The subcommands this module adds to `meshwright import` (:data:`~meshwright.command_groups.IMPORT`);
`meshwright.cli` reads this without importing the module."""

Out = Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Model directory to write.")]
System = Annotated[str | None, typer.Option("--system", help="System name; default: the DIR's name.")]
Istio = Annotated[list[Path] | None, typer.Option("--istio", metavar="PATH",
                                                  help="Istio files or directories to add (repeatable).")]
Traces = Annotated[list[Path] | None, typer.Option("--traces", metavar="FILE",
                                                   help="OTLP, Jaeger or Zipkin JSON to add (repeatable).")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite an existing model in DIR.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="text for people, json for machines.")]

app = IMPORT
"""Subcommands that bring a running system into the model → a model directory."""


def _run(out: Path, system: str | None, force: bool, fmt: Format, istio: list[Path] | None,
         traces: list[Path] | None, primary: Callable[[ModelBuilder], None]) -> None:
    if (out / "mesh.yaml").exists() and not force:
        raise UsageError(f"{out}/mesh.yaml exists; pass --force to overwrite it, or choose another -o DIR")
    builder = ModelBuilder(system or out.resolve().name or "imported")
    primary(builder)
    if istio:
        import_kubernetes(builder, list(istio), only_istio=True)
    for trace in traces or []:
        import_traces(builder, trace)
    if not builder.services:
        raise UsageError("the inputs define no service (only datastores, brokers or other kinds); "
                         "nothing to import")
    with tempfile.TemporaryDirectory(prefix="meshwright-import-") as tmp:
        staged = Path(tmp) / "model"
        written = write(builder, staged)
        try:
            load_model(staged)
        except ModelError as exc:  # a bug of the importer, not of the input
            raise UsageError("the imported model does not validate (please report this as a meshwright "
                             "bug, with the inputs):\n" + str(exc)) from None
        out.mkdir(parents=True, exist_ok=True)
        if force and (out / "services").is_dir():
            shutil.rmtree(out / "services")
        for rel in written.files:
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged / rel, target)
    data = summarize(builder, written, str(out))
    if fmt is Format.json:
        print(json.dumps(data, indent=2))
    else:
        print_summary(data)


@app.command("kubernetes")
def kubernetes(
    paths: Annotated[list[Path], typer.Argument(help="Manifest files, directories, Kustomize directories.")],
    out: Out, system: System = None, istio: Istio = None, traces: Traces = None, force: Force = False,
    format: FormatOpt = Format.text,
) -> None:
    """Import Kubernetes manifests (multi-document YAML, directories, Kustomize directories
    rendered with `kubectl kustomize`, rendered Helm output).

    Example: `meshwright import kubernetes k8s/ --traces traces.json -o model/`.
    """
    _run(out, system, force, format, istio, traces, lambda b: import_kubernetes(b, list(paths)))


@app.command("compose")
def compose(
    file: Annotated[Path, typer.Argument(help="The compose file.")],
    out: Out, system: System = None, istio: Istio = None, traces: Traces = None, force: Force = False,
    env_file: Annotated[Path | None, typer.Option("--env-file", help="Default: .env beside FILE.")] = None,
    profile: Annotated[list[str] | None, typer.Option("--profile", help="Profiles to include.")] = None,
    format: FormatOpt = Format.text,
) -> None:
    """Import a compose file (with `.env` interpolation, profiles, both forms of
    `depends_on`, anchors and merge keys, `deploy.replicas`, `mem_limit`).

    Example: `meshwright import compose compose.yaml -o model/`.
    """
    _run(out, system, force, format, istio, traces,
         lambda b: import_compose(b, file, env_file=env_file, profiles=profile or []))


@app.command("istio")
def istio_command(
    paths: Annotated[list[Path], typer.Argument(help="Istio files or directories.")],
    out: Out, system: System = None, traces: Traces = None, force: Force = False,
    format: FormatOpt = Format.text,
) -> None:
    """Import Istio configuration (VirtualService, DestinationRule, AuthorizationPolicy, ...).

    Example: `meshwright import istio istio/ -o model/`.
    """
    _run(out, system, force, format, None, traces,
         lambda b: import_kubernetes(b, list(paths), only_istio=True))


@app.command("traces")
def traces_command(
    files: Annotated[list[Path], typer.Argument(help="OTLP JSON, Jaeger JSON or Zipkin v2 JSON files.")],
    out: Out, system: System = None, istio: Istio = None, force: Force = False,
    format: FormatOpt = Format.text,
) -> None:
    """Import traces: services, operations, call edges with rates, service times (span self
    time) and error rates.

    Example: `meshwright import traces traces.json -o model/`.
    """
    _run(out, system, force, format, istio, list(files), lambda b: None)


class Against(StrEnum):
    kubernetes = "kubernetes"
    compose = "compose"


def diff_command(
    model: Annotated[Path, typer.Argument(help="Model file (mesh.yaml) or model directory (OLD).")],
    paths: Annotated[list[Path], typer.Argument(
        help="NEW, another model; or with --against, what runs: manifests, Kustomize "
             "directories or a compose file.")],
    against: Annotated[Against | None, typer.Option(
        "--against", help="PATH holds what runs (a drift check), not a second model.")] = None,
    istio: Istio = None,
    format: FormatOpt = Format.text,
) -> None:
    """Compare a model with its next version, or with what runs.

    `meshwright diff OLD NEW`: the contract changes from model OLD to model NEW that break a
    caller or a consumer (see the contracts docs); exit 1 when any.

    `meshwright diff MODEL --against kubernetes|compose PATH... [--istio PATH]`: the drift
    check, where the running system's files differ from the model (a service, an edge, a
    datastore, an image, replicas, ports, a timeout); exit 1 when they differ.

    Example: `meshwright diff my-system --against kubernetes deploy/`.
    """
    if against is None and not istio:
        if len(paths) != 1:
            raise UsageError(
                "diff OLD NEW compares two models; to compare a model with what runs, add "
                "--against kubernetes or --against compose"
            )
        from meshwright.contracts.commands import diff as contract_diff

        contract_diff(model, paths[0], format)
        return
    against = against or Against.kubernetes
    loaded = load_model(model)
    builder = ModelBuilder(loaded.model.system)
    if against is Against.compose:
        if len(paths) != 1:
            raise UsageError("--against compose takes one compose file")
        import_compose(builder, paths[0])
    else:
        import_kubernetes(builder, list(paths))
    if istio:
        import_kubernetes(builder, list(istio), only_istio=True)
    differences = diff(loaded, builder)
    if format is Format.json:
        print(json.dumps({"system": loaded.model.system, "differences": [d.to_json() for d in differences]},
                         indent=2))
    elif not differences:
        console.print(f"[green]✓[/] {escape(str(model))}: the running files match the model")
    else:
        for d in differences:
            console.print(f"[yellow]{d.kind:9}[/] {escape(d.subject)}: model {escape(d.model)}, running "
                          f"{escape(d.running)}  [dim]{escape(d.where)}[/]")
        console.print(f"{len(differences)} difference{'s' if len(differences) != 1 else ''}")
    if differences:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    """Add `diff` (contract changes and the drift check) to the CLI; the `import`
    subcommands are on the shared group."""
    root.command("diff", short_help=COMMANDS["diff"])(diff_command)
