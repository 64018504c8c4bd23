"""Writing build artifacts: the only place that writes generated files.

:func:`write_artifacts` writes files. :func:`write_tracked` (``emit`` and ``build``) also
keeps a manifest, ``OUT/.meshwright-manifest.json``, of every file meshwright wrote there:
its path, the SHA-256 of what was written, and the *scope* that wrote it (``emit
kubernetes``, ``build emit``, ...). On the next run of a scope, a file that scope wrote
before and no longer produces (the files of a removed service) is deleted, so nothing
stale is left for ``kubectl apply -k`` or Helm to pick up. Only such files are deleted:

- a file the manifest does not list (the user's own) is never touched;
- a file whose content changed since meshwright wrote it is kept, and reported, for the
  user to delete by hand;
- files of scopes that did not run this time (another target, a ``build`` stage left
  out with ``--only``) stay as they are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from meshwright.errors import UsageError
from meshwright.pipeline import Artifact

MANIFEST = ".meshwright-manifest.json"
"""File name of the manifest of generated files, at the top of the output directory."""
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class Entry:
    """One generated file in the manifest."""

    sha256: str
    scope: str


@dataclass
class WriteReport:
    """What :func:`write_tracked` did, paths relative to the output directory."""

    written: list[Path] = field(default_factory=list)
    """Files written (absolute paths), in artifact order."""
    removed: list[str] = field(default_factory=list)
    """Files meshwright wrote before and no longer generates, deleted."""
    kept: list[str] = field(default_factory=list)
    """Files meshwright wrote before and no longer generates, kept: edited since."""
    warnings: list[str] = field(default_factory=list)
    """Problems that did not stop the write (an unreadable manifest)."""


def _root(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} is a file, not a directory: choose another --out")
    return out.resolve()


def _inside(root: Path, relative: str) -> Path | None:
    """The absolute path of ``relative`` under ``root``, or None when it would escape it."""
    target = (root / relative).resolve()
    return target if root in target.parents else None


def _digest(content: str | bytes) -> str:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


def _write(root: Path, art: Artifact) -> Path:
    target = _inside(root, art.path)
    if target is None:
        raise UsageError(f"refusing to write {art.path}: outside the output directory")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(art.content, bytes):
            target.write_bytes(art.content)
        else:
            target.write_text(art.content, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def write_artifacts(out: Path, artifacts: Iterable[Artifact]) -> list[Path]:
    """Write each artifact under ``out``; refuse paths that escape it. No manifest.

    Problems a user can fix (``out`` is a file, no permission, disk full) raise
    :class:`UsageError` naming the path."""
    root = _root(out)
    return [_write(root, art) for art in artifacts]


def read_manifest(out: Path) -> tuple[dict[str, Entry], str | None]:
    """The manifest of ``out`` (empty when there is none) and a warning when it is unreadable."""
    path = out / MANIFEST
    if not path.exists():
        return {}, None
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        if data.get("format") != MANIFEST_FORMAT or not isinstance(files, dict):
            raise ValueError("unknown format")
        entries = {
            str(p): Entry(str(e["sha256"]), str(e["scope"])) for p, e in files.items() if isinstance(e, dict)
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a meshwright manifest"
        return {}, (
            f"ignored {path}: {reason}; files written before are not tracked, so none was removed "
            "(the manifest is rewritten now)"
        )
    return entries, None


def _write_manifest(root: Path, entries: Mapping[str, Entry]) -> None:
    data = {
        "format": MANIFEST_FORMAT,
        "generator": "meshwright",
        "about": "Files meshwright wrote here; the next run removes those it no longer generates.",
        "files": {p: {"sha256": e.sha256, "scope": e.scope} for p, e in sorted(entries.items())},
    }
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / MANIFEST).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {root / MANIFEST}: {exc.strerror or exc}") from None


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _remove(root: Path, target: Path) -> None:
    """Delete ``target`` and the directories it leaves empty, up to ``root``."""
    try:
        target.unlink()
    except OSError as exc:
        raise UsageError(f"cannot remove {target}: {exc.strerror or exc}") from None
    parent = target.parent
    while parent != root and root in parent.parents and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def write_tracked(out: Path, scopes: Mapping[str, Sequence[Artifact]]) -> WriteReport:
    """Write the artifacts of each scope under ``out`` and remove the files those scopes
    wrote before and no longer produce (see the module docstring), keeping the manifest.

    ``scopes`` maps a scope name (e.g. ``"emit kubernetes"``) to the artifacts it produces
    now; a scope that produces nothing this time removes all it wrote before."""
    root = _root(out)
    report = WriteReport()
    old, warning = read_manifest(root)
    if warning:
        report.warnings.append(warning)
    entries = dict(old)
    produced: set[str] = set()
    for scope, artifacts in scopes.items():
        for art in artifacts:
            if Path(art.path).name == MANIFEST:
                raise UsageError(f"refusing to write {art.path}: the name is meshwright's manifest")
            report.written.append(_write(root, art))
            key = (root / art.path).resolve().relative_to(root).as_posix()
            entries[key] = Entry(_digest(art.content), scope)
            produced.add(key)
    for key, entry in sorted(old.items()):
        if entry.scope not in scopes or key in produced:
            continue
        target = _inside(root, key)
        if target is None or not target.exists():
            entries.pop(key, None)  # gone already, or never ours to touch
            continue
        if target.is_file() and _file_digest(target) == entry.sha256:
            _remove(root, target)
            entries.pop(key, None)
            report.removed.append(key)
        else:
            report.kept.append(key)
    _write_manifest(root, entries)
    return report


def kept_message(out: Path, path: str) -> str:
    """What to tell a user about a stale file kept because it was edited."""
    return (
        f"kept {out / path}: meshwright wrote it and no longer generates it, but it was edited "
        f"since; it still takes effect (kubectl, Helm, compose read it): delete it yourself if it "
        f"is no longer needed (rm '{out / path}')"
    )
