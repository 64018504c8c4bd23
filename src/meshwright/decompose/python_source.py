"""Read Python source with :mod:`ast`: classes (and modules' functions) and their dependencies.

Each class is a unit named ``package.module.Class``; a module with top-level functions is also a
unit, named ``package.module``. A dependency from unit A to unit B is one reference in A's code
to B: a base class, a call or instantiation, an annotation, any name or ``module.name`` that
resolves to B through A's module's imports and definitions. Dependencies go into
``Monolith.static`` as counts. A file that does not parse is reported with its line; nothing is
executed or imported.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections import defaultdict
from pathlib import Path

from meshwright.decompose.monolith import Monolith
from meshwright.errors import Diagnostic, Location, ModelError

_MODEL_REF = re.compile(r"^[a-z_][a-z0-9_]*\.[A-Z][A-Za-z0-9_]*$")
SKIP_DIRS = {"tests", "test", "migrations", "__pycache__", ".venv", "venv", "build", "dist"}


def python_files(root: Path) -> list[Path]:
    """``*.py`` under ``root``, without tests, migrations and virtual environments."""
    return sorted(
        p for p in root.rglob("*.py")
        if p.is_file() and not (set(p.relative_to(root).parts[:-1]) & SKIP_DIRS)
    )


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join([root.name, *parts]) if parts else root.name


def _resolve_from(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    drop = node.level - (1 if is_package else 0)
    base = base[: len(base) - drop] if drop else base
    return ".".join([*base, *([node.module] if node.module else [])])


class _Refs(ast.NodeVisitor):
    """Counts names and dotted names that resolve to known units."""

    def __init__(self, symbols: dict[str, str], units: set[str]) -> None:
        self.symbols = symbols
        self.units = units
        self.found: dict[str, int] = defaultdict(int)

    def _hit(self, qualified: str | None) -> None:
        if qualified and qualified in self.units:
            self.found[qualified] += 1

    def visit_Constant(self, node: ast.Constant) -> None:
        """``"app_label.Model"``: Django's lazy model reference (ForeignKey and friends)."""
        if isinstance(node.value, str) and _MODEL_REF.match(node.value):
            app, _, model = node.value.partition(".")
            self._hit(_find_unit(self.units, f"{app}.models.{model}"))

    def visit_Name(self, node: ast.Name) -> None:
        self._hit(self.symbols.get(node.id))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        parts: list[str] = [node.attr]
        value: ast.expr = node.value
        while isinstance(value, ast.Attribute):
            parts.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in self.symbols:
            dotted = ".".join([self.symbols[value.id], *reversed(parts)])
            while dotted:
                if dotted in self.units:
                    self._hit(dotted)
                    return
                dotted = dotted.rpartition(".")[0]
        self.generic_visit(node)


def read_python(root: Path) -> Monolith:
    """Units and static dependencies of the Python code under ``root``."""
    files = python_files(root)
    trees: dict[str, tuple[Path, ast.Module]] = {}
    problems: list[Diagnostic] = []
    for path in files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), filename=str(path))
        except SyntaxError as exc:
            problems.append(Diagnostic(Location(str(path), exc.lineno or 0, exc.offset or 0),
                                       f"Python source does not parse: {exc.msg}",
                                       "fix the file or leave it out of PATH"))
            continue
        trees[_module_name(root, path)] = (path, tree)
    if problems:
        raise ModelError(problems, outcome="the source was not read")
    mono = Monolith()
    units: set[str] = set()
    for module, (path, tree) in trees.items():
        rel = str(path.relative_to(root.parent))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                name = f"{module}.{node.name}"
                units.add(name)
                info = mono.cls(name, rel)
                info.methods |= {
                    n.name for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                }
        if any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in tree.body):
            units.add(module)
            mono.cls(module, rel)
    for module, (path, tree) in trees.items():
        symbols = _symbols(module, path, tree, units)
        owner_of_module = module if module in units else None
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                owner: str | None = f"{module}.{node.name}"
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                owner = owner_of_module
            else:
                continue
            refs = _Refs(symbols, units)
            refs.visit(node)
            for target, n in refs.found.items():
                if owner and target != owner:
                    mono.static[(owner, target)] += n
    _same_module(mono, units)
    mono.sources.append(f"{len(trees)} Python file(s)")
    return mono


LOADERS = {"get_model", "get_class", "get_classes"}
"""Django's ``apps.get_model(app_label, Model)`` and the class loaders of Django apps built on
it (``get_class(module, Name)``, ``get_classes(module, [Names])``): dynamic imports whose target
is written as strings; they are resolved against the units found."""


def _find_unit(units: set[str], dotted: str) -> str | None:
    """The unit whose name ends with ``dotted`` (the shortest such name; None when none)."""
    ends = sorted((u for u in units if u.endswith("." + dotted) or u == dotted), key=len)
    return ends[0] if ends else None


def _loaded(call: ast.Call, units: set[str]) -> list[str | None]:
    """Units a ``get_model``/``get_class``/``get_classes`` call loads, in order (None: unknown)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    args = call.args
    if name not in LOADERS or len(args) < 2 or not isinstance(args[0], ast.Constant):
        return []
    first = str(args[0].value)
    if name == "get_classes" and isinstance(args[1], ast.List | ast.Tuple):
        names = [str(e.value) for e in args[1].elts if isinstance(e, ast.Constant)]
        return [_find_unit(units, f"{first}.{n}") for n in names]
    if not isinstance(args[1], ast.Constant):
        return []
    target = str(args[1].value)
    if name == "get_model":
        return [_find_unit(units, f"{first}.models.{target}")]
    return [_find_unit(units, f"{first}.{target}")]


SAME_MODULE = 1.0
"""Reference count credited to each pair of units defined in one module (a chain above
:data:`CLIQUE_MAX` units): code written side by side in one file belongs together."""
CLIQUE_MAX = 12


def _same_module(mono: Monolith, units: set[str]) -> None:
    by_file: dict[str, list[str]] = defaultdict(list)
    for unit in sorted(units):
        by_file[mono.classes[unit].path].append(unit)
    for members in by_file.values():
        if len(members) <= CLIQUE_MAX:
            pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
        else:
            pairs = list(itertools.pairwise(members))
        for a, b in pairs:
            mono.static[(a, b)] += SAME_MODULE


def _symbols(module: str, path: Path, tree: ast.Module, units: set[str]) -> dict[str, str]:
    """Local name → qualified name, from the module's imports, loader calls and definitions."""
    is_package = path.name == "__init__.py"
    symbols: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            loaded = _loaded(node.value, units)
            target = node.targets[0]
            names = target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
            for var, unit in zip(names, loaded, strict=False):
                if isinstance(var, ast.Name) and unit:
                    symbols[var.id] = unit
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    symbols[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    symbols[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, node, is_package)
            for alias in node.names:
                if alias.name != "*":
                    symbols[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            symbols[node.name] = f"{module}.{node.name}"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and module in units:
            symbols[node.name] = module
    return symbols
