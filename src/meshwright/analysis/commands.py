"""`meshwright analyze`: the numbers a design review needs, as tables or JSON."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from meshwright.analysis.prices import Prices
from meshwright.console import OutputFormat as Format
from meshwright.console import console
from meshwright.errors import UsageError
from meshwright.model import load_model
from meshwright.model.source import no_gc

COMMANDS: dict[str, str] = {
    "analyze": "Availability, latency, timeout budgets, retry amplification, capacity and cost.",
}
"""The commands :func:`register` adds, each with the line `meshwright --help` shows for it;
`meshwright.cli` reads this without importing the module."""

_DEFAULT_PRICES = Prices()
MAX_SAMPLES = 1_000_000
"""Most Monte Carlo samples per operation (memory grows with samples × operations)."""


def analyze_command(
    path: Annotated[
        Path, typer.Argument(help="Model file (mesh.yaml) or model directory.")
    ],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="text for people, json for machines.")
    ] = Format.text,
    failure_rate: Annotated[
        float,
        typer.Option(help="Per-try failure probability for retry overhead in capacity (0..1)."),
    ] = 0.01,
    price_cpu: Annotated[
        float, typer.Option(help="Price of one CPU core per hour.")
    ] = _DEFAULT_PRICES.cpu_per_core_hour,
    price_memory: Annotated[
        float, typer.Option(help="Price of one GiB of memory per hour.")
    ] = _DEFAULT_PRICES.memory_per_gib_hour,
    samples: Annotated[
        int, typer.Option(help="Monte Carlo samples per operation for latency quantiles.")
    ] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same numbers.")] = 0,
) -> None:
    """Availability, latency, timeout budgets, retry amplification, capacity and cost.

    Example: `meshwright analyze my-system`, or `meshwright analyze my-system -f json`.

    Every number comes from the model alone (queueing: Erlang C per replica; availability:
    the product along each call path, with retries and fallbacks).
    Exit code 0 (analysis never fails a model; `meshwright check` turns numbers into findings),
    2 for an invalid model or option.
    """
    if not 0.0 <= failure_rate < 1.0:
        raise UsageError(f"--failure-rate {failure_rate:g} is outside [0, 1): write e.g. 0.01 for 1 %")
    if not all(math.isfinite(p) and p >= 0 for p in (price_cpu, price_memory)):
        raise UsageError(
            "prices must be finite numbers ≥ 0: write e.g. --price-cpu 0.03 --price-memory 0.004"
        )
    if samples < 100:
        raise UsageError(f"--samples {samples} is too few for a p99: use at least 100, e.g. 10000")
    if samples > MAX_SAMPLES:
        raise UsageError(
            f"--samples {samples} is more than {MAX_SAMPLES:,}, which already gives p99s to well "
            "under 1 %: use e.g. 100000"
        )
    if seed < 0:
        raise UsageError(f"--seed {seed} is negative: use 0 or a positive integer")
    from meshwright.analysis.result import AnalysisOptions, analyze  # numpy: only here

    loaded = load_model(path)
    options = AnalysisOptions(
        failure_rate=failure_rate,
        prices=Prices(cpu_per_core_hour=price_cpu, memory_per_gib_hour=price_memory),
        samples=samples,
        seed=seed,
    )
    # The loaded model is millions of long-lived objects, and the analysis builds large
    # acyclic results: with the cyclic GC on, every full collection walks them all again
    # (10 % of the CPU at 1,000 services, more at 10,000) to free nothing.
    with no_gc():
        result = analyze(loaded.model, options)
        if format is Format.json:
            print(result.json_text())
            return
    from meshwright.analysis.render import print_result

    print_result(result, console)


def register(app: typer.Typer) -> None:
    """Add `analyze` to the command line."""
    app.command("analyze", short_help=COMMANDS["analyze"])(analyze_command)
