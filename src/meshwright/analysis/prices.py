"""Prices of requested resources: the one definition of the default cloud prices (kept
apart from ``cost`` so the command line reads the defaults without loading the solvers)."""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024**3


@dataclass(frozen=True)
class Prices:
    """Prices of requested resources. Defaults: typical public-cloud on-demand list prices
    (general-purpose VMs, 2024) — pass your own for real numbers."""

    cpu_per_core_hour: float = 0.0316
    memory_per_gib_hour: float = 0.0042
    hours_per_month: float = 730.0

    def monthly(self, cpu: float, memory_bytes: int, replicas: float) -> float:
        """Monthly cost of ``replicas`` replicas requesting ``cpu`` cores and ``memory_bytes``."""
        hourly = cpu * self.cpu_per_core_hour + memory_bytes / GIB * self.memory_per_gib_hour
        return replicas * hourly * self.hours_per_month
