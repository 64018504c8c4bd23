"""`meshwright simulate MODEL --scenario FILE`: run the discrete-event simulation and
print a summary (or JSON); --out writes result.json and plots."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from meshwright.console import OutputFormat as Format
from meshwright.console import console, err_console, progress_bar
from meshwright.errors import UsageError
from meshwright.model import load_model
from meshwright.model.units import parse_duration
from meshwright.output import write_artifacts

COMMANDS: dict[str, str] = {
    "simulate": "Simulate traffic, faults and resilience policies; judge SLOs and recovery.",
}
"""The commands :func:`register` adds, each with the line `meshwright --help` shows for it;
`meshwright.cli` reads this without importing the module."""

DEFAULT_DURATION = 300.0
MAX_BUCKETS = 10_000
"""Most time buckets a run may have (each keeps counters for every service)."""


_EXAMPLES = {"--duration": "10m", "--bucket": "5s"}
"""A sensible value of each duration option, for error messages."""


def _seconds(option: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"{option} {text!r}: {exc}") from None
    if value <= 0:
        raise UsageError(f"{option} must be longer than 0s, e.g. {option} {_EXAMPLES[option]}")
    return value


def _nice(seconds: float) -> str:
    """A round duration at least ``seconds`` long, written as a user would: 250ms, 2s."""
    ms = math.ceil(seconds * 1000)
    return f"{ms}ms" if ms < 1000 else f"{math.ceil(seconds)}s"


def simulate_command(
    path: Annotated[Path, typer.Argument(help="Model file (mesh.yaml) or model directory.")],
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Chaos scenario file, e.g. `events: [{at: 60s, for: 30s, action: crash, service: cart}]`.",
        ),
    ] = None,
    duration: Annotated[
        str | None,
        typer.Option(help="Simulated time, e.g. 10m (default: the scenario's, else 5m)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same result.")] = 1,
    bucket: Annotated[
        str | None, typer.Option(help="Width of a time bucket, e.g. 5s (default: ~120 buckets).")
    ] = None,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="text for people, json for machines.")
    ] = Format.text,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write result.json and PNG plots here.")
    ] = None,
) -> None:
    """Simulate traffic, faults and resilience policies; judge SLOs and recovery.

    Example: meshwright simulate my-system -s chaos.yaml -o sim/, with chaos.yaml holding
    `events: [{at: 60s, for: 30s, action: crash, service: cart, replicas: 2}]`; then open
    sim/entrypoints.png and sim/services.png.

    Exit code 0 when every SLO is met and the system recovered after the faults, 1 when
    not, 2 for invalid input.
    """
    if seed < 0:
        raise UsageError(f"--seed {seed}: a seed is a whole number ≥ 0, e.g. --seed 1")
    asked = _seconds("--duration", duration)
    from meshwright.simulate import simulate  # numpy and the engine: only for this command
    from meshwright.simulate.budget import WorkRefused
    from meshwright.simulate.engine import SimOptions
    from meshwright.simulate.scenario import Scenario, load_scenario
    from meshwright.simulate.stage import artifacts_for
    from meshwright.simulate.summary import print_summary

    loaded = load_model(path)
    if scenario is not None:
        scen = load_scenario(scenario, loaded.model, asked, DEFAULT_DURATION).scenario
    else:
        scen = Scenario(name="steady")
    seconds = asked or scen.duration or DEFAULT_DURATION
    options = SimOptions(duration=seconds, seed=seed, bucket=_seconds("--bucket", bucket))
    buckets = math.ceil(seconds / options.bucket_width())
    if buckets > MAX_BUCKETS:
        raise UsageError(
            f"--bucket {bucket} makes {buckets:,} time buckets of a {seconds:g} s run; at most "
            f"{MAX_BUCKETS:,}: use --bucket {_nice(seconds / MAX_BUCKETS)} or wider"
        )
    try:
        if format is Format.text and err_console.is_terminal:
            with progress_bar("simulating", "{task.completed:.0f}/{task.total:.0f} s") as bar:
                task = bar.add_task("simulate", total=seconds)
                result = simulate(
                    loaded.model, scen, options, lambda t: bar.update(task, completed=t)
                )
        else:
            result = simulate(loaded.model, scen, options)
    except WorkRefused as exc:  # too big a run: point at the entrypoint or service that makes it so
        raise exc.located(loaded.locate) from None
    if out is not None:
        written = write_artifacts(out, artifacts_for(result, scen, prefix=""))
        err_console.print(f"wrote {len(written)} files to {out}/")
    if format is Format.json:
        print(json.dumps(result.to_json(), indent=1))
    else:
        print_summary(result, console)
    if not result.verdict.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `meshwright simulate` to the command line."""
    app.command("simulate", short_help=COMMANDS["simulate"])(simulate_command)
