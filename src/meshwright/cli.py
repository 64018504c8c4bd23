"""The `meshwright` command line: a thin shell over the pipeline's pure functions.

Exit codes: 0 ok, 1 findings at or above the fail level, 2 invalid input or usage.
Feature packages add their commands through :data:`COMMAND_MODULES` (each module has a
``register(app)`` function and declares what it adds, :data:`DECLARATIONS`). A run imports
only the module of the command it runs; ``--help`` imports none of them (it shows stand-ins
made from the declarations) and ``from meshwright.cli import app`` loads them all.
"""

from __future__ import annotations

import ast
import copy
import gc
import importlib
import importlib.util
import json
import sys
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, TypeGuard

import typer
from rich.markup import escape

from meshwright import __version__, help_format
from meshwright.command_groups import IMPORT
from meshwright.console import OutputFormat, console, err_console, print_model_error
from meshwright.errors import MeshwrightError, ModelError, UsageError
from meshwright.model import load_model
from meshwright.model.scaffold import starter_model, system_name
from meshwright.model.schema import model_json_schema
from meshwright.model.summary import describe, summarize
from meshwright.output import kept_message, write_tracked
from meshwright.pipeline import run_build, stages

help_format.install()

_app = typer.Typer(
    name="meshwright",
    help=(
        "Describe a microservice system once, in one typed YAML model; validate, review, "
        "analyze, simulate and generate its platform from it.\n\n"
        "Start with `meshwright init mystore`, edit mystore/mesh.yaml, then "
        "`meshwright validate mystore` and `meshwright build mystore -o out`."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)

COMMAND_MODULES: tuple[str, ...] = (
    "meshwright.check.commands",
    "meshwright.analysis.commands",
    "meshwright.simulate.commands",
    "meshwright.emit.commands",
    "meshwright.decompose.commands",
    "meshwright.importers.commands",
    "meshwright.apply.commands",
    "meshwright.contracts.commands",
    "meshwright.emit.observability.commands",
    "meshwright.publish.commands",
    "meshwright.diagram.commands",
    "meshwright.report.commands",
)
"""Modules that add commands; each defines ``register(app: typer.Typer) -> None``."""

DECLARATIONS = ("COMMANDS", "GROUPS", "IMPORTS")
"""What each module of :data:`COMMAND_MODULES` declares at its top level, as literals:
``COMMANDS`` and ``GROUPS`` (name → the line ``meshwright --help`` shows) for what its
``register`` adds to the command line, ``IMPORTS`` for its subcommands of ``meshwright
import``. The command line reads them from the source, without importing the module, so a
run imports only the module of its command and ``--help`` none of them."""


@dataclass(frozen=True)
class Declared:
    """The commands a feature module declares (see :data:`DECLARATIONS`)."""

    commands: dict[str, str]
    groups: dict[str, str]
    imports: tuple[str, ...]

    def provides(self, command: str) -> bool:
        return command in self.commands or command in self.groups or (
            command == "import" and bool(self.imports)
        )


@cache
def declared_commands(module: str) -> Declared | None:
    """The declarations of a module of :data:`COMMAND_MODULES`, read from its source file
    once per process (a few milliseconds; importing it may take a second: ``main`` and the
    registration both ask); None when it is not installed."""
    source = Path(__file__).parent.joinpath(*module.split(".")[1:]).with_suffix(".py")
    try:
        tree = ast.parse(source.read_bytes(), str(source))
    except FileNotFoundError:
        return None
    found = dict(d for d in map(_declaration, tree.body) if d is not None)
    commands, groups = found.get("COMMANDS", {}), found.get("GROUPS", {})
    imports = found.get("IMPORTS", ())
    if not (_lines(commands) and _lines(groups) and isinstance(imports, tuple)):
        raise TypeError(f"{source}: COMMANDS and GROUPS map names to help lines, IMPORTS is a tuple")
    return Declared(commands=commands, groups=groups, imports=imports)


def _declaration(node: ast.stmt) -> tuple[str, Any] | None:
    target: ast.expr
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    elif isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    else:
        return None
    if isinstance(target, ast.Name) and target.id in DECLARATIONS:
        return target.id, ast.literal_eval(value)
    return None


def _lines(value: object) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


class FailLevel(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


ModelPath = Annotated[
    Path,
    typer.Argument(help="Model file (mesh.yaml) or model directory (mesh.yaml + services/*.yaml)."),
]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="text for people, json for machines.")
]


def _version(value: bool) -> None:
    if value:
        console.print(f"meshwright {__version__}")
        raise typer.Exit()


@_app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """meshwright — architecture-as-code for microservice systems."""


@_app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Directory to create the model in.")
    ] = Path("."),
    force: Annotated[bool, typer.Option(help="Overwrite an existing mesh.yaml.")] = False,
) -> None:
    """Create a starter model (mesh.yaml, with comments) to edit.

    Example: `meshwright init mystore` writes mystore/mesh.yaml (system mystore) and
    mystore/meshwright.schema.json; then `meshwright validate mystore`.

    The file starts with a `# yaml-language-server: $schema=...` line so editors with the
    YAML extension complete and check fields as you type.
    """
    target = directory / "mesh.yaml"
    if target.exists() and not force:
        raise UsageError(f"{target} exists; pass --force to overwrite it, or choose another directory")
    directory.mkdir(parents=True, exist_ok=True)
    name = system_name(directory.resolve().name)
    target.write_text(starter_model(name), encoding="utf-8")
    schema_file = directory / "meshwright.schema.json"
    schema_file.write_text(json.dumps(model_json_schema(), indent=2) + "\n", encoding="utf-8")
    console.print(f"[green]created[/] {target} (system {name}) and {schema_file}")
    console.print(f"next: edit {target}, then run `meshwright validate {directory}`")


@_app.command()
def validate(path: ModelPath, format: FormatOpt = OutputFormat.text) -> None:
    """Load and validate a model; report every problem with file:line:col.

    Example: `meshwright validate my-system` (a directory with mesh.yaml) or
    `meshwright validate mesh.yaml`.

    Exit code 0 when the model is valid, 2 when it is not. With `--format json` the
    errors are printed as JSON on stdout too.
    """
    loaded = load_model(path)  # errors: printed by main(), as JSON too with --format json
    summary = summarize(loaded.model)
    if format is OutputFormat.json:
        print(json.dumps({"valid": True, "system": loaded.model.system, **summary}, indent=2))
        return
    parts = describe(summary)
    console.print(f"[green]✓[/] {path}: system [bold]{loaded.model.system}[/] is valid ({parts})")


@_app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of the model file format.

    Example: `meshwright schema -o meshwright.schema.json`.

    Point your editor at it with a first line in mesh.yaml:
    `# yaml-language-server: $schema=./meshwright.schema.json`
    """
    text = json.dumps(model_json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {output}")


@_app.command()
def build(
    path: Annotated[
        Path | None,
        typer.Argument(help="Model file (mesh.yaml) or model directory (mesh.yaml + services/*.yaml)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Output directory.")] = Path("out"),
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only", metavar="STAGE", help="Run only these stages (repeatable); see --list-stages."
        ),
    ] = None,
    list_stages: Annotated[
        bool, typer.Option("--list-stages", help="List the pipeline's stages and exit.")
    ] = False,
    fail_on: Annotated[
        FailLevel,
        typer.Option(
            "--fail-on",
            help="Exit 1 when the review finds something at or above this level.",
        ),
    ] = FailLevel.error,
    format: FormatOpt = OutputFormat.text,
) -> None:
    """Run every pipeline stage on a model and write the results to OUT/.

    Example: `meshwright build my-system -o out` (or `--only emit` for one stage).

    Stages run in order (see --list-stages); each writes its files under OUT/. Files are
    written after every stage ran, so an invalid model never leaves a half-written OUT/.
    Exit code 1 when the review finds something at or above --fail-on (default: error);
    the files are written anyway, so the findings can be read. Files a stage wrote on an
    earlier build and no longer generates are removed (see OUT/.meshwright-manifest.json),
    unless edited since; files of your own in OUT are never touched.
    """
    if list_stages:
        for st in stages():
            console.print(f"[bold]{st.name:10}[/] {st.description}")
        return
    if path is None:
        raise UsageError("build needs a model: `meshwright build PATH -o OUT` (see --help)")
    known = [s.name for s in stages()]
    for name in only or []:
        if name not in known:
            raise UsageError(f"unknown stage '{name}'; stages are: {', '.join(known)}")
    loaded = load_model(path)
    with err_console.status("building…") as status:
        ctx = run_build(
            loaded,
            {"out": str(out), "check": {"fail_on": fail_on.value}},
            only=only,
            on_stage=lambda st: status.update(f"[bold]{st.name}[/]: {st.description}"),
        )
    written = write_tracked(out, {f"build {r.name}": r.artifacts for r in ctx.results.values()})
    for stale in written.kept:
        err_console.print(f"[yellow]warning:[/] {escape(kept_message(out, stale))}")
    for warning in written.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}")
    failed = any(r.failed for r in ctx.results.values())
    if format is OutputFormat.json:
        stages_json = [
            {
                "stage": r.name,
                "summary": r.summary,
                "failed": r.failed,
                "files": [a.path for a in r.artifacts],
            }
            for r in ctx.results.values()
        ]
        report = {
            "system": loaded.model.system,
            "out": str(out),
            "failed": failed,
            "stages": stages_json,
            "removed": written.removed,
            "kept": written.kept,
        }
        print(json.dumps(report, indent=2))
    else:
        for result in ctx.results.values():
            mark = "[red]✗[/]" if result.failed else "[green]✓[/]"
            console.print(f"{mark} [bold]{result.name:9}[/] {result.summary}")
        removed = f"; removed {len(written.removed)} no longer generated" if written.removed else ""
        console.print(f"wrote {len(written.written)} files to {out}/{removed}")
    if failed:
        raise typer.Exit(1)


_registered: set[str] = set()
_BUILT_IN = frozenset(("init", "validate", "schema", "build"))


def _register_feature_commands(command: str | None = None) -> typer.Typer:
    """Add the commands of :data:`COMMAND_MODULES` to the app (when ``command`` is given,
    only those of the modules that declare it); returns the app."""
    for module in _modules_for(command) if command is not None else COMMAND_MODULES:
        if module in _registered:
            continue
        _registered.add(module)
        if importlib.util.find_spec(module.rsplit(".", 1)[0]) is None:
            continue
        if importlib.util.find_spec(module) is None:
            continue
        importlib.import_module(module).register(_app)
    if "import" not in _registered and (command is None or command == "import"):
        _registered.add("import")
        _app.add_typer(IMPORT, name="import")
    return _app


def _modules_for(command: str) -> list[str]:
    """The modules of :data:`COMMAND_MODULES` that declare ``command`` (one, but every
    module with ``import`` subcommands for ``import``)."""
    found = []
    for module in COMMAND_MODULES:
        declared = declared_commands(module)
        if declared is not None and declared.provides(command):
            found.append(module)
            if command != "import":
                break
    return found


def _help_app() -> typer.Typer:
    """The app as ``meshwright --help`` shows it, importing no feature module: the built-in
    commands, and for each declared feature command a stand-in with its name and help line.
    Runs that name no command (``--help``, ``--version``, no arguments) or a command that
    does not exist (click suggests the closest name) need no more."""
    stand_ins = typer.Typer()
    for module in COMMAND_MODULES:
        declared = declared_commands(module)
        if declared is None:
            continue
        for name, line in declared.commands.items():
            stand_ins.command(name, short_help=line)(_stand_in)
        for name, line in declared.groups.items():
            stand_ins.add_typer(typer.Typer(), name=name, help=line)
    stand_ins.add_typer(IMPORT, name="import")
    shown = copy.copy(_app)
    shown.registered_commands = [*_app.registered_commands, *stand_ins.registered_commands]
    shown.registered_groups = [*_app.registered_groups, *stand_ins.registered_groups]
    return shown


def _stand_in() -> None:
    """Never runs: a command line that names a feature command loads the real one."""
    raise AssertionError("a stand-in command ran")


def __getattr__(name: str) -> typer.Typer:
    """``app``: the whole command line, every feature command registered."""
    if name == "app":
        return _register_feature_commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def requested_command(argv: list[str]) -> str | None:
    """The command ``argv`` runs (its first word that is not an option); None for the
    top-level ``--help``/``--version`` or an empty line."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg
        if arg in ("--help", "-h"):
            return None
    return None


def wants_json(argv: list[str]) -> bool:
    """True when the command line asks for ``--format json`` (or ``-f json``)."""
    for i, arg in enumerate(argv):
        if arg in ("--format=json", "-fjson"):
            return True
        if arg in ("--format", "-f") and i + 1 < len(argv) and argv[i + 1] == "json":
            return True
    return False


GC_YOUNG_THRESHOLD = 50_000
"""Allocations between young-generation collections in a CLI run (10–15 % of check's CPU)."""


def main() -> None:
    """Entry point: run the app; user mistakes print located errors and exit 2.

    With ``--format json`` every failure also puts ``{"valid": false, "errors": [...]}`` on
    stdout, so a machine reading stdout always gets JSON."""
    as_json = wants_json(sys.argv[1:])
    # A loaded model is hundreds of thousands of long-lived objects: the default young
    # generation (700) would re-walk them for nothing every few thousand allocations.
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    command = requested_command(sys.argv[1:])
    if command in _BUILT_IN:
        command_app = _app
    elif command is not None and _modules_for(command):
        command_app = _register_feature_commands(command)
    else:
        command_app = _help_app()
    try:
        command_app()
    except ModelError as exc:
        print_model_error(exc)
        if as_json:
            _print_json_errors([d.to_json() for d in exc.diagnostics])
        sys.exit(2)
    except MeshwrightError as exc:
        err_console.print(f"[red]error:[/] {exc}", highlight=False)
        if as_json:
            _print_json_errors([_usage_error(str(exc))])
        sys.exit(2)
    except SystemExit as exc:
        if as_json and exc.code == 2:  # the command line itself was wrong (bad option value)
            _print_json_errors([_usage_error("invalid command line: see the message on stderr")])
        raise


def _usage_error(message: str) -> dict[str, object]:
    return {"file": "", "line": 0, "col": 0, "code": "usage", "message": message}


def _print_json_errors(errors: list[dict[str, object]]) -> None:
    print(json.dumps({"valid": False, "errors": errors}, indent=2))
