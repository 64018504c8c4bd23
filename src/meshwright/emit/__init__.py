"""Emitters: one module (or package) per target, each rendering the model into files.

Every target exposes ``emit(model) -> list[Artifact]`` with paths relative to the
target's own directory and registers itself in :mod:`meshwright.emit.registry`. Emitters
only render: numbers and graph facts come from the model and :mod:`meshwright.graph`.
"""

from meshwright.emit.registry import Target, emit_all, emit_target, target, targets

__all__ = ["Target", "emit_all", "emit_target", "target", "targets"]
