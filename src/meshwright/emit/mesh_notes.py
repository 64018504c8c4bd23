"""What a model says that a mesh (Istio, Linkerd, Consul) cannot express exactly.

Every mesh emitter package (``meshwright.emit.istio``, ``.linkerd``, ``.consul``) exposes
``notes(model) -> list[MeshNote]``; the emitter writes them into its ``NOTES.md`` and into
comments, ``build`` prints them in its summary, and the mesh rules (MW7xx) report them at
the model line they name. One list per mesh, so the three places never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

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
