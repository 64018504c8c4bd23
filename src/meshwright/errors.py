"""Errors a user sees: one base class and a located diagnostic.

Every diagnostic names the file, line and column (1-based), what is wrong, and how to fix
it. The CLI prints them and exits with code 2; no traceback reaches the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Location(NamedTuple):
    """A place in a source file; line and column are 1-based (a tuple: cheap to make)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """One located problem: where, what, and how to fix it."""

    location: Location
    message: str
    hint: str = ""
    code: str = "invalid"
    path: tuple[str | int, ...] = field(default=(), compare=False)

    def format(self) -> str:
        text = f"{self.location}: error: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "path": ".".join(str(p) for p in self.path),
        }


class MeshwrightError(Exception):
    """Base of every error meshwright raises on purpose."""


class ModelError(MeshwrightError):
    """A model could not be loaded; carries every problem found, each located."""

    def __init__(self, diagnostics: list[Diagnostic], outcome: str = "the model was not loaded") -> None:
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.location, d.message))
        self.outcome = outcome
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class UsageError(MeshwrightError):
    """A command was called wrongly (bad option, missing file)."""
