"""Load a model from one YAML file or a directory, and report every problem at once.

    load_model(path) -> LoadedModel        raises ModelError with located diagnostics

A directory holds ``mesh.yaml`` plus fragments under ``services/`` (``*.yaml``), each a
mapping of service name → service, or of top-level sections (services, topics, contexts,
sagas, entrypoints) that are merged into the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from meshwright.errors import Diagnostic, Location, ModelError, UsageError
from meshwright.model.references import check_references
from meshwright.model.source import PathKey, SourceMap, load_file, load_yaml, no_gc
from meshwright.model.types import Model
from meshwright.model.units import UNITS_REQUIRED
from meshwright.model.validation_errors import translate

ROOT_FILES = ("mesh.yaml", "mesh.yml", "meshwright.yaml")
FRAGMENT_DIRS = ("services", "topics", "contexts")
SECTIONS = ("services", "topics", "contexts", "sagas", "entrypoints")
_MAP_SECTIONS = ("services", "topics", "contexts", "sagas")


@dataclass(frozen=True)
class LoadedModel:
    """A validated model with the source positions of every element."""

    model: Model
    sources: SourceMap
    root: Path

    def locate(self, *path: str | int, key: bool = False) -> Location:
        """file:line:col of an element, e.g. ``locate("services", "cart", "calls", 0)``."""
        return self.sources.locate(tuple(path), key=key)


def load_model(path: str | Path) -> LoadedModel:
    """Load, merge and validate a model file or directory."""
    root = Path(path)
    if not root.exists():
        raise UsageError(f"{root}: no such file or directory")
    raw, smap, diags = _read(root)
    if raw is None and not diags:
        diags.append(
            Diagnostic(
                Location(smap.files[0] if smap.files else str(root), 1, 1),
                "the model is empty",
                "start with `meshwright init` or write at least `meshwright: 1` and `system: NAME`",
            )
        )
    return _validate(raw, smap, diags, root)


def load_text(text: str, filename: str = "<model>") -> LoadedModel:
    """Load a model from YAML text (used by tests and `init`)."""
    raw, smap, diags = load_yaml(text, filename)
    if raw is None and not diags:
        diags.append(Diagnostic(Location(filename, 1, 1), "the model is empty",
                                "write at least `meshwright: 1` and `system: NAME`"))
    return _validate(raw, smap, diags, Path(filename))


def _validate(raw: Any, smap: SourceMap, diags: list[Diagnostic], root: Path) -> LoadedModel:
    with no_gc():
        return _validate_data(raw, smap, diags, root)


def _validate_data(raw: Any, smap: SourceMap, diags: list[Diagnostic], root: Path) -> LoadedModel:
    if raw is None:
        raise ModelError(diags)
    if not isinstance(raw, dict):
        raise ModelError(
            [
                *diags,
                Diagnostic(
                    smap.locate(()),
                    "the model must be a YAML mapping (key: value pairs) at the top level",
                    "start the file with `meshwright: 1` and `system: NAME`",
                ),
            ]
        )
    apply_defaults(raw, smap)
    model: Model | None = None
    try:
        model = Model.model_validate(raw, context={UNITS_REQUIRED: True})
    except ValidationError as exc:
        diags.extend(translate(exc, raw, smap))
    diags.extend(check_references(raw, smap))
    if diags or model is None:
        raise ModelError(_dedupe(diags))
    return LoadedModel(model=model, sources=smap, root=root)


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[Location, str]] = set()
    out = []
    for d in diags:
        if (d.location, d.message) not in seen:
            seen.add((d.location, d.message))
            out.append(d)
    return out


def _read(root: Path) -> tuple[Any, SourceMap, list[Diagnostic]]:
    if root.is_file():
        # a directory model's root file (mesh.yaml beside services/ …) means the directory
        if root.name not in ROOT_FILES or not any((root.parent / s).is_dir() for s in FRAGMENT_DIRS):
            return load_file(root)
        main: Path | None = root
        root = root.parent
    else:
        main = next((root / n for n in ROOT_FILES if (root / n).is_file()), None)
    if main is None:
        raise UsageError(
            f"{root}: a model directory needs a mesh.yaml; create one with "
            f"`meshwright init {root}` or pass the model file itself"
        )
    raw, smap, diags = load_file(main)
    if not isinstance(raw, dict):
        return raw, smap, diags
    for sub in FRAGMENT_DIRS:
        for frag in sorted((root / sub).glob("**/*.y*ml")):
            _merge_fragment(raw, smap, diags, frag, default_section=sub)
    return raw, smap, diags


def _merge_fragment(
    raw: dict[str, Any],
    smap: SourceMap,
    diags: list[Diagnostic],
    frag: Path,
    default_section: str,
) -> None:
    # Read the fragment with its positions already under `<section>.`: most fragments are
    # a mapping of services by name, so no position needs moving afterwards.
    data, fmap, fdiags = load_file(frag, prefix=(default_section,))
    diags.extend(fdiags)
    if data is None:
        return
    if not isinstance(data, dict):
        diags.append(
            Diagnostic(
                fmap.locate((default_section,)),
                f"a fragment must be a mapping of {default_section} by name",
                f"write `NAME:` followed by the {default_section[:-1]}'s fields",
            )
        )
        return
    sectioned = bool(data) and all(k in SECTIONS for k in data)
    if sectioned:  # positions were recorded under the wrong prefix: read it again as is
        data, fmap, _ = load_file(frag)
    sections = data if sectioned else {default_section: data}
    rejected: list[PathKey] = []
    for section, body in sections.items():
        if section == "entrypoints":
            if not isinstance(body, list):
                diags.append(Diagnostic(fmap.locate((section,)), "entrypoints must be a list"))
                continue
            target = raw.setdefault("entrypoints", [])
            if not isinstance(target, list):
                continue
            offset = len(target)
            target.extend(body)
            for i in range(len(body)):
                smap.update(fmap.moved((section, i), ("entrypoints", offset + i)))
            rejected.append((section,))
            continue
        if not isinstance(body, dict):
            diags.append(Diagnostic(fmap.locate((section,)), f"{section} must be a mapping by name"))
            continue
        target_map = raw.setdefault(section, {})
        if target_map is None:
            target_map = raw[section] = {}
        if not isinstance(target_map, dict):
            continue
        for name, value in body.items():
            if name in target_map:
                first = smap.locate((section, name), key=True)
                diags.append(
                    Diagnostic(
                        fmap.locate((section, name), key=True),
                        f"{section[:-1]} '{name}' is defined twice (first at {first})",
                        "keep one definition; each name must be unique across all files",
                        code="duplicate",
                        path=(section, name),
                    )
                )
                rejected.append((section, name))
                continue
            target_map[name] = value
    for path in rejected:  # keep the first definition's positions
        fmap.drop(path)
    for section in sections:  # the main file's section positions stay
        fmap.hide_value((section,))
    fmap.hide_value(())
    smap.update(fmap)


def copy_plain(value: Any) -> Any:
    """A deep copy of loaded YAML data (dicts, lists and immutable scalars only)."""
    if type(value) is dict:
        return {k: copy_plain(v) for k, v in value.items()}
    if type(value) is list:
        return [copy_plain(v) for v in value]
    return value


def apply_defaults(raw: dict[str, Any], smap: SourceMap) -> None:
    """Merge ``defaults.call`` into every call that does not set a field itself."""
    defaults = raw.get("defaults")
    call_defaults = defaults.get("call") if isinstance(defaults, dict) else None
    if not isinstance(call_defaults, dict) or not call_defaults:
        return
    services = raw.get("services")
    if not isinstance(services, dict):
        return
    for sname, svc in services.items():
        if not isinstance(svc, dict):
            continue
        call_lists: list[tuple[PathKey, Any]] = [(("services", sname, "calls"), svc.get("calls"))]
        apis = svc.get("apis")
        if isinstance(apis, list):
            for ai, api in enumerate(apis):
                ops = api.get("operations") if isinstance(api, dict) else None
                if isinstance(ops, dict):
                    for oname, op in ops.items():
                        if isinstance(op, dict):
                            call_lists.append(
                                (
                                    ("services", sname, "apis", ai, "operations", oname, "calls"),
                                    op.get("calls"),
                                )
                            )
        for base, calls in call_lists:
            if not isinstance(calls, list):
                continue
            for i, call in enumerate(calls):
                if not isinstance(call, dict):
                    continue
                for key, value in call_defaults.items():
                    if key not in call:
                        call[key] = copy_plain(value)
                        # its positions are the default's (SourceMap.locate follows this)
                        smap.inherited[(*base, i, key)] = ("defaults", "call", key)
