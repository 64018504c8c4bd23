"""A sortable HTML table as data: columns and cells with a sort key each. Every table of
the report is one of these, rendered by one template macro."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    """One cell: the text shown, the value it sorts by, and a CSS class (``bad``, ``ok``)."""

    text: str
    sort: float | str | None = None
    cls: str = ""
    href: str | None = None

    @property
    def key(self) -> str:
        """The ``data-v`` attribute: numbers sort numerically (∞ last), text as text."""
        if self.sort is None:
            return self.text
        if isinstance(self.sort, float | int):
            return "1e308" if not math.isfinite(self.sort) else repr(float(self.sort))
        return self.sort


def num(value: float | None, text: str, cls: str = "") -> Cell:
    """A numeric cell; None sorts first."""
    return Cell(text, -1e308 if value is None else float(value), cls)


@dataclass(frozen=True)
class Column:
    name: str
    numeric: bool = False
    title: str = ""
    """Explanation shown on hover."""


@dataclass
class Table:
    """A table with an id (its anchor), a caption, and rows of cells."""

    id: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
