"""The `check` and `rules` commands."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.markup import escape
from rich.padding import Padding
from rich.syntax import Syntax
from rich.table import Table

from meshwright.console import console, err_console
from meshwright.errors import UsageError
from meshwright.model import load_model

COMMANDS: dict[str, str] = {
    "check": "Review a model against the rule catalogue; every finding names file:line:col.",
    "rules": (
        "List the review rules, or explain one: rationale, fix, anti-pattern and best "
        "practice."
    ),
}
"""The commands :func:`register` adds, each with the line `meshwright --help` shows for it;
`meshwright.cli` reads this without importing the module."""

if TYPE_CHECKING:
    from meshwright.check.rule import Rule


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


def _split(values: list[str] | None) -> list[str]:
    return [v for item in values or [] for v in item.split(",") if v.strip()]


def check(
    path: Annotated[Path, typer.Argument(help="Model file (mesh.yaml) or model directory.")],
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            help="Run only rules with these codes or prefixes (MW2, MW201); repeatable or comma-separated.",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", help="Skip rules with these codes or prefixes; repeatable or comma-separated."
        ),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity.")
    ] = FailOn.error,
    format: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="text for people, json for machines, sarif for code scanning, github for PR annotations.",
        ),
    ] = CheckFormat.text,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option", "-O", help="Tune a rule: NAME=VALUE, e.g. amplification_threshold=20; repeatable."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file instead of stdout.")
    ] = None,
) -> None:
    """Review a model against the rule catalogue; every finding names file:line:col.

    Example: `meshwright check my-system`, or `meshwright check my-system -f sarif -o
    check.sarif` for code scanning.

    Exit code 0 when no finding reaches --fail-on, 1 when one does, 2 for an invalid model
    or usage. Suppress a deliberate finding in the model: `suppress: {MW203: "reason"}`.
    """
    from meshwright.check import formats  # the rules and analyses: only for this command
    from meshwright.check.engine import parse_options, run_check

    options = parse_options(option or [])
    loaded = load_model(path)
    report = run_check(loaded, select=_split(select), ignore=_split(ignore), options=options)
    if format is CheckFormat.text and output is None:
        formats.print_text(report, console)
    else:
        text = formats.render(report, format.value)
        if output is None:
            sys.stdout.write(text)
        else:
            _write(output, text)
            err_console.print(f"wrote {escape(str(output))}: {formats.summary_line(report)}", soft_wrap=True)
    if report.fails(fail_on.value):
        raise typer.Exit(1)


def _write(output: Path, text: str) -> None:
    """Write the report; a path that cannot be written is a usage error, not a traceback."""
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write the report: {exc.strerror or exc}") from None


def _rule_json(rule: type[Rule]) -> dict[str, object]:
    return {
        "code": rule.code,
        "name": rule.name,
        "family": rule.family(),
        "severity": rule.severity.value,
        "summary": rule.summary(),
        "rationale": rule.rationale,
        "fix": rule.fix,
        "references": list(rule.references),
        "options": dict(rule.options),
        "examples": rule.examples(),
    }


WIDE_RULES = 100
"""Terminal columns from which the rule list is a table (narrower: two lines per rule)."""


def rules(
    code: Annotated[str | None, typer.Argument(help="Explain one rule, by code (MW203) or name.")] = None,
    format: Annotated[ListFormat, typer.Option("--format", "-f", help="text or json.")] = ListFormat.text,
) -> None:
    """List the review rules, or explain one: rationale, fix, anti-pattern and best practice.

    Example: `meshwright rules` (the catalogue), `meshwright rules MW201` (one rule).
    """
    from meshwright.check.registry import all_rules, get_rule

    if code is not None:
        rule = get_rule(code)
        if format is ListFormat.json:
            print(json.dumps(_rule_json(rule), indent=2))
            return
        _explain(rule)
        return
    if format is ListFormat.json:
        print(json.dumps([_rule_json(r) for r in all_rules()], indent=2))
        return
    # Codes, names and severities stay whole (a name is what `rules NAME` takes); the
    # summary wraps in what is left. Below WIDE_RULES columns (an 80-column terminal) each
    # rule takes two lines instead: code, severity and name, then the summary indented.
    rows = all_rules()
    if console.width >= WIDE_RULES:
        table = Table(
            title=f"meshwright rules ({len(rows)})", box=box.SIMPLE_HEAD, show_edge=False,
            title_justify="left",
        )
        for col in ("code", "name", "severity"):
            table.add_column(col, no_wrap=True)
        table.add_column("summary", ratio=1)
        for r in rows:
            table.add_row(r.code, r.name, r.severity.value, escape(r.summary()))
        console.print(table)
    else:
        console.print(f"meshwright rules ({len(rows)})")
        for r in rows:
            console.print(f"[bold]{r.code}[/] {r.severity.value:<7} {r.name}")
            console.print(Padding(escape(r.summary()), (0, 0, 0, 6)), soft_wrap=False)
    console.print("explain one with `meshwright rules MW203`")


def _explain(rule: type[Rule]) -> None:
    console.print(f"[bold]{rule.code}[/] {rule.name} ([bold]{rule.severity.value}[/], {rule.family()})")
    console.print(escape(rule.summary()))
    console.print(f"\n[bold]Why[/]\n{escape(rule.rationale)}")
    console.print(f"\n[bold]Fix[/]\n{escape(rule.fix)}")
    if rule.options:
        opts = ", ".join(f"{k}={v:g}" for k, v in rule.options.items())
        console.print(f"\n[bold]Options[/] (--option NAME=VALUE)\n{opts}")
    examples = rule.examples()
    for key, title in (("anti-pattern", "Anti-pattern"), ("best-practice", "Best practice")):
        if key in examples:
            console.print(f"\n[bold]{title}[/]")
            console.print(Syntax(examples[key], "yaml", theme="ansi_dark", background_color="default"))
    if rule.references:
        console.print("\n[bold]References[/]")
        for ref in rule.references:
            console.print(f"- {escape(ref)}")
    console.print(f"\nsuppress one finding: [dim]suppress: {{{rule.code}: \"why it is accepted\"}}[/]")


def register(app: typer.Typer) -> None:
    """Add `check` and `rules` to the meshwright command line."""
    app.command("check", short_help=COMMANDS["check"])(check)
    app.command("rules", short_help=COMMANDS["rules"])(rules)
