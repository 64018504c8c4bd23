"""The run-time state of a simulated network: replicas and stations (services), operation
and call plans with their policy state, jobs (one request at one service), call contexts
(one logical call with its tries), entrypoints and consumer groups. The engine mutates it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from meshwright.callpolicy import Failure, RetryLayer, repetitions, semantics
from meshwright.model.types import Call, Service
from meshwright.simulate.distributions import Sampler
from meshwright.simulate.policies import (
    BulkheadState,
    CircuitBreakerState,
    RetryBudgetState,
    TokenBucket,
)
from meshwright.simulate.recorder import Series

# outcome kinds of a try: a response (ok, 5xx error), a lost connection (unavailable, reset,
# connect failure), a per-try timeout, or a refusal by the service's or the caller's own
# policies; callpolicy.Failure names the retryable ones
OK, ERROR, UNAVAILABLE, RESET, TIMEOUT, RATE_LIMITED, CB_OPEN, BULKHEAD, THROTTLED, CONNECT = range(10)
KIND_NAMES = ("ok", "error", "unavailable", "reset", "timeout", "rate_limited", "circuit_open",
              "bulkhead_full", "throttled", "connect_failure")
_FAILURE_KIND = {
    Failure.error: ERROR,
    Failure.unavailable: UNAVAILABLE,
    Failure.reset: RESET,
    Failure.timeout: TIMEOUT,
    Failure.rate_limited: RATE_LIMITED,
    Failure.connect_failure: CONNECT,
}

# who waits for a job
P_CALL, P_ENTRY, P_CONSUMER = 0, 1, 2
# load balancers
LB_RR, LB_LEAST, LB_P2C = 0, 1, 2
_LB = {"round_robin": LB_RR, "least_requests": LB_LEAST, "power_of_two": LB_P2C}


class Replica:
    __slots__ = ("active", "busy", "draining", "queue", "up")

    def __init__(self) -> None:
        self.busy = 0
        self.queue: deque[Job] = deque()
        self.active: dict[Job, None] = {}
        """Jobs in service, in start order (a dict, so a crash fails them in a fixed order)."""
        self.up = True
        self.draining = False


class Station:
    """A service: its replicas, each with ``concurrency`` servers and a FIFO queue."""

    __slots__ = ("add", "busy", "busy_area", "cap_area", "capacity", "chaos_err", "conc", "fail_p",
                 "last", "lb", "limiter", "live", "name", "prev", "qlimit", "queue_area", "queued",
                 "replicas", "rr", "scale", "scale_pending", "series", "slow")

    def __init__(self, name: str, svc: Service, intrinsic: bool, series: Series) -> None:
        rt = svc.runtime
        self.name = name
        self.conc = rt.concurrency
        self.qlimit = rt.queue_limit
        self.lb = _LB[rt.load_balancing]
        n = rt.replicas
        self.scale = rt.autoscale
        if self.scale is not None:
            n = min(max(n, self.scale.min), self.scale.max)
        self.replicas = [Replica() for _ in range(n)]
        self.live = list(self.replicas)
        self.rr = -1
        self.busy = 0
        self.queued = 0
        self.capacity = n * self.conc
        self.last = 0.0
        self.busy_area = self.queue_area = self.cap_area = 0.0
        self.prev = (0.0, 0.0, 0.0)
        self.slow = 1.0
        self.add = 0.0
        self.chaos_err = 0.0
        self.fail_p = (1.0 - svc.availability / 100.0) if intrinsic else 0.0
        self.limiter = (
            TokenBucket(svc.rate_limit.rate, svc.rate_limit.bucket) if svc.rate_limit else None
        )
        self.scale_pending = False
        self.series = series

    def touch(self, now: float) -> None:
        dt = now - self.last
        if dt > 0:
            self.busy_area += dt * self.busy
            self.queue_area += dt * self.queued
            self.cap_area += dt * self.capacity
            self.last = now

    def refresh_live(self) -> None:
        self.live = [r for r in self.replicas if r.up and not r.draining]


class OpPlan:
    """An operation ready to run: its station, service time and call steps."""

    __slots__ = ("groups", "name", "publishes", "sampler", "static_steps", "station")

    def __init__(self, name: str, station: Station, sampler: Sampler) -> None:
        self.name = name
        self.station = station
        self.sampler = sampler
        self.groups: list[tuple[bool, list[CallPlan]]] = []
        self.static_steps: list[list[CallPlan]] | None = None
        self.publishes: list[TopicGroup] = []


class LayerPlan:
    """One retry layer of a call (``callpolicy.RetryLayer``) with its budget's state."""

    __slots__ = ("attempts", "budget", "kinds", "layer", "per_try")

    def __init__(self, layer: RetryLayer) -> None:
        self.layer = layer
        self.attempts = layer.attempts
        self.per_try = layer.per_try_timeout
        self.kinds = frozenset(_FAILURE_KIND[k] for k in layer.retry_on)
        b = layer.budget
        self.budget = RetryBudgetState(b.ratio, b.min_per_second) if b is not None else None


class CallPlan:
    """One call edge with its semantics (``callpolicy``) and policy state (breaker,
    bulkhead, limiter, retry budgets)."""

    __slots__ = ("app", "breaker", "bulkhead", "callee", "caller", "copies", "fallback_static",
                 "fallback_target", "frac", "label", "limiter", "mesh", "target", "timeout")

    def __init__(self, caller: str, callee: str, call: Call, target: OpPlan) -> None:
        sem = semantics(call)
        self.label = f"{caller} -> {callee}"
        self.caller = caller.split(".", 1)[0]
        self.callee = callee.split(".", 1)[0]
        self.target = target
        self.copies, self.frac = repetitions(sem.per_request)
        self.timeout = sem.timeout
        self.app = LayerPlan(sem.app)
        self.mesh = LayerPlan(sem.mesh)
        self.breaker = CircuitBreakerState(call.circuit_breaker) if call.circuit_breaker else None
        self.bulkhead = (
            BulkheadState(call.bulkhead.max_concurrent, call.bulkhead.max_queue)
            if call.bulkhead
            else None
        )
        self.limiter = (
            TokenBucket(call.rate_limit.rate, call.rate_limit.bucket) if call.rate_limit else None
        )
        self.fallback_target: OpPlan | None = None
        self.fallback_static = sem.has_fallback


class Job:
    """One execution of an operation at a service."""

    __slots__ = ("arrival", "dead", "failed", "parent", "pending", "pkind", "plan", "replica",
                 "step", "steps")

    def __init__(self, plan: OpPlan, arrival: float, parent: Any, pkind: int) -> None:
        self.plan = plan
        self.arrival = arrival
        self.parent = parent
        self.pkind = pkind
        self.dead = False
        self.failed = False
        self.replica: Replica | None = None
        self.pending = 0
        self.step = 0
        self.steps: list[list[CallPlan]] = []


class CallCtx:
    """One repetition of a call made by a job: its application tries, each with its
    proxy's tries, then its fallback."""

    __slots__ = ("app_attempt", "app_deadline", "current", "deadline", "in_bulkhead", "job",
                 "mesh_attempt", "phase", "plan", "running")

    def __init__(self, job: Job, plan: CallPlan) -> None:
        self.job = job
        self.plan = plan
        self.app_attempt = 1
        self.mesh_attempt = 1
        self.running = False
        """An application try is in progress (its deadline timer is live)."""
        self.current: Job | None = None
        self.deadline: float | None = None
        self.app_deadline: float | None = None
        self.in_bulkhead = False
        self.phase = 0  # 0 trying, 1 fallback, 2 done


class EntryState:
    __slots__ = ("base", "limiter", "mult", "plan", "series", "token")

    def __init__(self, plan: OpPlan, rate: float, limiter: TokenBucket | None, series: Series) -> None:
        self.plan = plan
        self.base = rate
        self.mult = 1.0
        self.limiter = limiter
        self.series = series
        self.token = 0


class TopicGroup:
    """A consumer group of a topic: a backlog served with up to ``partitions`` in flight.
    A failed message goes to the groups of its ``dead_letter`` topic when the consumer
    names one, else it stays in the backlog and the group pauses before redelivery."""

    __slots__ = ("backlog", "dead_letter", "in_flight", "label", "partitions", "paused", "plan")

    def __init__(self, label: str, plan: OpPlan, partitions: int) -> None:
        self.label = label
        self.plan = plan
        self.partitions = partitions
        self.backlog = 0
        self.in_flight = 0
        self.paused = False
        self.dead_letter: list[TopicGroup] | None = None
