"""Per-model memoisation: models are immutable once loaded, so whatever is derived from
one (the call DAG, the topic publishers, the analyses) is computed once per model object."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from meshwright.model.types import Model

T = TypeVar("T")

_CACHE: dict[tuple[int, str], tuple[Model, Any]] = {}
_CACHE_SIZE = 64


def memoised(model: Model, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per (model object, key); models are immutable, so results are too.
    The cache keeps the last few models alive so an ``id`` is never reused while cached."""
    hit = _CACHE.get((id(model), key))
    if hit is not None and hit[0] is model:
        return cast(T, hit[1])
    value = compute()
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[(id(model), key)] = (model, value)
    return value


def clear() -> None:
    """Forget every memoised value (benchmarks time cold runs with this)."""
    _CACHE.clear()
