"""Read Java source with tree-sitter-java: classes, their dependencies and the tables they touch.

Each class, interface, enum or record is a unit named by its simple name as Mono2Micro traces
write it (``Outer::Inner`` for a nested one), so source and traces of one application merge.
A dependency from A to B is one mention of B's name in A's code (base class, implemented
interface, field or variable type, ``new B()``, ``B.call()``); a name resolves to a unit of the
same package, an imported one, or the only unit of that name. SQL in string literals gives table
access: ``SELECT … FROM t`` / ``JOIN t`` reads ``t``; ``INSERT INTO t``, ``UPDATE t``,
``DELETE FROM t`` write it. Nothing is compiled or run.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from meshwright.decompose.monolith import Monolith
from meshwright.errors import Diagnostic, Location, ModelError

_TYPES = ("class_declaration", "interface_declaration", "enum_declaration", "record_declaration")
_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([A-Za-z_][\w.]*)", re.I)
_READ = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)", re.I)
_SQL = re.compile(r"^\s*(?:SELECT|INSERT|UPDATE|DELETE)\b", re.I)


def java_files(root: Path) -> list[Path]:
    """``*.java`` under ``root``, without test directories."""
    return sorted(
        p for p in root.rglob("*.java")
        if p.is_file() and not ({"test", "tests"} & set(p.relative_to(root).parts[:-1]))
    )


def _parser() -> Any:
    import tree_sitter_java
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_java.language()))


def _text(node: Any) -> str:
    return str(node.text.decode("utf-8", errors="replace"))


def _declarations(node: Any, outer: str = "") -> list[tuple[str, Any]]:
    """(unit name, declaration node) of every type declared under ``node``."""
    out = []
    for child in node.children:
        if child.type in _TYPES:
            ident = child.child_by_field_name("name")
            name = _text(ident) if ident is not None else "?"
            full = f"{outer}::{name}" if outer else name
            out.append((full, child))
            body = child.child_by_field_name("body")
            if body is not None:
                out.extend(_declarations(body, full))
        elif child.type in ("program",):
            out.extend(_declarations(child, outer))
    return out


def _mentions(node: Any, skip: set[int]) -> list[str]:
    """Type names and leading identifiers of calls in ``node``, without nested declarations."""
    found: list[str] = []
    stack = [node]
    while stack:
        cur = stack.pop()
        if cur.id in skip and cur is not node:
            continue
        if cur.type == "type_identifier":
            found.append(_text(cur))
        elif cur.type == "method_invocation":
            obj = cur.child_by_field_name("object")
            if obj is not None and obj.type == "identifier":
                found.append(_text(obj))
        stack.extend(cur.children)
    return found


def _strings(node: Any) -> list[str]:
    out, stack = [], [node]
    while stack:
        cur = stack.pop()
        if cur.type == "string_literal":
            out.append(_text(cur).strip('"'))
        else:
            stack.extend(cur.children)
    return out


def read_java(root: Path) -> Monolith:
    """Units, static dependencies and table access of the Java code under ``root``."""
    parser = _parser()
    parsed = []
    problems: list[Diagnostic] = []
    for path in java_files(root):
        tree = parser.parse(path.read_bytes())
        if tree.root_node.has_error:
            bad = next((n for n in _walk(tree.root_node) if n.type == "ERROR" or n.is_missing), None)
            line, col = (bad.start_point[0] + 1, bad.start_point[1] + 1) if bad is not None else (0, 0)
            problems.append(Diagnostic(Location(str(path), line, col), "Java source does not parse",
                                       "fix the file or leave it out of PATH"))
            continue
        package = ""
        imports: list[str] = []
        for child in tree.root_node.children:
            if child.type == "package_declaration":
                package = _text(child).removeprefix("package").strip(" ;")
            elif child.type == "import_declaration":
                imports.append(_text(child).removeprefix("import").strip(" ;").removeprefix("static "))
        parsed.append((path, package, imports, _declarations(tree.root_node)))
    if problems:
        raise ModelError(problems, outcome="the source was not read")
    mono = Monolith()
    by_simple: dict[str, list[tuple[str, str]]] = defaultdict(list)  # simple name → (package, unit)
    for path, package, _, decls in parsed:
        for unit, _node in decls:
            mono.cls(unit, str(path.relative_to(root.parent)))
            by_simple[unit.split("::")[-1]].append((package, unit))
    for _path, package, imports, decls in parsed:
        imported = {i.rsplit(".", 1)[-1]: i.rsplit(".", 1)[0] for i in imports if not i.endswith("*")}
        nested = {node.id for _, node in decls}
        for unit, node in decls:
            info = mono.classes[unit]
            for name in _mentions(node, nested):
                target = _resolve(name, package, imported, by_simple)
                if target and target != unit:
                    mono.static[(unit, target)] += 1
            for text in _strings(node):
                if _SQL.match(text):
                    writes = {t.lower() for t in _WRITE.findall(text)}
                    info.writes |= writes
                    info.reads |= {t.lower() for t in _READ.findall(text)} - writes
    mono.sources.append(f"{len(parsed)} Java file(s)")
    return mono


def _resolve(
    name: str, package: str, imported: dict[str, str], by_simple: dict[str, list[tuple[str, str]]]
) -> str | None:
    options = by_simple.get(name, [])
    if not options:
        return None
    if len(options) == 1:
        return options[0][1]
    want = imported.get(name, package)
    same = [unit for pkg, unit in options if pkg == want]
    return same[0] if same else None


def _walk(node: Any) -> list[Any]:
    out, stack = [], [node]
    while stack:
        cur = stack.pop()
        out.append(cur)
        stack.extend(cur.children)
    return out
