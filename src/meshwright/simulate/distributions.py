"""Service-time samplers in engine form (the lognormal fit lives in
``meshwright.analysis.distributions``) and a fast buffered source of random numbers
(numpy draws in blocks, handed out one at a time)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from meshwright.analysis.distributions import lognormal_params
from meshwright.model.types import ServiceTime

EXPONENTIAL, LOGNORMAL, DETERMINISTIC = 0, 1, 2


@dataclass(frozen=True)
class Sampler:
    """A service-time distribution in engine form: kind and two parameters.

    exponential: (mean, _); lognormal: (μ, σ); deterministic: (value, _).
    """

    kind: int
    a: float
    b: float = 0.0

    @property
    def mean(self) -> float:
        if self.kind == LOGNORMAL:
            return math.exp(self.a + self.b * self.b / 2.0)
        return self.a


def sampler_for(st: ServiceTime) -> Sampler:
    """The sampler of a model service time (its ``kind`` decides the distribution)."""
    kind = st.kind
    if kind == "deterministic":
        return Sampler(DETERMINISTIC, st.mean)
    if kind == "lognormal" and st.p99 is not None and st.mean > 0:
        mu, sigma = lognormal_params(st.mean, st.p99)
        return Sampler(LOGNORMAL, mu, sigma)
    return Sampler(EXPONENTIAL, st.mean)


class NumpyRandom:
    """Seeded random numbers drawn by numpy in blocks; same seed, same sequence (the source
    when the C core is not built)."""

    BLOCK = 1 << 14

    __slots__ = ("_e", "_ei", "_gen", "_n", "_ni", "_u", "_ui")

    def __init__(self, seed: int) -> None:
        self._gen = np.random.default_rng(seed)
        self._e: list[float] = []
        self._u: list[float] = []
        self._n: list[float] = []
        self._ei = self._ui = self._ni = 0

    def exp(self) -> float:
        """A standard exponential (mean 1)."""
        i = self._ei
        if i >= len(self._e):
            self._e = self._gen.standard_exponential(self.BLOCK).tolist()
            i = 0
        self._ei = i + 1
        return self._e[i]

    def uniform(self) -> float:
        """A uniform on [0, 1)."""
        i = self._ui
        if i >= len(self._u):
            self._u = self._gen.random(self.BLOCK).tolist()
            i = 0
        self._ui = i + 1
        return self._u[i]

    def normal(self) -> float:
        """A standard normal."""
        i = self._ni
        if i >= len(self._n):
            self._n = self._gen.standard_normal(self.BLOCK).tolist()
            i = 0
        self._ni = i + 1
        return self._n[i]


class Random:
    """The simulator's seeded random numbers: the C core's generator when the extension is
    built (``_simcore.Random``: the very sequence the compiled engine draws, so both engines
    agree exactly), else numpy's (:class:`NumpyRandom`). Same seed, same sequence."""

    __slots__ = ("exp", "normal", "source", "uniform")

    exp: Callable[[], float]
    """A standard exponential (mean 1)."""
    uniform: Callable[[], float]
    """A uniform on [0, 1)."""
    normal: Callable[[], float]
    """A standard normal."""

    def __init__(self, seed: int, numpy: bool = False) -> None:
        from meshwright.simulate import compiled

        core = None if numpy else compiled._load()
        src: Any = NumpyRandom(seed) if core is None else core.Random(seed & compiled.SEED_MASK)
        self.source = "numpy" if core is None else "core"
        self.exp = src.exp
        self.uniform = src.uniform
        self.normal = src.normal

    def draw(self, s: Sampler) -> float:
        """One draw of a service time."""
        if s.kind == EXPONENTIAL:
            return s.a * self.exp()
        if s.kind == LOGNORMAL:
            return math.exp(s.a + s.b * self.normal())
        return s.a
