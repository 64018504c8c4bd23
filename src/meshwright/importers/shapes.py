"""Typed access to untrusted parsed documents: a wrong shape is a located error."""

from __future__ import annotations

from typing import Any

from meshwright.importers.reading import Document, fail


class Shape:
    """Reads fields of one document; ``where`` locates errors at the document's start."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def _error(self, path: str, want: str, got: Any) -> Exception:
        return fail(self.doc.file, self.doc.line, 1,
                    f"{path} must be {want}, not {type(got).__name__}",
                    f"fix this {self.kind or 'document'} (its {path})")

    @property
    def kind(self) -> str:
        data = self.doc.data
        return str(data.get("kind", "")) if isinstance(data, dict) else ""

    def map(self, obj: Any, path: str) -> dict[str, Any]:
        if obj is None:
            return {}
        if not isinstance(obj, dict):
            raise self._error(path, "a mapping", obj)
        return obj

    def seq(self, obj: Any, path: str) -> list[Any]:
        if obj is None:
            return []
        if not isinstance(obj, list):
            raise self._error(path, "a list", obj)
        return obj

    def maps(self, obj: Any, path: str) -> list[dict[str, Any]]:
        return [self.map(x, f"{path}[{i}]") for i, x in enumerate(self.seq(obj, path))]

    def at(self, *keys: str) -> dict[str, Any]:
        """The mapping at ``keys`` (empty when absent)."""
        cur: Any = self.doc.data
        path = ""
        for key in keys:
            path = f"{path}.{key}" if path else key
            cur = self.map(cur, path or "the document").get(key)
        return self.map(cur, path)

    def int_or_none(self, obj: Any, path: str) -> int | None:
        if obj is None:
            return None
        if isinstance(obj, bool) or not isinstance(obj, int):
            if isinstance(obj, str) and obj.isdigit():
                return int(obj)
            raise self._error(path, "a number", obj)
        return obj


def text(value: Any) -> str | None:
    """A scalar as text (numbers too), else None."""
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    return None
