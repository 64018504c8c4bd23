"""Writing build artifacts: the only place that writes generated files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from meshwright.errors import UsageError
from meshwright.pipeline import Artifact


def write_artifacts(out: Path, artifacts: Iterable[Artifact]) -> list[Path]:
    """Write each artifact under ``out``; refuse paths that escape it."""
    root = out.resolve()
    written: list[Path] = []
    for art in artifacts:
        target = (root / art.path).resolve()
        if root not in target.parents:
            raise UsageError(f"refusing to write {art.path}: outside the output directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(art.content, bytes):
            target.write_bytes(art.content)
        else:
            target.write_text(art.content, encoding="utf-8")
        written.append(target)
    return written
