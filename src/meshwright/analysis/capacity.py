"""Capacity: arrival rates through the call graph and topics, and M/M/c queueing per
service.

Each service is an M/M/c queue (Poisson arrivals, exponential holding times) with
c = replicas × concurrency servers. A request holds its concurrency slot for the whole
mean critical path of its operation (own work plus synchronous downstream waits); a
service's holding time is the rate-weighted mean over its operations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from scipy.special import gammaincc, gammaln

from meshwright.analysis.availability import composed_availability
from meshwright.analysis.callgraph import by_service, entry_rates, total_attempts
from meshwright.analysis.latency import critical_path_times
from meshwright.analysis.topics import propagate_with_topics
from meshwright.model.types import Model

MAX_REPLICAS = 100_000
RECURSION_SERVERS = 2_000
"""Above this many servers Erlang B is computed in closed form instead of by recursion."""


def expected_tries(attempts: int, failure_rate: float) -> float:
    """Expected tries of a call with ``attempts`` tries when each fails independently with
    probability p: 1 + p + … + p^(attempts−1) = (1 − p^attempts) / (1 − p)."""
    if failure_rate >= 1.0:
        return float(attempts)
    return (1.0 - failure_rate**attempts) / (1.0 - failure_rate)


def operation_rates(model: Model, failure_rate: float = 0.0) -> dict[str, float]:
    """Requests per second at every operation: entrypoint rates × per_request along every
    call × expected tries at the given per-try failure rate, plus topic traffic: each
    publishing operation's rate × its composed availability (it publishes on success) is
    handed to every consumer's handler operation (see ``analysis.topics``)."""
    avail = composed_availability(model)
    return propagate_with_topics(
        model,
        entry_rates(model),
        lambda e: e.call.per_request * expected_tries(total_attempts(e.call), failure_rate),
        lambda op: avail[op].composed,
    )


def arrival_rates(model: Model, failure_rate: float = 0.0) -> dict[str, float]:
    """Requests per second arriving at every service (see :func:`operation_rates`)."""
    return by_service(model, operation_rates(model, failure_rate))


@dataclass(frozen=True)
class ErlangC:
    """An M/M/c queue's steady state (rates per second, times in seconds)."""

    utilisation: float
    """ρ = λ / (c μ); ≥ 1 means the queue grows without bound."""
    p_wait: float
    """Probability that an arrival waits (Erlang C)."""
    wq: float
    """Mean wait in the queue (inf when overloaded)."""
    wq_p99: float
    """99th percentile of the wait (inf when overloaded)."""
    arrival_rate: float = 0.0
    service_rate: float = 0.0
    servers: int = 0

    json_extra: ClassVar[tuple[str, ...]] = ("stable",)

    @property
    def stable(self) -> bool:
        return self.utilisation < 1.0


def erlang_b(offered: float, servers: int) -> float:
    """Erlang B blocking probability. Up to :data:`RECURSION_SERVERS` servers by the stable
    recursion B(k) = A·B(k−1) / (k + A·B(k−1)), B(0) = 1; above, in O(1) as the Poisson
    ratio B = P(N = c) / P(N ≤ c), N ~ Poisson(A), with P(N ≤ c) = Q(c + 1, A) (the
    regularised upper incomplete gamma function)."""
    if servers <= RECURSION_SERVERS:
        b = 1.0
        for k in range(1, servers + 1):
            ab = offered * b
            b = ab / (k + ab)
        return b
    if offered <= 0.0:
        return 0.0
    log_pmf = servers * math.log(offered) - offered - float(gammaln(servers + 1))
    cdf = float(gammaincc(servers + 1, offered))
    if cdf <= 0.0:
        return 1.0
    return min(1.0, math.exp(log_pmf) / cdf)


def wait_quantile(p_wait: float, servers: int, mu: float, lam: float, q: float) -> float:
    """q-quantile of the M/M/c wait: P(W > t) = C·e^(−(cμ − λ)t), so t = ln(C / (1 − q)) / (cμ − λ)."""
    if p_wait <= 1.0 - q:
        return 0.0
    return math.log(p_wait / (1.0 - q)) / (servers * mu - lam)


def erlang_c(lam: float, mu: float, c: int) -> ErlangC:
    """M/M/c steady state: C(c, A) = B / (1 − ρ(1 − B)) with A = λ/μ, ρ = A/c, B = Erlang B;
    Wq = C / (cμ − λ) (Kleinrock, *Queueing Systems* Vol. 1, 1975, §3.5)."""
    if lam <= 0.0:
        return ErlangC(0.0, 0.0, 0.0, 0.0, lam, mu, c)
    if c <= 0 or mu <= 0.0:
        return ErlangC(math.inf, 1.0, math.inf, math.inf, lam, mu, c)
    offered = lam / mu
    rho = offered / c
    if rho >= 1.0:
        return ErlangC(rho, 1.0, math.inf, math.inf, lam, mu, c)
    b = erlang_b(offered, c)
    p_wait = b / (1.0 - rho * (1.0 - b))
    wq = p_wait / (c * mu - lam)
    return ErlangC(rho, p_wait, wq, wait_quantile(p_wait, c, mu, lam, 0.99), lam, mu, c)


@dataclass(frozen=True)
class ServiceCapacity:
    """Queueing view of one service at its current replica count."""

    service: str
    arrival_rate: float
    replicas: int
    servers: int
    holding_time: float
    """Mean time a request holds a concurrency slot (seconds)."""
    queue: ErlangC
    replicas_needed: int | None
    """Fewest replicas that keep ρ < 1 and the p99 wait within the latency SLO's room
    (None when even an empty queue misses the SLO, or more than MAX_REPLICAS are needed)."""
    wait_budget: float | None = None
    """slo.latency.p99 − the longest mean critical path of the service's operations."""
    cpu_demand: float = 0.0
    """Cores of own work: Σ over operations of arrival rate × mean own service time,
    assuming ``service_time`` is CPU-bound work (see :func:`own_work`)."""

    json_extra: ClassVar[tuple[str, ...]] = ("overloaded",)

    @property
    def overloaded(self) -> bool:
        """ρ ≥ 1: the queue grows without bound — certain overload."""
        return not self.queue.stable


def _meets(lam: float, mu: float, servers: int, budget: float | None) -> bool:
    q = erlang_c(lam, mu, servers)
    return q.stable and (budget is None or q.wq_p99 <= budget)


def replicas_needed(
    lam: float, holding_time: float, concurrency: int, wait_budget: float | None
) -> int | None:
    """Fewest replicas with ρ < 1 and (if a budget is given) p99 wait ≤ budget; None when
    none up to :data:`MAX_REPLICAS` does."""
    if wait_budget is not None and wait_budget < 0:
        return None
    if lam <= 0.0 or holding_time <= 0.0:
        return 0 if lam <= 0.0 else 1
    mu = 1.0 / holding_time
    lo = max(1, math.floor(lam / mu / concurrency) + 1)  # smallest count with ρ < 1
    if lo > MAX_REPLICAS:
        return None
    if _meets(lam, mu, lo * concurrency, wait_budget):
        return lo
    hi = lo * 2
    while not _meets(lam, mu, hi * concurrency, wait_budget):
        if hi >= MAX_REPLICAS:
            return None
        lo, hi = hi, min(hi * 2, MAX_REPLICAS)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _meets(lam, mu, mid * concurrency, wait_budget):
            hi = mid
        else:
            lo = mid
    return hi


def own_work(model: Model, op_rates: dict[str, float], service: str) -> float:
    """Busy cores a service needs for its own work: Σ arrival rate × mean own service
    time over its operations (= arrival rate × the rate-weighted mean own service time).
    **Assumes** ``service_time`` is CPU-bound own work; downstream waits are not counted."""
    svc = model.services[service]
    return sum(op_rates[f"{service}.{o}"] * op.service_time.mean for _, o, op in svc.operations())


def capacity(model: Model, *, failure_rate: float = 0.0) -> dict[str, ServiceCapacity]:
    """M/M/c queueing of every service at its declared replicas (entrypoint traffic plus
    retries at ``failure_rate``)."""
    op_rates = operation_rates(model, failure_rate)
    cp = critical_path_times(model)
    out: dict[str, ServiceCapacity] = {}
    for name, svc in model.services.items():
        ops = [f"{name}.{o}" for _, o, _ in svc.operations()]
        lam = sum(op_rates[o] for o in ops)
        if lam > 0:
            holding = sum(op_rates[o] * cp[o] for o in ops) / lam
        else:
            holding = sum(cp[o] for o in ops) / len(ops) if ops else 0.0
        servers = svc.runtime.replicas * svc.runtime.concurrency
        mu = 1.0 / holding if holding > 0 else math.inf
        queue = erlang_c(lam, mu, servers) if holding > 0 else erlang_c(0.0, 1.0, servers)
        slo = svc.slo
        budget = None
        if slo and slo.latency and slo.latency.p99 is not None:
            busy = [cp[o] for o in ops if op_rates[o] > 0] or [cp[o] for o in ops] or [0.0]
            budget = slo.latency.p99 - max(busy)
        out[name] = ServiceCapacity(
            service=name,
            arrival_rate=lam,
            replicas=svc.runtime.replicas,
            servers=servers,
            holding_time=holding,
            queue=queue,
            replicas_needed=replicas_needed(lam, holding, svc.runtime.concurrency, budget),
            wait_budget=budget,
            cpu_demand=own_work(model, op_rates, name),
        )
    return out
