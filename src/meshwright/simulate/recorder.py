"""Raw per-bucket counters the engine fills while it runs; results.py turns them into
rates, percentiles and a verdict."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import numpy.typing as npt

Latencies = list[float] | npt.NDArray[np.float64]
"""Latencies of one bucket: a list while the bucket fills, an array once sealed."""

LATENCY_SAMPLE = 10_000
"""Latencies kept per series and bucket at most; beyond, a uniform random sample of this
many (weighted by the bucket's ``ok`` count in the totals), so memory stays bounded on
long runs. Percentiles of a larger bucket are estimates (p99 within a few percent)."""


def _zeros(n: int) -> list[float]:
    return [0.0] * n


class Series:
    """Counters of one entrypoint or service, one slot per time bucket."""

    __slots__ = ("arrivals", "busy", "errors", "latencies", "ok", "queue", "rejected", "replicas",
                 "retries", "utilisation", "wait_n", "wait_sum")

    def __init__(self, n: int) -> None:
        self.arrivals = _zeros(n)
        self.ok = _zeros(n)
        self.errors = _zeros(n)
        self.rejected = _zeros(n)
        self.retries = _zeros(n)
        self.latencies: list[Latencies] = [[] for _ in range(n)]
        self.wait_sum = _zeros(n)
        self.wait_n = _zeros(n)
        self.busy = _zeros(n)
        self.queue = _zeros(n)
        self.utilisation = _zeros(n)
        self.replicas = _zeros(n)


class Recorder:
    """All counters of one run: ``nb`` buckets of ``width`` seconds."""

    def __init__(
        self, duration: float, width: float, entrypoints: list[str], services: list[str],
        seed: int = 0,
    ) -> None:
        self.duration = duration
        self.width = width
        self.nb = max(1, math.ceil(duration / width - 1e-9))
        self.entrypoints = {name: Series(self.nb) for name in entrypoints}
        self.services = {name: Series(self.nb) for name in services}
        self.breakers: dict[str, list[int]] = {}
        self.topics: dict[str, list[float]] = {}
        self.failures: dict[str, Counter[str]] = {name: Counter() for name in services}
        """Failed tries of each service's calls, by kind (timeout, circuit_open, ...)."""
        self.events = 0
        self._sampler = np.random.default_rng((seed, 13))

    def bucket(self, t: float) -> int:
        b = int(t / self.width)
        return b if b < self.nb else self.nb - 1

    def seal(self, b: int) -> None:
        """Store bucket ``b``'s latencies as arrays of at most LATENCY_SAMPLE values; call it
        once no latency will be added to the bucket any more (idempotent)."""
        for s in (*self.entrypoints.values(), *self.services.values()):
            lat = s.latencies[b]
            if not isinstance(lat, list) and lat.size <= LATENCY_SAMPLE:
                continue
            arr = np.asarray(lat, dtype=np.float64)
            if arr.size > LATENCY_SAMPLE:
                arr = self._sampler.choice(arr, LATENCY_SAMPLE, replace=False)
            s.latencies[b] = arr

    def seal_all(self) -> None:
        for b in range(self.nb):
            self.seal(b)
