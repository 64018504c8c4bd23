"""What CPU utilisation means — the one definition the capacity analysis, the cost's CPU
floor and the simulator's autoscaler read.

A request's own work (its operation's ``service_time``) keeps :data:`CORES_PER_REQUEST`
core busy; time spent waiting on downstream calls or in the queue uses no CPU. So a
service's CPU demand is Σ over its operations of arrival rate × mean own service time
(busy cores), and its utilisation — what a Kubernetes HorizontalPodAutoscaler measures —
is CPU seconds used over CPU seconds requested: demand / (replicas × ``runtime.cpu``).
Without a CPU request there is no utilisation (the HPA cannot scale such a pod; MW611).

The autoscaler follows the HPA algorithm: desired = ⌈replicas × utilisation / target⌉,
no change while |utilisation / target − 1| ≤ :data:`HPA_TOLERANCE`
(kubernetes.io, "Horizontal Pod Autoscaling", algorithm details).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from meshwright.model.types import Model, Service

CORES_PER_REQUEST = 1.0
"""Cores a request's own work keeps busy for its service time."""
HPA_TOLERANCE = 0.1
"""The HPA's default tolerance (``--horizontal-pod-autoscaler-tolerance``)."""
FULL_CPU_TARGET = 100.0
"""CPU utilisation (percent) planned for a service without an autoscale ``cpu_target``."""
ROUNDING = 1e-9
"""Replicas of rounding ignored when a CPU count is rounded up."""


def cpu_seconds(own_service_time: float) -> float:
    """CPU seconds one request's own work uses."""
    return own_service_time * CORES_PER_REQUEST


def cpu_demand(model: Model, op_rates: Mapping[str, float], service: str) -> float:
    """Busy cores a service needs: Σ arrival rate × CPU seconds of the mean own service
    time over its operations (downstream waits use no CPU)."""
    svc = model.services[service]
    return sum(
        op_rates.get(f"{service}.{o}", 0.0) * cpu_seconds(op.service_time.mean)
        for _, o, op in svc.operations()
    )


def cpu_utilisation(
    used_cpu_seconds: float, replica_seconds: float, cpu_request: float | None
) -> float | None:
    """Utilisation (fraction of the request) over a window: CPU seconds used over replica
    seconds × requested cores; None without a CPU request."""
    if not cpu_request or replica_seconds <= 0.0:
        return None
    return used_cpu_seconds / (replica_seconds * cpu_request)


def cpu_target(svc: Service) -> float:
    """Target utilisation as a fraction: the autoscaler's, else 100 %."""
    scale = svc.runtime.autoscale
    return (scale.cpu_target if scale is not None else FULL_CPU_TARGET) / 100.0


def hpa_desired(current: int, utilisation: float, target: float) -> int:
    """The HPA's desired replica count (before min/max): unchanged within the tolerance,
    else ⌈current × utilisation / target⌉."""
    ratio = utilisation / target
    if abs(ratio - 1.0) <= HPA_TOLERANCE:
        return current
    return math.ceil(current * ratio - ROUNDING)


def cpu_floor(svc: Service, demand: float) -> int:
    """Fewest replicas with replicas × cpu request × target ≥ ``demand`` busy cores;
    0 without a CPU request (the constraint is skipped)."""
    cpu = svc.runtime.cpu
    if not cpu or demand <= 0.0:
        return 0
    return max(0, math.ceil(demand / (cpu * cpu_target(svc)) - ROUNDING))
