"""Output formats of a check report: text (rich), json, sarif (2.1.0) and github
(workflow commands that annotate a pull request)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePath
from typing import Any

from rich.console import Console
from rich.markup import escape

from meshwright import __version__
from meshwright.analysis.wording import plural
from meshwright.check.engine import CheckReport
from meshwright.check.registry import all_rules
from meshwright.check.rule import Finding, Rule, Severity
from meshwright.errors import Location
from meshwright.jsontext import dumps_indented
from meshwright.model.source import no_gc

FORMATS = ("text", "json", "sarif", "github")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note"}
_GITHUB_LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.info: "notice"}
_STYLE = {Severity.error: "red", Severity.warning: "yellow", Severity.info: "cyan"}


def summary_line(report: CheckReport) -> str:
    """``2 errors, 1 warning, 0 info (3 suppressed); 66 rules``."""
    c = report.counts()
    parts = [
        plural(c["error"], "error"),
        plural(c["warning"], "warning"),
        f"{c['info']} info",
    ]
    return f"{', '.join(parts)} ({len(report.suppressed)} suppressed); {plural(len(report.rules), 'rule')}"


def print_text(report: CheckReport, console: Console) -> None:
    """One located line per finding with its fix, then a summary. Lines are never wrapped,
    so ``file:line:col`` stays whole for editors, grep and CI problem matchers."""
    with no_gc():  # a line is many small acyclic objects (rich's segments)
        _print_text(report, console)


def _print_text(report: CheckReport, console: Console) -> None:
    for f in report.findings:
        style = _STYLE[f.severity]
        console.print(
            f"[bold]{escape(str(f.location))}[/]: [{style}]{f.code}[/] "
            f"[{style}]{f.severity.value}[/] {escape(f.message)} [dim]({f.name})[/]",
            soft_wrap=True,
        )
        for r in f.related:
            also = f"{escape(str(r.location))}: {escape(r.message)}"
            console.print(f"    [cyan]also:[/] {also}", soft_wrap=True)
        console.print(f"    [cyan]fix:[/] {escape(f.fix)}", soft_wrap=True)
    mark = "[red]✗[/]" if report.count(Severity.error) else "[green]✓[/]"
    console.print(f"{mark} {escape(report.system)}: {summary_line(report)}", soft_wrap=True)


def to_json(report: CheckReport) -> str:
    return dumps_indented(report.to_json()) + "\n"


@lru_cache(maxsize=1024)  # a few files, named by thousands of findings
def _uri(file: str) -> str:
    return PurePath(file).as_posix()


def _sarif_rule(rule: type[Rule]) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": rule.fix, "markdown": f"**Fix:** {rule.fix}"},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {"tags": [rule.family()]},
    }


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(location.file)}}
    if location.line > 0:
        physical["region"] = {"startLine": location.line, "startColumn": max(1, location.col)}
    return physical


def _sarif_result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    physical = _physical(f.location)
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index[f.code],
        "level": _SARIF_LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [{"fullyQualifiedName": ".".join(str(p) for p in f.path)}],
            }
        ],
    }
    if f.related:
        result["relatedLocations"] = [
            {"id": i, "physicalLocation": _physical(r.location), "message": {"text": r.message},
             "logicalLocations": [{"fullyQualifiedName": ".".join(str(p) for p in r.path)}]}
            for i, r in enumerate(f.related, start=1)
        ]
    if f.suppressed is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": f.suppressed}]
    return result


def to_sarif(report: CheckReport) -> str:
    """The report as a SARIF 2.1.0 log; suppressed findings carry an inSource suppression."""
    rules = list(all_rules())
    index = {r.code: i for i, r in enumerate(rules)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "meshwright",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_sarif_rule(r) for r in rules],
                    }
                },
                "results": [_sarif_result(f, index) for f in [*report.findings, *report.suppressed]],
            }
        ],
    }
    return dumps_indented(log) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(report: CheckReport) -> str:
    """GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=T::message``."""
    lines = []
    for f in report.findings:
        props = [f"file={_escape_property(_uri(f.location.file))}"]
        if f.location.line > 0:
            props += [f"line={f.location.line}", f"col={f.location.col}"]
        props.append(f"title={_escape_property(f'{f.code} {f.name}')}")
        message = _escape_data(f"{f.code} {f.message}. Fix: {f.fix}")
        lines.append(f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::{message}")
    return "".join(line + "\n" for line in lines)


def to_plain(report: CheckReport) -> str:
    """Text without styling (for files): one line per finding, then the summary."""
    lines = [f"{f.location}: {f.code} {f.severity.value} {f.message} ({f.name})" for f in report.findings]
    return "".join(line + "\n" for line in [*lines, summary_line(report)])


def render(report: CheckReport, fmt: str) -> str:
    """The report in format ``fmt`` (one of :data:`FORMATS`) as a string."""
    renderers = {"text": to_plain, "json": to_json, "sarif": to_sarif, "github": to_github}
    with no_gc():  # a report of many findings is many small acyclic containers
        return renderers[fmt](report)
