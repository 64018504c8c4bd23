"""Writing build artifacts: the only place that writes generated files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from meshwright.errors import UsageError
from meshwright.pipeline import Artifact


def write_artifacts(out: Path, artifacts: Iterable[Artifact]) -> list[Path]:
    """Write each artifact under ``out``; refuse paths that escape it.

    Problems a user can fix (``out`` is a file, no permission, disk full) raise
    :class:`UsageError` naming the path."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} is a file, not a directory: choose another --out")
    root = out.resolve()
    written: list[Path] = []
    for art in artifacts:
        target = (root / art.path).resolve()
        if root not in target.parents:
            raise UsageError(f"refusing to write {art.path}: outside the output directory")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(art.content, bytes):
                target.write_bytes(art.content)
            else:
                target.write_text(art.content, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
        written.append(target)
    return written
