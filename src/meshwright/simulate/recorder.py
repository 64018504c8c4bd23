"""Raw per-bucket counters the engine fills while it runs; results.py turns them into
rates, percentiles and a verdict."""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt

Latencies = list[float] | npt.NDArray[np.float64]
"""Latencies of one bucket: a list (Python engine) or an array (compiled engine)."""


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
        self, duration: float, width: float, entrypoints: list[str], services: list[str]
    ) -> None:
        self.duration = duration
        self.width = width
        self.nb = max(1, int(-(-duration // width)))
        self.entrypoints = {name: Series(self.nb) for name in entrypoints}
        self.services = {name: Series(self.nb) for name in services}
        self.breakers: dict[str, list[int]] = {}
        self.topics: dict[str, list[float]] = {}
        self.failures: dict[str, Counter[str]] = {name: Counter() for name in services}
        """Failed tries of each service's calls, by kind (timeout, circuit_open, ...)."""
        self.events = 0

    def bucket(self, t: float) -> int:
        b = int(t / self.width)
        return b if b < self.nb else self.nb - 1
