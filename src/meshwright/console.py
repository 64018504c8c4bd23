"""Terminal output: one rich console for results (stdout), one for messages (stderr)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from meshwright.errors import ModelError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_model_error(exc: ModelError) -> None:
    """Every diagnostic as `file:line:col: error: message`, then a count."""
    for d in exc.diagnostics:
        err_console.print(f"[bold]{escape(str(d.location))}[/]: [red]error:[/] {escape(d.message)}")
        if d.hint:
            err_console.print(f"    [cyan]hint:[/] {escape(d.hint)}")
    n = len(exc.diagnostics)
    err_console.print(f"[red]{n} error{'s' if n != 1 else ''}[/]; {exc.outcome}")
