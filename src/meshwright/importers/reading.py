"""Reading untrusted input files: size caps, YAML streams and JSON, located errors.

Every failure is a :class:`~meshwright.errors.ModelError` naming file:line:col, so the CLI
prints it and exits 2 without a traceback. Alias-heavy YAML (a "billion laughs") is refused
before anything walks it, and files above :data:`MAX_BYTES` are refused unread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml

from meshwright.errors import Diagnostic, Location, ModelError

MAX_BYTES = 64 * 1024 * 1024
"""Largest input file read (64 MiB): more is not a manifest or a trace export a person made."""

MAX_ALIASES = 2_000
"""Most YAML aliases (``*name``) in one file; compose files use a handful."""

_Loader: type[Any] = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)


@dataclass(frozen=True)
class Document:
    """One YAML document of a stream, with the file and line it starts on."""

    data: Any
    file: str
    line: int
    node: Any = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def where_at(self, *path: str | int) -> str:
        """file:line of the element at ``path`` (keys and list indexes), else of the document."""
        node = self.node
        for key in path:
            if isinstance(node, pyyaml.MappingNode):
                node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
            elif isinstance(node, pyyaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
            else:
                node = None
            if node is None:
                return self.where
        return f"{self.file}:{node.start_mark.line + 1}"


def fail(file: str, line: int, col: int, message: str, hint: str = "") -> ModelError:
    """A located input error (to raise)."""
    return ModelError([Diagnostic(Location(file, line, col), message, hint, code="import")],
                      outcome="nothing was imported")


def read_text(path: Path) -> str:
    """The file's text; a located error when it is missing, too big, or not UTF-8."""
    name = str(path)
    if not path.is_file():
        raise fail(name, 0, 0, "no such file", "check the path")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise fail(name, 0, 0, f"the file is {size / 2**20:.0f} MiB, more than the "
                   f"{MAX_BYTES // 2**20} MiB an import reads", "split it, or import a smaller sample")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(name, 0, 0, f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8") from None


def _mark(exc: pyyaml.YAMLError) -> tuple[int, int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _count_aliases(text: str, name: str) -> None:
    aliases = 0
    try:
        for event in pyyaml.parse(text, Loader=_Loader):
            if isinstance(event, pyyaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    line, col = event.start_mark.line + 1, event.start_mark.column + 1
                    raise fail(name, line, col, f"more than {MAX_ALIASES} YAML aliases: refusing a file "
                               "that expands exponentially", "write the values out instead of aliases")
    except pyyaml.YAMLError as exc:
        line, col = _mark(exc)
        raise fail(name, line, col, f"malformed YAML: {getattr(exc, 'problem', None) or exc}",
                   "fix the YAML syntax at this position") from None


def read_yaml_stream(path: Path, display: str | None = None) -> list[Document]:
    """The non-empty documents of a YAML file (``---``-separated), each with its start line."""
    text = read_text(path)
    return yaml_stream(text, display or str(path))


def yaml_stream(text: str, name: str) -> list[Document]:
    """Documents of YAML text; a located error for malformed YAML."""
    if "*" in text:
        _count_aliases(text, name)
    out: list[Document] = []
    try:
        loader = _Loader(text)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                data = loader.construct_document(node)
                if data is not None:
                    out.append(Document(data, name, node.start_mark.line + 1, node))
        finally:
            loader.dispose()
    except pyyaml.YAMLError as exc:
        line, col = _mark(exc)
        raise fail(name, line, col, f"malformed YAML: {getattr(exc, 'problem', None) or exc}",
                   "fix the YAML syntax at this position") from None
    except (RecursionError, ValueError, TypeError) as exc:
        raise fail(name, 1, 1, f"unreadable YAML: {exc}", "simplify the document") from None
    return out


def read_json(path: Path, display: str | None = None) -> Any:
    """A JSON document, or a JSON-lines file (one object a line, as OTLP file exporters
    write); a located error for malformed JSON."""
    text = read_text(path)
    name = display or str(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) > 1 and lines[0].lstrip().startswith("{"):
            docs = []
            for number, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    docs.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise fail(name, number, exc.colno, f"malformed JSON: {exc.msg}",
                               "each line of a JSON-lines file must be one JSON object") from None
            return {"__lines__": docs}
        raise fail(name, first.lineno, first.colno, f"malformed JSON: {first.msg}",
                   "fix the JSON syntax at this position") from None
    except RecursionError:
        raise fail(name, 1, 1, "JSON nested too deeply", "this is not a trace export") from None
