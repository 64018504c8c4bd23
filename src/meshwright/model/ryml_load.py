"""The fast YAML path: rapidyaml parses, its JSON emission becomes Python data in C, and
positions are found only when asked for (walking the kept tree down a data path).

A file takes this path only when nothing in it can make rapidyaml's reading differ from
the YAML 1.2 core schema that :mod:`meshwright.model.compose` implements (anchors,
aliases, merge keys, tags, tabs, directives, scalars such as ``~``, ``TRUE``, ``0x1F`` or
``012`` whose JSON spelling would lose their type, keys such as ``true:`` or ``1.5:``),
when rapidyaml reports no error, and when no mapping repeats a key. Anything else returns
None and the caller composes the file with libyaml, which reports errors in its words.
"""

from __future__ import annotations

import bisect
import ctypes
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ryml

PathKey = tuple[str | int, ...]
Pos = tuple[str, int, int]

_NONE: int = ryml.NONE

_INDICATOR = re.compile(r"(?:^|[\s\[{,])[&*!?]", re.MULTILINE)
"""An anchor, alias, tag or explicit key where a node starts."""
_CORE_NUMBER = re.compile(
    r"[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_CORE_WORDS = frozenset(("~", "Null", "NULL", "True", "TRUE", "False", "FALSE"))
"""Null and boolean words that rapidyaml's JSON spells as text (it writes a plain
``null``, ``true`` or ``false`` as JSON's own, so that text was quoted)."""
_KEY_WORDS = frozenset(("", "null", "true", "false"))
"""Plain keys the composer writes otherwise (``true:`` is the key 'True')."""
_NUMBER_START = frozenset("-+.0123456789")


def _risky_text(text: str) -> bool:
    """Text the composer must read: tabs, CR, a BOM, directives, merge keys, anchors,
    aliases, tags (plain substring tests first: the regex runs only when one may be)."""
    if "\t" in text or "\r" in text or "\ufeff" in text or "<<" in text:
        return True
    if text.startswith("%") or "\n%" in text:
        return True
    return any(c in text for c in "&*!?") and _INDICATOR.search(text) is not None


def _typed_elsewhere(value: str) -> bool:
    """Whether the YAML 1.2 core schema reads ``value``, written plain, as other than text."""
    if value in _CORE_WORDS:
        return True
    return value != "" and value[0] in _NUMBER_START and _CORE_NUMBER.fullmatch(value) is not None


_WRITTEN_PLAIN_END = r"[ \t]*(?:[,\]}:#\n]|$)"


def _infinite(value: str) -> bool:
    lowered = value.lower()
    return "inf" in lowered or "nan" in lowered


def _written_plain(text: str, value: str) -> bool:
    """Whether ``value`` appears in ``text`` as a plain (unquoted) scalar somewhere."""
    pattern = r"(?:^|[\s\[{,?:-])" + re.escape(value) + _WRITTEN_PLAIN_END
    return re.search(pattern, text) is not None


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN/Infinity are text in YAML (``.nan`` is the number)


_DECODER = json.JSONDecoder(strict=False, parse_constant=_no_constant)


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """rapidyaml prints parse errors to file descriptor 2; the composer reports them."""
    try:
        saved = os.dup(2)
    except OSError:  # pragma: no cover - no stderr at all
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def parse_fast(text: str, filename: str) -> tuple[Any, TreePositions] | None:
    """Plain data of ``text`` and its lazy positions, or None when the composer must read it."""
    if _risky_text(text):
        return None
    raw = text.encode("utf-8")
    buf = bytearray(raw)
    try:
        with _quiet_stderr():
            tree = ryml.parse_in_place(buf)
    except Exception:  # ryml.ExceptionParse and friends: the composer words the error
        return None
    root = tree.root_id()
    if tree.is_stream(root):  # several documents: the composer refuses them
        return None
    if tree.size() <= 1 and not tree.has_val(root) and not tree.is_container(root):
        return None, TreePositions(tree, buf, raw, filename)
    try:
        data = _DECODER.decode(ryml.emit_json(tree))
    except ValueError:
        return None
    count, ambiguous = _survey(data)
    if count != tree.size():  # a repeated key: the composer reports it
        return None
    # JSON spells a plain `~`, `TRUE` or `0x1F` as the text a quoted one is: such text
    # is fine only where it was quoted everywhere in the file
    # (its JSON also respells a plain `inf` or `-Inf` as `.inf`: such text is not trusted)
    if any(_infinite(value) or _written_plain(text, value) for value in ambiguous):
        return None
    return data, TreePositions(tree, buf, raw, filename)


def _survey(data: Any) -> tuple[int, set[str]]:
    """The number of values in ``data`` (containers, items, scalars), and the texts (keys
    and values) that the core schema would type otherwise if they were written plain."""
    total = 0
    ambiguous: set[str] = set()
    stack = [data]
    pop, push = stack.pop, stack.extend
    while stack:
        node = pop()
        total += 1
        kind = type(node)
        if kind is dict:
            push(node.values())
            for key in node:
                if key in _KEY_WORDS or (_typed_elsewhere(key) and not _same_key(key)):
                    ambiguous.add(key)
        elif kind is list:
            push(node)
        elif kind is str and _typed_elsewhere(node):
            ambiguous.add(node)
    return total, ambiguous


def _same_key(key: str) -> bool:
    """A plain key the composer keeps as written (a decimal integer such as ``200``)."""
    return key.isdigit() and (key == "0" or key[0] != "0")


class _PyBuffer(ctypes.Structure):
    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.c_void_p),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.c_void_p),
        ("strides", ctypes.c_void_p),
        ("suboffsets", ctypes.c_void_p),
        ("internal", ctypes.c_void_p),
    ]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_get_buffer.restype = ctypes.c_int
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]
_release_buffer.restype = None


_INFO = _PyBuffer()
_INFO_REF = ctypes.byref(_INFO)
"""One buffer record for :func:`_address`, which fills and releases it before it returns
(making one per call was a third of the cost of locating a finding). So positions are
found on one thread at a time, as meshwright does (it starts no threads)."""


def _address(view: Any) -> int:
    """Address of the first byte of a (read-only) buffer such as a memoryview."""
    if _get_buffer(view, _INFO_REF, 0) != 0:  # pragma: no cover
        raise ValueError("no buffer")
    try:
        return int(_INFO.buf or 0)
    finally:
        _release_buffer(_INFO_REF)


_MAP: int = ryml.MAP
_SEQ: int = ryml.SEQ
_CONTAINER: int = ryml.MAP | ryml.SEQ
_KEY: int = ryml.KEY
_FLOW: int = ryml.FLOW_SL | ryml.FLOW_ML
_KEY_QUOTED: int = ryml.KEYQUO
_VAL_QUOTED: int = ryml.VALQUO
_BLOCK_SCALAR: int = ryml.VAL_LITERAL | ryml.VAL_FOLDED
"""Bits of a node's type (``tree.type``): one call answers what ``is_map``, ``is_seq``,
``is_container``, ``has_key``, ``is_flow``, ``is_key_quoted``, ``is_val_quoted``,
``is_val_literal`` and ``is_val_folded`` would, each a call of its own."""

_SMALL_MAP = 16
"""A mapping with at most this many keys is searched by rapidyaml (one call); a larger
one gets a table of its keys once (a model's ``services`` has thousands)."""


class TreePositions:
    """Positions in one file parsed by rapidyaml, found on demand from its tree.

    A value's position is where the composer's would be: a scalar's first character (its
    opening quote when quoted), a block mapping's first key, a block sequence's first
    ``-``, a flow collection's bracket."""

    def __init__(self, tree: Any, buf: bytearray, text: bytes, filename: str) -> None:
        self.tree = tree
        self.buf = buf  # the tree points into it: keep it alive
        self.text = text  # as written (parsing unescapes ``buf`` in place)
        self.filename = filename
        self._base = _address(buf)
        self._lines: list[int] | None = None
        self._ascii = text.isascii()  # then a column is a byte count, no decoding
        self._nodes: dict[PathKey, int | None] = {}
        self._parts: dict[int, dict[str | int, int]] = {}
        self._found: tuple[dict[PathKey, Pos | None], dict[PathKey, Pos | None]] = ({}, {})
        """(value, key) positions by path, as answered: the tree and text never change,
        and a check run asks for the same paths (a finding's ancestors) many times."""

    def node(self, path: PathKey) -> int | None:
        """The tree node at ``path`` (None if the file has none there). Found from the
        parent's node, each path once: a check run locates thousands of findings below the
        same few hundred mappings, so walking from the root every time is what cost."""
        nodes = self._nodes
        if path in nodes:
            return nodes[path]
        if not path:
            found: int | None = int(self.tree.root_id())
        else:
            parent = self.node(path[:-1])
            found = None if parent is None else self._child(parent, path[-1])
        nodes[path] = found
        return found

    def parts(self, node: int) -> dict[str | int, int]:
        """The children of ``node`` by path part: a mapping's by key (the first of equal
        keys, as ``find_child``), a sequence's by index; built once per node."""
        found = self._parts.get(node)
        if found is None:
            tree = self.tree
            found = {}
            if tree.is_map(node) or tree.is_seq(node):
                is_map = tree.is_map(node)
                child = tree.first_child(node)
                i = 0
                while child != _NONE:
                    part: str | int = bytes(tree.key(child)).decode("utf-8") if is_map else i
                    found.setdefault(part, int(child))
                    child = tree.next_sibling(child)
                    i += 1
            self._parts[node] = found
        return found

    def _child(self, node: int, part: str | int) -> int | None:
        parts = self._parts.get(node)
        if parts is not None:
            return parts.get(part)
        tree = self.tree
        kind = tree.type(node)
        if isinstance(part, int):
            if not kind & _SEQ or part < 0:
                return None
            child = tree.child(node, part)
        else:
            if not kind & _MAP:
                return None
            if tree.num_children(node) > _SMALL_MAP:
                return self.parts(node).get(part)
            child = tree.find_child(node, part)  # the first of equal keys, as parts
        return None if child == _NONE else int(child)

    def position(self, path: PathKey, key: bool) -> Pos | None:
        found = self._found[key]
        if path in found:
            return found[path]
        pos = found[path] = self._position(path, key)
        return pos

    def _position(self, path: PathKey, key: bool) -> Pos | None:
        node = self.node(path)
        if node is None:
            return None
        if key:
            if not path or not self.tree.type(node) & _KEY:
                return None
            offset = self._key_offset(node)
        else:
            offset = self._value_offset(node)
        return None if offset is None else self._pos(offset)

    def _pos(self, offset: int) -> Pos:
        if self._lines is None:
            self._lines = [m.end() for m in re.finditer(b"\n", self.text)]
        line = bisect.bisect_right(self._lines, offset)
        start = self._lines[line - 1] if line else 0
        if self._ascii:
            col = offset - start + 1
        else:
            col = len(self.text[start:offset].decode("utf-8", "replace")) + 1
        return (self.filename, line + 1, col)

    def _offset(self, view: Any) -> int | None:
        if view is None:
            return None
        offset = _address(view) - self._base
        return offset if 0 <= offset < len(self.text) else None

    def _key_offset(self, node: int) -> int | None:
        offset = self._offset(self.tree.key(node))
        if offset is not None and self.tree.type(node) & _KEY_QUOTED:
            offset -= 1
        return offset

    def _value_offset(self, node: int) -> int | None:
        tree = self.tree
        kind = tree.type(node)
        if kind & _CONTAINER:
            first = tree.first_child(node)
            if kind & _FLOW:
                return self._flow_bracket(node, first)
            if first == _NONE:
                return None
            if kind & _MAP:
                return self._key_offset(first)
            inner = self._value_offset(first)
            return None if inner is None else self._back_to(inner, b"-")
        view = tree.val(node)
        written = view is not None and (len(view) > 0 or kind & _VAL_QUOTED)
        offset = self._offset(view) if written else None
        if offset is None:
            return self._null_offset(node)
        if kind & _BLOCK_SCALAR:
            return self._block_indicator(offset)
        if kind & _VAL_QUOTED:
            offset -= 1
        return offset

    def _block_indicator(self, offset: int) -> int:
        """The ``|`` or ``>`` (with its chomping and indentation marks) before a block
        scalar's first line."""
        i = self.text.rfind(b"\n", 0, offset)
        while i > 0:
            line_start = self.text.rfind(b"\n", 0, i) + 1
            line = self.text[line_start:i].split(b" #")[0].rstrip().rstrip(b"+-0123456789")
            if line.endswith((b"|", b">")):
                return line_start + len(line) - 1
            i = line_start - 1
        return offset

    def _flow_bracket(self, node: int, first: int) -> int | None:
        bracket = b"{" if self.tree.is_map(node) else b"["
        if first != _NONE:
            start = (self._key_offset(first) if self.tree.is_map(node)
                      else self._value_offset(first))
            return None if start is None else self._back_to(start, bracket)
        if self.tree.has_key(node):
            after = self._key_offset(node)
            if after is not None:
                found = self.text.find(bracket, after)
                return found if found >= 0 else None
        return None

    def _null_offset(self, node: int) -> int | None:
        """An empty value stands where the composer puts it: right after ``key:``."""
        tree = self.tree
        if not tree.has_key(node):
            return None
        view = tree.key(node)
        start = self._key_offset(node)
        if start is None:
            return None
        colon = self.text.find(b":", start + len(view))
        return None if colon < 0 else colon + 1

    def _back_to(self, offset: int, char: bytes) -> int | None:
        """The ``char`` before ``offset``, skipping only blanks and line breaks."""
        i = offset - 1
        text = self.text
        while i >= 0 and text[i : i + 1] in (b" ", b"\n"):
            i -= 1
        return i if i >= 0 and text[i : i + 1] == char else offset
