"""Small things a new user meets first: `init NAME`, `--help`, `make docs`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from meshwright.cli import app
from meshwright.docs_gen import generate
from meshwright.model import load_model

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_init_names_the_system_after_its_directory(tmp_path: Path) -> None:
    r = runner.invoke(app, ["init", str(tmp_path / "mystore")])
    assert r.exit_code == 0, r.output
    assert load_model(tmp_path / "mystore").model.system == "mystore"
    r = runner.invoke(app, ["init", str(tmp_path / "My Store_2")])
    assert load_model(tmp_path / "My Store_2").model.system == "my-store-2"


COMMANDS = ["init", "validate", "schema", "check", "rules", "analyze", "simulate", "emit", "build"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_no_bool_type_and_no_paths_an_install_lacks(command: str) -> None:
    r = subprocess.run([sys.executable, "-m", "meshwright", command, "--help"],
                       capture_output=True, text=True, check=False,
                       env={"COLUMNS": "120", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    assert "<bool>" not in r.stdout
    assert not re.search(r"\b(examples|docs)/", r.stdout), r.stdout


def _command_paths() -> list[list[str]]:
    """Every command and subcommand of the installed command line, walked from the app."""
    import typer.main

    def walk(cmd: Any, path: list[str]) -> list[list[str]]:
        if hasattr(cmd, "list_commands"):  # a group
            ctx = typer.Context(cmd)
            names = cmd.list_commands(ctx)
            return [p for name in names for p in walk(cmd.get_command(ctx, name), [*path, name])]
        return [path]

    return walk(typer.main.get_command(app), [])


def test_every_help_page_teaches_with_an_inline_example_and_names_no_repository_path() -> None:
    paths = _command_paths()
    assert {"validate", "publish etcd", "import traces", "apply kafka"} <= {" ".join(p) for p in paths}
    for path in paths:
        r = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120", "NO_COLOR": "1"})
        assert r.exit_code == 0, (path, r.output)
        assert "<bool>" not in r.output, path
        assert not re.search(r"\b(examples|docs|src|tests)/", r.output), (path, r.output)
        assert re.search(r"Examples?:", r.output), (path, r.output)


def test_make_docs_regenerates_what_is_committed(tmp_path: Path) -> None:
    written = generate(tmp_path)
    assert (tmp_path / "model-reference.md").read_text() == (ROOT / "docs" / "model-reference.md").read_text()
    assert (tmp_path / "rules" / "index.md").read_text() == (ROOT / "docs" / "rules" / "index.md").read_text()
    assert len(written) == len(list((ROOT / "docs" / "rules").glob("*.md"))) + 1
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^docs:.*\n\t(.*)$", makefile, re.MULTILINE)
    assert recipe is not None and "-m meshwright.docs_gen" in recipe.group(1)


@pytest.mark.parametrize("columns", [80, 120])
def test_rules_list_fits_the_terminal_and_keeps_names_whole(columns: int) -> None:
    from meshwright.check.registry import all_rules

    r = subprocess.run([sys.executable, "-m", "meshwright", "rules"], capture_output=True, text=True,
                       check=False, env={"COLUMNS": str(columns), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= columns
    for rule in all_rules():
        assert rule.name in r.stdout and "…" not in r.stdout
