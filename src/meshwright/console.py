"""Terminal output: one rich console for results (stdout), one for messages (stderr)."""

from __future__ import annotations

import copy
import math
from enum import StrEnum
from typing import TYPE_CHECKING

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table

from meshwright.errors import ModelError

if TYPE_CHECKING:
    from rich.progress import Progress

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)



class OutputFormat(StrEnum):
    """``--format`` of every command: text for people, json for machines."""

    text = "text"
    json = "json"


def progress_bar(label: str, count: str) -> Progress:
    """The progress bar of long commands, on stderr and gone when done: ``label``, a bar,
    ``count`` (a rich column template such as ``{task.completed}/{task.total} runs``) and
    the time elapsed. Commands show it only for text output on a terminal."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(label), BarColumn(), TextColumn(count), TimeElapsedColumn(),
        console=err_console, transient=True,
    )


UNBOUNDED = 10_000
"""A console width no table reaches, to measure a table's natural width."""


def print_whole(out: Console, *parts: RenderableType) -> None:
    """Print each part; a table wider than the console keeps every cell whole (printed at
    its natural width, its lines run past the edge) instead of losing names or digits."""
    for part in parts:
        if isinstance(part, Table):
            natural = out.measure(part, options=out.options.update_width(UNBOUNDED)).maximum
            if natural > out.width:
                wide = copy.copy(part)
                wide.width = natural
                out.print(wide, crop=False)
                continue
        out.print(part)


def format_seconds(seconds: float | None) -> str:
    """A measured duration for people: ``1,000.0ms`` below 10 s, else ``12.5s``;
    ``—`` for none, ``∞`` for infinite."""
    if seconds is None:
        return "—"
    if not math.isfinite(seconds):
        return "∞"
    return f"{seconds * 1000:,.1f}ms" if abs(seconds) < 10 else f"{seconds:,.1f}s"


def format_percent(fraction: float | None, digits: int = 2) -> str:
    """A share (0..1) as a percentage with a space before the sign: ``99.91 %``; ``—`` for none."""
    return "—" if fraction is None else f"{fraction * 100:.{digits}f} %"


def print_model_error(exc: ModelError) -> None:
    """Every diagnostic as `file:line:col: error: message`, then a count."""
    for d in exc.diagnostics:
        err_console.print(f"[bold]{escape(str(d.location))}[/]: [red]error:[/] {escape(d.message)}")
        if d.hint:
            err_console.print(f"    [cyan]hint:[/] {escape(d.hint)}")
    n = len(exc.diagnostics)
    err_console.print(f"[red]{n} error{'s' if n != 1 else ''}[/]; {exc.outcome}")
