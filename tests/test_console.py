"""The shared terminal helpers: whole tables on narrow consoles, durations and percentages."""

from __future__ import annotations

import io
import math

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text

from meshwright.console import format_percent, format_seconds, print_whole


def _printed(width: int, *parts: Table | Text) -> str:
    out = Console(width=width, file=io.StringIO(), no_color=True)
    print_whole(out, *parts)
    assert isinstance(out.file, io.StringIO)
    return out.file.getvalue()


def _wide_table() -> Table:
    t = Table(title="a table wider than sixty columns")
    for col in ("operation", "requests", "success", "p99", "wait"):
        t.add_column(col, justify="left" if col == "operation" else "right")
    t.add_row("checkout.PlaceOrderWithAVeryLongName", "1,234,567", "99.91 %", "1,000.0ms", "12.5s")
    return t


def test_a_wide_table_keeps_every_cell_whole_on_a_narrow_console() -> None:
    table = _wide_table()
    text = _printed(60, table, Text("after the table"))
    assert "…" not in text
    row = next(line for line in text.splitlines() if "checkout" in line)
    for cell in ("checkout.PlaceOrderWithAVeryLongName", "1,234,567", "99.91 %", "1,000.0ms", "12.5s"):
        assert cell in row
    assert len(row) > 60  # ran past the edge instead of being cut
    assert "after the table" in text
    assert table.width is None  # the caller's table is not changed


def test_a_table_that_fits_prints_as_rich_prints_it() -> None:
    table = _wide_table()
    plain = Console(width=200, file=io.StringIO(), no_color=True)
    plain.print(table)
    assert isinstance(plain.file, io.StringIO)
    assert _printed(200, table) == plain.file.getvalue()


def test_plain_rich_cuts_the_same_table() -> None:
    """The failure print_whole exists for: rich fits a table to the console by cutting cells."""
    out = Console(width=60, file=io.StringIO(), no_color=True)
    out.print(_wide_table())
    assert isinstance(out.file, io.StringIO)
    assert "…" in out.file.getvalue()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (math.inf, "∞"), (0.0241, "24.1ms"), (1.0, "1,000.0ms"), (9.99, "9,990.0ms"),
     (10.0, "10.0s"), (1234.5, "1,234.5s"), (-0.25, "-250.0ms")],
)
def test_format_seconds(seconds: float | None, text: str) -> None:
    assert format_seconds(seconds) == text


@pytest.mark.parametrize(
    ("fraction", "digits", "text"),
    [(None, 2, "—"), (0.99912, 2, "99.91 %"), (1.0, 2, "100.00 %"), (0.564, 0, "56 %"),
     (0.2024528, 3, "20.245 %")],
)
def test_format_percent(fraction: float | None, digits: int, text: str) -> None:
    assert format_percent(fraction, digits) == text
