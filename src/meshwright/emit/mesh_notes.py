"""What a model says that a mesh (Istio, Linkerd, Consul) cannot express exactly.

Every mesh emitter package (``meshwright.emit.istio``, ``.linkerd``, ``.consul``) exposes
``notes(model) -> list[MeshNote]``; the emitter writes them into its ``NOTES.md`` and into
comments, ``build`` prints them in its summary, and the mesh rules (MW7xx) report them at
the model line they name. One list per mesh, so the three places never disagree.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from meshwright.emit.registry import network_view
from meshwright.model.types import Model

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class MeshNote:
    """One policy the mesh renders differently from the model, at the model path it comes from."""

    mesh: str
    path: Path
    message: str

    def __str__(self) -> str:
        return self.message


MESH_PACKAGES: dict[str, str] = {
    "istio": "meshwright.emit.istio",
    "linkerd": "meshwright.emit.linkerd",
    "consul": "meshwright.emit.consul",
}
"""The package of each mesh emitter; each has ``notes(model) -> list[MeshNote]``."""


def model_path(model: Model, path: Path) -> Path:
    """``path`` of the network view (:func:`meshwright.emit.registry.network_view`, whose
    services keep only their networked APIs) as a path of ``model``: API indices count the
    model's APIs again, so a note locates the line it comes from."""
    if len(path) < 4 or path[0] != "services" or path[2] != "apis" or not isinstance(path[3], int):
        return path
    svc = model.services.get(str(path[1]))
    if svc is None:
        return path
    networked = [i for i, api in enumerate(svc.apis) if api.networked]
    if path[3] >= len(networked):
        return path
    return (*path[:3], networked[path[3]], *path[4:])


OPTIONAL_MESHES = ("linkerd", "consul")
"""Meshes whose emitter package may be absent from a build of meshwright."""


def mesh_notes(model: Model) -> list[MeshNote] | None:
    """The notes of the mesh ``platform.mesh`` selects (see :func:`notes_of`); None without
    a mesh."""
    return notes_of(model.platform.mesh.value, model)


def notes_of(mesh: str, model: Model) -> list[MeshNote] | None:
    """The notes of ``mesh``'s emitter for ``model`` (rendered from its network view), at
    their paths in ``model``; None for no mesh, or when that mesh's emitter package is not
    installed (only :data:`OPTIONAL_MESHES` may be missing; any other import error is
    raised)."""
    package = MESH_PACKAGES.get(mesh)
    if package is None:
        return None
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        if mesh in OPTIONAL_MESHES and exc.name == package:
            return None
        raise
    notes: Callable[[Model], list[MeshNote]] = module.notes
    return [MeshNote(n.mesh, model_path(model, n.path), n.message) for n in notes(network_view(model))]
