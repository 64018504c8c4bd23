"""Each feature module declares what it adds to the command line (``COMMANDS``, ``GROUPS``,
``IMPORTS``); the command line reads those declarations from the source, so a run imports
only the module of its command and ``--help`` imports none. The declarations must say
exactly what ``register`` adds, and ``--help`` made from them must be the real help."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
import typer
from typer.main import get_command

from meshwright import cli
from meshwright.command_groups import IMPORT


@pytest.mark.parametrize("module", cli.COMMAND_MODULES)
def test_each_module_declares_what_it_registers(module: str) -> None:
    declared = cli.declared_commands(module)
    assert declared is not None, module
    loaded = importlib.import_module(module)
    # the source reading sees what the module defines
    assert declared.commands == getattr(loaded, "COMMANDS", {})
    assert declared.groups == getattr(loaded, "GROUPS", {})
    assert declared.imports == getattr(loaded, "IMPORTS", ())
    app = typer.Typer()
    app.command()(lambda: None)  # two commands, so typer makes a group
    app.command(name="placeholder")(lambda: None)
    loaded.register(app)
    added = get_command(app).commands  # type: ignore[attr-defined]
    added = {n: c for n, c in added.items() if n not in ("<lambda>", "placeholder")}
    assert set(added) == set(declared.commands) | set(declared.groups), module
    for name, line in {**declared.commands, **declared.groups}.items():
        assert added[name].short_help == line or added[name].help == line, name
    assert set(declared.imports) <= _on_import(), module


def test_import_subcommands_are_all_declared() -> None:
    for module in cli.COMMAND_MODULES:
        importlib.import_module(module).register(typer.Typer())
    declared = {n for m in cli.COMMAND_MODULES for n in cli.declared_commands(m).imports}  # type: ignore[union-attr]
    assert _on_import() == declared


def _on_import() -> set[str | None]:
    return {c.name for c in IMPORT.registered_commands} | {g.name for g in IMPORT.registered_groups}


def test_one_module_declares_each_command() -> None:
    names = [
        name
        for module in cli.COMMAND_MODULES
        for d in [cli.declared_commands(module)]
        if d is not None
        for name in [*d.commands, *d.groups]
    ]
    assert len(names) == len(set(names)), names
    assert not set(names) & (cli._BUILT_IN | {"import"})


def test_a_command_loads_the_modules_that_declare_it() -> None:
    assert cli.declared_commands("meshwright.no_such_package.commands") is None
    assert cli._modules_for("import") == [
        "meshwright.importers.commands",
        "meshwright.contracts.commands",
        "meshwright.emit.observability.commands",
    ]
    assert cli._modules_for("rules") == ["meshwright.check.commands"]
    assert cli._modules_for("no-such-command") == []


def _run(code: str, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "93", "TERM": "xterm-256color"}
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, check=False
    )


FAST = "import sys; sys.argv = ['meshwright', *sys.argv[1:]]\nfrom meshwright.cli import main\nmain()"
FULL = (
    "import sys\nfrom meshwright.cli import app\n"
    "app(sys.argv[1:], prog_name='meshwright')"
)


@pytest.mark.parametrize("argv", [["--help"], [], ["chek"]], ids=["help", "no-args", "typo"])
def test_help_from_declarations_is_the_full_help(argv: list[str]) -> None:
    """Byte for byte, rich colours included: the stand-ins give the same panel as the real
    commands (and click suggests the same names for a typo)."""
    fast, full = _run(FAST, *argv), _run(FULL, *argv)
    assert (fast.returncode, fast.stdout, fast.stderr) == (full.returncode, full.stdout, full.stderr)
    assert "\x1b[" in fast.stdout + fast.stderr  # colours were on
    assert "check" in fast.stdout + fast.stderr


def test_requested_command() -> None:
    assert cli.requested_command(["check", "m", "--format", "json"]) == "check"
    assert cli.requested_command(["--help"]) is None
    assert cli.requested_command([]) is None
    assert cli.requested_command(["--version"]) is None
