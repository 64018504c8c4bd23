"""Every module of the package imports on the running interpreter.

The compatibility run (``make test-compat``, the oldest supported Python) runs a subset of
the suite; this test is what makes that subset reach every module: syntax or standard
library names newer than the interpreter fail here, at import, even in modules the subset
does not otherwise exercise."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import meshwright

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(meshwright.__path__, prefix="meshwright.")
    # __main__ runs the command line when imported; the CLI tests run it as a process
    if not info.name.endswith(".__main__")
)


def test_the_walk_finds_the_package() -> None:
    # a broken walk (wrong path, a package without __init__) must not pass as "nothing to import"
    assert len(MODULES) > 100
    assert {"meshwright.cli", "meshwright.model", "meshwright.emit.registry"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_imports(name: str) -> None:
    importlib.import_module(name)
