"""YAML with source positions: plain Python data plus a map from data path to file:line:col.

Most files take the fast path (:mod:`meshwright.model.ryml_load`): rapidyaml parses,
JSON becomes the data in C, and positions are found only when a diagnostic or finding
asks (``SourceMap.locate``). The rest (anchors, aliases, merge keys, tags, tabs, any
error, scalars whose typing JSON would blur) is composed here by libyaml's C composer
(through PyYAML's ``CParser``) with YAML 1.2 core-schema typing, so ``on``/``no`` stay
text; without the C extension ruamel.yaml's composer is used. Either way every key and
value keeps the place it was written.
"""

from __future__ import annotations

import contextlib
import gc
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from meshwright.errors import Diagnostic, Location
from meshwright.model.ryml_load import TreePositions, parse_fast

PathKey = tuple[str | int, ...]
Pos = tuple[str, int, int]
"""(file, line, column), 1-based; kept as a plain tuple because a model has many."""

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_PREFIX = 2
"""How many leading parts of a path :meth:`SourceMap.candidates` indexes mounts by."""


class _Mount:
    """A file whose positions are found on demand: model path ``model + rest`` is the
    file's ``file + rest``, except below ``dropped`` and the values in ``hidden``."""

    __slots__ = ("dropped", "file", "hidden", "model", "source")

    def __init__(self, source: TreePositions, model: PathKey, file: PathKey) -> None:
        self.source = source
        self.model = model
        self.file = file
        self.dropped: list[PathKey] = []
        self.hidden: set[PathKey] = set()

    def may_hold(self, prefix: PathKey) -> bool:
        """False when no path starting with ``prefix`` can have a position here (its file
        has no node there): a cheap filter before :meth:`position`."""
        n = len(self.model)
        if n >= len(prefix):
            return self.model[: len(prefix)] == prefix
        return prefix[:n] == self.model and self.source.node(self.file + prefix[n:]) is not None

    def prefixes(self) -> list[PathKey]:
        """Every path of at most ``_PREFIX`` parts for which :meth:`may_hold` is true."""
        n = len(self.model)
        out = [self.model[:k] for k in range(min(n, _PREFIX) + 1)]
        root = self.source.node(self.file) if n < _PREFIX else None
        frontier: list[tuple[PathKey, int]] = [] if root is None else [((), root)]
        for _ in range(_PREFIX - n):
            frontier = [((*rel, part), child) for rel, node in frontier
                        for part, child in self.source.parts(node).items()]
            out.extend(self.model + rel for rel, _ in frontier)
        return out

    def position(self, path: PathKey, key: bool) -> Pos | None:
        n = len(self.model)
        if path[:n] != self.model:
            return None
        if not key and path in self.hidden:
            return None
        for gone in self.dropped:
            if path[: len(gone)] == gone:
                return None
        return self.source.position(self.file + path[n:], key)


class Positions:
    """The value (or key) positions of a :class:`SourceMap`, by data path: those written
    out in a table and those found on demand in a kept parse tree."""

    def __init__(self, smap: SourceMap, key: bool) -> None:
        self._smap = smap
        self._key = key
        self.table: dict[PathKey, Pos] = {}

    def get(self, path: PathKey) -> Pos | None:
        found = self.table.get(path)
        if found is not None:
            return found
        for mount in self._smap.candidates(path):
            found = mount.position(path, self._key)
            if found is not None:
                return found
        return None

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self.get(path) is not None

    def __getitem__(self, path: PathKey) -> Pos:
        found = self.get(path)
        if found is None:
            raise KeyError(path)
        return found

    def __setitem__(self, path: PathKey, pos: Pos) -> None:
        self.table[path] = pos


class SourceMap:
    """Where each value (and each mapping key) of the loaded data was written.

    Files read on the fast path keep their parse tree and answer on demand (no table of
    hundreds of thousands of positions is filled up front); files the composer read fill
    the tables. ``values`` and ``keys`` answer ``path in …`` and ``[path]`` for both."""

    def __init__(self, files: list[str] | None = None) -> None:
        self.files: list[str] = list(files or [])
        self.mounts: list[_Mount] = []
        self.values = Positions(self, key=False)
        self.keys = Positions(self, key=True)
        self.inherited: dict[PathKey, PathKey] = {}
        """A call's field that ``defaults.call`` filled in → the default's path (the
        field's positions are the default's; this keeps which call inherited it)."""
        self._lengths: tuple[int, list[int]] = (0, [])
        """(how many ``inherited`` entries, the lengths of their paths) as last counted."""
        self._by_prefix: dict[PathKey, list[_Mount]] = {}
        self._indexed = 0

    def candidates(self, path: PathKey) -> list[_Mount]:
        """The mounts that may hold ``path``, in mount order: those whose file has a node
        at its first two parts (a model split into hundreds of files would otherwise ask
        every file for every path)."""
        if self._indexed != len(self.mounts):  # mounts are only ever added
            self._by_prefix.clear()
            for mount in self.mounts:
                for prefix in mount.prefixes():
                    self._by_prefix.setdefault(prefix, []).append(mount)
            self._indexed = len(self.mounts)
        return self._by_prefix.get(path[:_PREFIX], [])

    def inherited_from(self, path: PathKey) -> tuple[PathKey, PathKey] | None:
        """(the inheriting call's field, the default it came from) when ``path`` is that
        field or inside it; None for anything written where it stands."""
        inherited = self.inherited
        if not inherited:
            return None
        if self._lengths[0] != len(inherited):  # entries are only ever added
            self._lengths = (len(inherited), sorted({len(p) for p in inherited}, reverse=True))
        n = len(path)
        for end in self._lengths[1]:  # the longest first, as a walk up from ``path`` finds
            if end <= n:
                source = inherited.get(path[:end])
                if source is not None:
                    return path[:end], source
        return None

    def _written(self, path: PathKey, key: bool) -> Pos | None:
        found = (self.keys if key else self.values).get(path)
        if found is None:
            inherited = self.inherited_from(path)
            if inherited is not None:
                field, default = inherited
                return self._written(default + path[len(field) :], key)
        return found

    def locate(self, path: PathKey, *, key: bool = False) -> Location:
        """The position of ``path``, or of its nearest written ancestor."""
        found = self._written(path, key)
        probe = path
        while found is None and probe:
            probe = probe[:-1]
            found = self._written(probe, False)
        if found is not None:
            return Location(*found)
        return Location(self.files[0] if self.files else "<model>", 1, 1)

    def mount(self, source: TreePositions, model: PathKey = (), file: PathKey = ()) -> None:
        self.mounts.append(_Mount(source, model, file))

    def moved(self, src: PathKey, dst: PathKey) -> SourceMap:
        """The positions at and below ``src``, as if written at ``dst``."""
        out = SourceMap()
        n = len(src)
        for table_src, table_dst in ((self.values.table, out.values.table),
                                     (self.keys.table, out.keys.table)):
            for path, loc in table_src.items():
                if path[:n] == src:
                    table_dst[dst + path[n:]] = loc
        for m in self.mounts:
            if src[: len(m.model)] == m.model:
                out.mount(m.source, dst, m.file + src[len(m.model) :])
        return out

    def drop(self, path: PathKey) -> None:
        """Forget the positions at and below ``path`` (a definition that was refused)."""
        n = len(path)
        for table in (self.values.table, self.keys.table):
            for k in [k for k in table if k[:n] == path]:
                del table[k]
        for m in self.mounts:
            m.dropped.append(path)

    def hide_value(self, path: PathKey) -> None:
        """Forget where the value at ``path`` itself was written (not what is below it)."""
        self.values.table.pop(path, None)
        for m in self.mounts:
            m.hidden.add(path)

    def update(self, other: SourceMap) -> None:
        self.values.table.update(other.values.table)
        self.inherited.update(other.inherited)
        self.keys.table.update(other.keys.table)
        self.mounts.extend(other.mounts)
        self.files.extend(f for f in other.files if f not in self.files)


_CORE_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_CORE_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_CORE_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_CORE_BOOL = frozenset(("true", "True", "TRUE", "false", "False", "FALSE"))
_NUMBER_START = frozenset("-+0123456789.")
_STR = "tag:yaml.org,2002:str"


class _Core12Resolver(pyyaml.resolver.BaseResolver):  # type: ignore[misc]
    """Implicit tags of the YAML 1.2 core schema (not YAML 1.1's yes/no/on/off or 1:30)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """One pass per scalar (the generic resolver loops over regex lists)."""
        if kind is pyyaml.nodes.ScalarNode:
            if not implicit[0]:
                return _STR
            if value in _CORE_NULL:
                return _NULL
            if value in _CORE_BOOL:
                return _BOOL
            if value[0] in _NUMBER_START:
                if _CORE_INT.match(value):
                    return _INT
                if _CORE_FLOAT.match(value):
                    return _FLOAT
            return _STR
        result: str = super().resolve(kind, value, implicit)
        return result


try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _CParser = None


def _compose(text: str) -> Any:
    """The node tree of one YAML document (C composer when available)."""
    if _CParser is not None:
        loader = _CLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    return YAML(typ="safe", pure=True).compose(text)


if _CParser is not None:

    class _CLoader(_CParser, _Core12Resolver):  # type: ignore[misc]
        """libyaml's parser and composer with YAML 1.2 core-schema tags."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Core12Resolver.__init__(self)


def load_yaml(
    text: str, filename: str, prefix: PathKey = ()
) -> tuple[Any, SourceMap, list[Diagnostic]]:
    """Parse one YAML document into plain data with positions; problems come back located.

    Positions are recorded under ``prefix`` (a fragment's data lands at that path)."""
    smap = SourceMap(files=[filename])
    diags: list[Diagnostic] = []
    with no_gc():
        fast = parse_fast(text, filename)
        if fast is not None:
            data, positions = fast
            smap.mount(positions, prefix)
            return data, smap, diags
        return _load_yaml(text, filename, smap, diags, prefix)


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic GC while building large acyclic trees (several times faster)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load_yaml(
    text: str, filename: str, smap: SourceMap, diags: list[Diagnostic], prefix: PathKey
) -> tuple[Any, SourceMap, list[Diagnostic]]:
    try:
        node = _compose(text)
    except (MarkedYAMLError, pyyaml.MarkedYAMLError) as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        diags.append(
            Diagnostic(
                Location(filename, line, col),
                f"invalid YAML: {problem}",
                "check indentation and quoting near this place; values with ':' or '#' "
                "need quotes",
                code="yaml",
            )
        )
        return None, smap, diags
    except (YAMLError, pyyaml.YAMLError) as exc:  # pragma: no cover - unmarked errors are rare
        diags.append(Diagnostic(Location(filename, 1, 1), f"invalid YAML: {exc}", code="yaml"))
        return None, smap, diags
    if node is None:
        return None, smap, diags
    # an alias needs an anchor (`&name`): a document without '&' has none to expand
    bomb = alias_bomb(node, filename) if "&" in text else None
    if bomb is not None:
        diags.append(bomb)
        return None, smap, diags
    data = _convert(node, prefix, filename, smap, diags)
    return data, smap, diags


ALIAS_BUDGET = 100_000
"""Values aliases may add to a document beyond those written (or ten times the written
ones, whichever is more); an alias "bomb" (anchors nesting aliases of anchors) multiplies
a few lines into billions of values and is refused before it is expanded."""


def alias_bomb(root: Any, filename: str) -> Diagnostic | None:
    """A located error when expanding the aliases of ``root`` would produce too many values.

    Aliases share their anchor's node in the composed tree, so the written size is the
    number of distinct nodes and the expanded size is counted once per distinct node."""
    expanded: dict[int, int] = {}
    distinct = 0
    worst: tuple[int, Any] | None = None
    # iterative post-order walk over distinct nodes (a document may nest deeply)
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            size = 1 + sum(expanded[id(c)] for c in _children(node))
            expanded[key] = size
            continue
        if key in expanded:
            continue
        expanded[key] = 0  # visiting; a recursive alias (never built by libyaml) counts 0
        distinct += 1
        stack.append((node, True))
        for child in _children(node):
            if id(child) not in expanded:
                stack.append((child, False))
    total = expanded[id(root)]
    budget = max(ALIAS_BUDGET, 10 * distinct)
    if total - distinct <= budget:
        return None
    # blame the anchored node whose expansion is the largest below the whole document
    for node_id, size in expanded.items():
        if node_id != id(root) and (worst is None or size > worst[0]):
            worst = (size, node_id)
    anchor = _find(root, worst[1]) if worst is not None else root
    mark = anchor.start_mark
    return Diagnostic(
        Location(filename, mark.line + 1, mark.column + 1),
        f"aliases expand this document to {total:,} values from {distinct:,} written "
        f"(at most {budget:,} added by aliases): nested anchors multiply each other",
        "write the repeated parts out, or alias only leaf policies (an anchor whose "
        "content has no aliases itself)",
        code="alias-expansion",
    )


def _children(node: Any) -> list[Any]:
    if node.id == "sequence":
        return list(node.value)
    if node.id == "mapping":
        return [n for pair in node.value for n in pair]
    return []


def _find(root: Any, node_id: int) -> Any:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) == node_id:
            return node
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(_children(node))
    return root


def load_file(
    path: Path, display: str | None = None, prefix: PathKey = ()
) -> tuple[Any, SourceMap, list[Diagnostic]]:
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, SourceMap(files=[name]), [
            Diagnostic(Location(name, 1, 1), "file is not UTF-8 text", "save it as UTF-8")
        ]
    return load_yaml(text, name, prefix)


def _scalar(node: Any) -> Any:
    value: str = node.value
    tag = node.tag
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() in ("true", "yes", "on")
    if tag == _INT:
        text = value.replace("_", "")
        try:
            if text.lower().startswith(("0x", "-0x", "+0x")):
                return int(text, 16)
            if text.lower().startswith(("0o", "-0o", "+0o")):
                return int(text, 8)
            return int(text)
        except ValueError:
            return value
    if tag == _FLOAT:
        text = value.replace("_", "").lower()
        if text in (".inf", "+.inf"):
            return math.inf
        if text == "-.inf":
            return -math.inf
        if text == ".nan":
            return math.nan
        try:
            return float(text)
        except ValueError:
            return value
    return value


def _key_text(node: Any) -> str | int:
    if node.id == "scalar":
        v = _scalar(node)
        if isinstance(v, int) and not isinstance(v, bool):
            return str(v)
        return "" if v is None else str(v)
    return "<complex key>"


def _convert(
    node: Any, path: PathKey, filename: str, smap: SourceMap, diags: list[Diagnostic]
) -> Any:
    """Plain data of ``node``; records where each value and key was written."""
    mark = node.start_mark
    values = smap.values.table
    values[path] = (filename, mark.line + 1, mark.column + 1)
    kind = node.id
    if kind == "scalar":
        if node.tag == _STR:
            return node.value
        return _scalar(node)
    if kind == "sequence":
        return [_convert(item, (*path, i), filename, smap, diags) for i, item in enumerate(node.value)]
    if kind != "mapping":  # pragma: no cover
        return None
    out: dict[str, Any] = {}
    keys = smap.keys.table
    merges: list[Any] = []
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            merges.append(value_node)
            continue
        key = key_node.value if key_node.tag == _STR else str(_key_text(key_node))
        kmark = key_node.start_mark
        key_pos = (filename, kmark.line + 1, kmark.column + 1)
        key_path = (*path, key)
        if key in out:
            first = keys[key_path]
            diags.append(
                Diagnostic(
                    Location(*key_pos),
                    f"duplicate key '{key}' (first written at line {first[1]})",
                    "remove one of the two, or merge their contents",
                    code="duplicate",
                    path=key_path,
                )
            )
            continue
        keys[key_path] = key_pos
        out[key] = _convert(value_node, key_path, filename, smap, diags)
    if merges:
        for merge in merges:
            sources = merge.value if merge.id == "sequence" else [merge]
            for src in sources:
                merged = _convert(src, path, filename, smap, diags)
                if isinstance(merged, dict):
                    for k, v in merged.items():
                        out.setdefault(k, v)
        values[path] = (filename, mark.line + 1, mark.column + 1)
    return out
