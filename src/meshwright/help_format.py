"""`--help` as a person reads it: a flag (``--force``, ``--help``) takes no value, so its
type column stays empty instead of showing typer's ``<bool>``.

Imported once by :mod:`meshwright.cli`; :func:`install` is idempotent."""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

_ORIGINAL = TyperOption.display_type_rich


def _display_type(self: TyperOption, ctx: Any) -> Any:
    if self.is_flag and self.metavar is None:
        return None
    return _ORIGINAL(self, ctx)


def install() -> None:
    """Hide the value type of flags in every command's help."""
    TyperOption.display_type_rich = _display_type  # type: ignore[method-assign]
