"""`meshwright report MODEL -o report.html`: the design review, analysis and diagrams of
a model as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from meshwright.console import err_console
from meshwright.errors import UsageError
from meshwright.model import load_model
from meshwright.model.units import parse_duration

COMMANDS: dict[str, str] = {
    "report": (
        "Write one self-contained HTML report: context map, C4-style containers, call trees "
        "with availability, latency and timeout budgets, findings, capacity, utilisation and "
        "cost."
    ),
}
"""The commands :func:`register` adds, each with the line `meshwright --help` shows for it;
`meshwright.cli` reads this without importing the module."""


def report_command(
    path: Annotated[Path, typer.Argument(help="Model file (mesh.yaml) or model directory.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="The HTML file to write.")
    ] = Path("report.html"),
    simulate: Annotated[
        Path | None,
        typer.Option("--simulate", "-s", metavar="SCENARIO",
                     help="Also simulate this scenario file and include its plots and verdict."),
    ] = None,
    duration: Annotated[
        str | None, typer.Option(help="Simulated time with --simulate, e.g. 5m (default: the scenario's).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the analysis and simulation.")] = 1,
) -> None:
    """Write one self-contained HTML report: context map, C4-style containers, call trees with
    availability, latency and timeout budgets, findings, capacity, utilisation and cost.

    Examples:

        meshwright report my-system -o report.html
        meshwright report my-system -o report.html --simulate chaos.yaml   # chaos.yaml: a scenario

    The file makes no network request (styles, scripts and diagrams are inline): mail it,
    attach it to a pull request, or print it to PDF. Diagrams need Graphviz's `dot`.
    Exit code 0, 2 for an invalid model, scenario or option.
    """
    if seed < 0:
        raise UsageError(f"--seed {seed}: a seed is a whole number ≥ 0, e.g. --seed 1")
    if duration is not None and simulate is None:
        raise UsageError("--duration is the length of the simulation: add --simulate SCENARIO")
    # the analysis and the check load SciPy and friends: only when the command runs
    from meshwright.analysis.result import analyze
    from meshwright.check.engine import run_check
    from meshwright.report.document import ReportInputs, render_report

    loaded = load_model(path)
    model = loaded.model
    sim = scenario = None
    if simulate is not None:
        from meshwright.simulate import SimOptions
        from meshwright.simulate import simulate as run_simulation
        from meshwright.simulate.commands import DEFAULT_DURATION
        from meshwright.simulate.scenario import load_scenario

        asked = None
        if duration is not None:
            try:
                asked = parse_duration(duration)
            except ValueError as exc:
                raise UsageError(f"--duration {duration!r}: {exc}") from None
            if asked <= 0:
                raise UsageError("--duration must be longer than 0s, e.g. --duration 5m")
        scenario = load_scenario(simulate, model, asked, DEFAULT_DURATION).scenario
        seconds = asked or scenario.duration or DEFAULT_DURATION
        with err_console.status("simulating…"):
            sim = run_simulation(model, scenario, SimOptions(duration=seconds, seed=seed))
    with err_console.status("reviewing and analyzing…"):
        check = run_check(loaded)
        from meshwright.analysis.result import AnalysisOptions

        analysis = analyze(model, AnalysisOptions(seed=seed))
        html = render_report(ReportInputs(loaded, check, analysis, sim, scenario,
                                          base=output.resolve().parent))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    err_console.print(f"wrote {output} ({len(html) // 1024:,} KiB)")


def register(app: typer.Typer) -> None:
    """Add `meshwright report` to the command line."""
    app.command("report", short_help=COMMANDS["report"])(report_command)
