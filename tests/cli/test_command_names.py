"""`COMMAND_NAMES` says which commands each feature module adds, so a run imports only
the module of its command: it must name exactly what each module registers."""

from __future__ import annotations

import importlib

import typer
from typer.main import get_command

from meshwright import cli
from meshwright.command_groups import IMPORT


def test_each_module_adds_the_commands_it_is_listed_for() -> None:
    for module in cli.COMMAND_MODULES:
        assert module in cli.COMMAND_NAMES, f"{module}: add its commands to COMMAND_NAMES"
        app = typer.Typer()
        app.command()(lambda: None)  # two commands, so typer makes a group
        app.command(name="placeholder")(lambda: None)
        before = len(IMPORT.registered_commands) + len(IMPORT.registered_groups)
        importlib.import_module(module).register(app)
        added = set(get_command(app).commands) - {"<lambda>", "placeholder"}
        if len(IMPORT.registered_commands) + len(IMPORT.registered_groups) > before:
            added.add("import")
        listed = set(cli.COMMAND_NAMES[module])
        if "import" in listed and "import" not in added:
            added.add("import")  # registered on IMPORT by an earlier import of the module
        assert added == listed, module


def test_requested_command() -> None:
    assert cli.requested_command(["check", "m", "--format", "json"]) == "check"
    assert cli.requested_command(["--help"]) is None
    assert cli.requested_command([]) is None
    assert cli.requested_command(["--version"]) is None
