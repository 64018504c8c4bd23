"""How a service's queue behaves: the one definition the analyses (capacity, latency, cost,
availability) read.

A service runs ``runtime.replicas`` replicas; each serves ``runtime.concurrency`` requests
at once and queues the rest in its own FIFO queue (at most ``runtime.queue_limit`` waiting;
an arrival that finds the queue full is rejected, which counts as a failure of the try).
A request holds its slot for its *holding time*: its own service time plus every
synchronous call it makes, each call's time being the callee's own wait in its queue plus
the callee's holding time (the simulator's threads model). A service is an exact or
approximate queueing model chosen by ``runtime.load_balancing``:

- ``round_robin``: the k-th of every k arrivals (k = replicas) goes to a replica, so a
  Poisson stream of rate λ gives each replica Erlang-k inter-arrivals of rate λ/k: the
  E_k/M/c queue (c = concurrency), solved *exactly*. Its geometric tail ratio σ is the
  GI/M/c root σ = A*(cμ(1 − σ)), A*(s) = (kλ'/(kλ' + s))^k (Kleinrock, *Queueing Systems*
  Vol. 1, 1975, §6.4; Gross & Harris, *Fundamentals of Queueing Theory*, §6.2); an
  arrival waits with probability P(wait) (Takács' closed form,
  :func:`erlang_k_wait_probability`) and then for an exponential time of rate cμ(1 − σ).
  With a queue limit, the finite chain is solved by rank-one level reduction
  (:func:`erlang_k_bounded_arrivals`). One replica is M/M/c (Erlang C). Both are
  memoised per (k, c, ρ, limit).
- ``least_requests``: join the shortest queue (:mod:`meshwright.analysis.jsq`): the
  pooled M/M/(replicas × concurrency) chain's states (Erlang C), each waiting request
  committed to one replica's queue and its c slots — a geometric number of completions
  with ratio ρ^replicas, exponential of rate cμ(1 − ρ^replicas) (the pool's Kcμ(1 − ρ) in
  heavy traffic, one replica's cμ at light load).
- ``power_of_two``: two replicas picked at random, the less loaded one takes the request.
  Mitzenmacher's mean-field ("The Power of Two Choices in Randomized Load Balancing", IEEE
  TPDS 12(10), 2001) extended to c servers per replica: the fraction s_i of replicas with at
  least i requests solves λ(s_{i−1}² − s_i²) = μ·min(i, c)·(s_i − s_{i+1}); an arrival joins
  a replica with i requests with probability s_i² − s_{i+1}² and waits for i − c + 1
  completions at rate cμ. Exact as replicas → ∞; with ≤ 2 replicas both are always picked,
  which is least requests (join the shortest queue).

Non-exponential holding times: the Allen–Cunneen correction scales the conditional wait by
(c_a² + c_s²)/(c_a² + 1), the ratio of the G/G/c to the corresponding ·/M/c approximation
(c_a² = 1/k for Erlang-k arrivals, 1 for Poisson; c_s² the holding time's squared
coefficient of variation). Allen, *Probability, Statistics and Queueing Theory*, 1990, §6.
The conditional wait keeps that mean but is Gamma-shaped (:func:`wait_shape`): a
geometric number of completions of c busy slots whose spacing has c² ≈ 1 + (c_s² − 1)/c
— shorter-tailed than the exponential for deterministic holding, longer for c_s² > 1.

Deterministic holding (c_s² = 0) under round robin (one replica included) is not
approximated: without a reached queue limit the wait is the exact E_k/D/c one
(:func:`erlang_k_deterministic_wait`: every c-th request's wait is an E_kc/D/1 Lindley
recursion); with one, Tijms' M/G/c/K from the exact E_k/D/c law of the number in system
(:func:`deterministic_capped_queue`, :func:`erlang_k_deterministic_levels`).

Arrival rates (:func:`offered_rates`) include retries (expected tries at the per-try
failure probability: the assumed failure rate combined with the callee's rejections) and
fallback traffic (a call that fails after all its tries calls its fallback operation);
rejections, rates and waits feed back on each other and are solved together as a fixed
point (:func:`queueing`). A service with utilisation ≥ 1 and no queue limit has no steady
state: it is reported UNSTABLE with the arrival rate that breaks it, and every wait that
depends on it is infinite, never a finite number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from meshwright import callpolicy
from meshwright.analysis.callgraph import call_dag, entry_rates, memoised
from meshwright.analysis.distributions import lognormal_params
from meshwright.analysis.roots import brentq, gammaln
from meshwright.analysis.topics import propagate_with_topics
from meshwright.graph import Edge
from meshwright.model.types import Model, Service, ServiceTime

RECURSION_SERVERS = 2_000
"""Above this many servers Erlang B is computed in closed form instead of by recursion."""
MAX_ITERATIONS = 200
"""Fixed-point iterations of rates, rejections and waits at most."""
TOLERANCE = 1e-9
"""Relative change below which the fixed point has converged."""
NEGLIGIBLE = 1e-12
"""Probability mass below which a queue's tail is cut."""

Floats = npt.NDArray[np.float64]


# ------------------------------------------------------------------ Erlang B / C


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
    from scipy.special import gammaincc  # SciPy loads in ~0.5 s: only for this many servers

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


# ------------------------------------------------------------------ waiting times


@dataclass(frozen=True)
class WaitDistribution:
    """The distribution of one request's wait in a service's queue (seconds).

    0 with probability 1 − ``p_wait``; otherwise, when ``ahead`` is empty, exponential of
    rate ``rate``; else the time of m service completions at rate ``rate`` (Gamma(m, rate))
    with probability ``ahead[m − 1]`` (Σ ahead = p_wait). Every wait is multiplied by
    ``scale`` (the Allen–Cunneen factor). ``rate`` 0 with p_wait > 0: infinite (unstable).
    ``shape`` (only when ``ahead`` is empty): the conditional wait is Gamma of this shape
    and the same mean instead of exponential (1) — see :func:`wait_shape`.
    :class:`DeterministicCompletions` replaces the Gamma mixture for deterministic slots.
    """

    p_wait: float
    rate: float
    ahead: tuple[float, ...] = ()
    scale: float = 1.0
    shape: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "p_wait", float(self.p_wait))
        object.__setattr__(self, "rate", float(self.rate))

    @cached_property
    def _cumulative(self) -> Floats:
        return np.cumsum(np.asarray(self.ahead, dtype=np.float64))

    @property
    def slots(self) -> int:
        """0: the completions ahead are those of exponential slots (Gamma(m, rate))."""
        return 0

    @cached_property
    def _beta(self) -> tuple[Floats, Floats, Floats]:
        """For ``slots``: q, a = r + 1 and b = c − r of each m = 1..len(ahead)."""
        c = self.slots
        q, r = np.divmod(np.arange(len(self.ahead)), c)
        return q.astype(np.float64), (r + 1).astype(np.float64), (c - r).astype(np.float64)

    @property
    def unstable(self) -> bool:
        """No steady state: every wait is infinite."""
        return bool(self.p_wait > 0.0 and self.rate <= 0.0)

    def mean(self) -> float:
        if self.p_wait <= 0.0:
            return 0.0
        if self.unstable:
            return math.inf
        if not self.ahead:
            return self.scale * self.p_wait / self.rate
        if self.slots:
            q, a, b = self._beta
            return self.scale * self.slots * float(np.dot(q + a / (a + b), self.ahead)) / self.rate
        return self.scale * float(np.dot(np.arange(1.0, len(self.ahead) + 1.0), self.ahead)) / self.rate

    def second_moment(self) -> float:
        if self.p_wait <= 0.0:
            return 0.0
        if self.unstable:
            return math.inf
        s2 = self.scale**2 / self.rate**2
        if not self.ahead:
            return (1.0 + 1.0 / self.shape) * self.p_wait * s2
        if self.slots:
            q, a, b = self._beta
            eb, eb2 = a / (a + b), a * (a + 1.0) / ((a + b) * (a + b + 1.0))
            return s2 * self.slots**2 * float(np.dot(q * q + 2.0 * q * eb + eb2, self.ahead))
        return s2 * sum((m + 1) * (m + 2) * p for m, p in enumerate(self.ahead))

    def survival(self, t: float) -> float:
        """P(W > t)."""
        if t < 0.0:
            return 1.0
        if self.unstable:
            return 1.0
        if self.p_wait <= 0.0:
            return 0.0
        x = t / self.scale * self.rate
        if not self.ahead and self.shape == 1.0:
            return self.p_wait * math.exp(-x)
        from scipy.special import gammaincc  # SciPy loads in ~0.5 s: only for shaped waits

        if not self.ahead:
            return self.p_wait * float(gammaincc(self.shape, x * self.shape))

        if self.slots:
            from scipy.special import betainc

            q, a, b = self._beta
            y = x / self.slots - q  # P(q + B > x/c) = P(B > y)
            tail = np.where(y <= 0.0, 1.0, 1.0 - betainc(a, b, np.clip(y, 0.0, 1.0)))
            return float(np.dot(self.ahead, tail))
        shapes = np.arange(1, len(self.ahead) + 1)
        return float(np.dot(self.ahead, gammaincc(shapes, x)))  # P(Gamma(m, 1) > x)

    def quantile(self, q: float) -> float:
        """The q-quantile of the wait."""
        if self.unstable:
            return math.inf
        if self.p_wait <= 1.0 - q:
            return 0.0
        if not self.ahead:
            if self.shape != 1.0:
                from scipy.special import gammainccinv

                x = float(gammainccinv(self.shape, (1.0 - q) / self.p_wait)) / self.shape
                return self.scale * x / self.rate
            return self.scale * math.log(self.p_wait / (1.0 - q)) / self.rate
        hi = self.mean() + 1.0 / self.rate
        while self.survival(hi) > 1.0 - q:
            hi *= 2.0
        return float(brentq(lambda t: self.survival(t) - (1.0 - q), 0.0, hi, xtol=1e-12))

    def from_uniform(self, u: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The waits at uniform draws ``u`` by the inverse distribution function, so the
        same draws give comonotone waits in different queues (a larger u, a longer wait)."""
        if self.p_wait <= 0.0:
            return np.zeros(len(u), dtype=np.float32)
        if self.unstable:
            return np.full(len(u), np.inf, dtype=np.float32)
        tail = np.clip(1.0 - u.astype(np.float64), 1e-12, 1.0)  # P(W > w) at the draw
        if not self.ahead:
            if self.shape != 1.0:
                from scipy.special import gammainccinv

                level = np.minimum(tail / self.p_wait, 1.0)
                x = np.asarray(gammainccinv(self.shape, level), dtype=np.float64)
                out: npt.NDArray[np.float32] = (x * (self.scale / self.rate / self.shape)).astype(np.float32)
                return out
            w = np.log(np.maximum(self.p_wait / tail, 1.0)) * (self.scale / self.rate)
            return w.astype(np.float32)
        # the mixture's survival is decreasing: interpolate its inverse on a grid
        top = self.quantile(1.0 - 1e-6)
        grid = np.linspace(0.0, top, 513)
        surv = np.array([self.survival(t) for t in grid])
        w = np.interp(-tail, -surv, grid, left=0.0, right=top)
        return np.where(tail >= self.p_wait, 0.0, w).astype(np.float32)

    def sample(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.float32]:
        """``n`` independent waits (only the waiting ones are drawn)."""
        if self.p_wait <= 0.0:
            return np.zeros(n, dtype=np.float32)
        if self.unstable:
            return np.full(n, np.inf, dtype=np.float32)
        u = rng.random(n, dtype=np.float32)
        out = np.zeros(n, dtype=np.float32)
        if not self.ahead:
            waiting = np.flatnonzero(u < self.p_wait)
            if self.shape != 1.0:
                waits = (rng.standard_gamma(self.shape, waiting.size) / self.shape).astype(np.float32)
            else:
                waits = rng.standard_exponential(waiting.size, dtype=np.float32)
        else:
            waiting = np.flatnonzero(u < self._cumulative[-1])
            # the number ahead m (1-based) of each waiting request: Gamma(m) completions
            m = np.searchsorted(self._cumulative, u[waiting], side="right") + 1.0
            if self.slots:
                q, a, b = self._beta
                i = np.minimum(m, len(self.ahead)).astype(np.intp) - 1
                waits = ((q[i] + rng.beta(a[i], b[i])) * self.slots).astype(np.float32)
            else:
                waits = rng.standard_gamma(np.minimum(m, len(self.ahead))).astype(np.float32)
        out[waiting] = waits * np.float32(self.scale / self.rate)
        return out


@dataclass(frozen=True)
class DeterministicCompletions(WaitDistribution):
    """A wait whose completions ahead (``ahead``) are those of ``c`` busy slots of
    *deterministic* holding 1/μ = c/``rate``: m completions take (q + B)/μ (× ``scale``)
    with m − 1 = qc + r and B ~ Beta(r + 1, c − r), the (r + 1)-th smallest of c residual
    times taken as uniform (:func:`deterministic_capped_queue`) — at most ⌈m/c⌉/μ."""

    c: int = 1

    @property
    def slots(self) -> int:
        return self.c


NO_WAIT = WaitDistribution(0.0, math.inf)
UNSTABLE_WAIT = WaitDistribution(1.0, 0.0)


# ------------------------------------------------------------------ queue solutions


@dataclass(frozen=True)
class Solution:
    """A replica's (or a pool's) queue under exponential holding times."""

    wait: WaitDistribution
    p_reject: float = 0.0


def erlang_k_root(k: int, c: int, rho: float) -> float:
    """The GI/M/c root σ ∈ (0, 1) of σ = (k/(k + c(1 − σ)/ρ'))^k for Erlang-k arrivals of
    mean 1 per time unit and c servers of rate 1/(cρ) — written with λ' = 1: ν = k,
    cμ = 1/ρ. Requires ρ < 1."""

    def f(s: float) -> float:
        return s - (k / (k + (1.0 - s) / rho)) ** k

    delta = max(rho * (1.0 - rho) / 2.0, 1e-300)
    while f(1.0 - delta) <= 0.0 and delta > 1e-15:
        delta /= 2.0
    return float(brentq(f, 0.0, 1.0 - delta, xtol=1e-15, rtol=1e-15))


BOUNDED_CHAIN_PHASES = 64
"""Most arrival phases the bounded round-robin chain is solved with (see round_robin_queue)."""


def round_robin_queue(lam: float, mu: float, replicas: int, c: int, limit: int | None) -> Solution:
    """One replica of ``replicas`` under round robin of a Poisson stream at ``lam``: the
    E_k/M/c queue (k = replicas) with λ' = lam/k, exactly (see the module docstring):
    Takács' closed form without a queue limit (:func:`erlang_k_wait_probability`), the
    level reduction of the bounded chain with one (:func:`erlang_k_bounded_arrivals`)."""
    k = max(1, replicas)
    lam_r = lam / k
    if lam_r <= 0.0:
        return Solution(NO_WAIT)
    rho = lam_r / (c * mu)
    if limit is None and rho >= 1.0:
        return Solution(UNSTABLE_WAIT)
    if k == 1 and limit is None:
        q = erlang_c(lam_r, mu, c)
        return Solution(WaitDistribution(q.p_wait, c * mu - lam_r))
    if limit is not None and rho < 1.0:
        free = round_robin_queue(lam, mu, replicas, c, None)
        if free.wait.p_wait * (1.0 - free.wait.rate / (c * mu)) ** limit < NEGLIGIBLE:
            return free  # the queue never gets near its limit
    if limit is None:
        sigma = erlang_k_root(k, c, rho)
        p_wait = erlang_k_wait_probability(k, c, rho, sigma)
        if p_wait < NEGLIGIBLE:  # as good as never
            return Solution(NO_WAIT)
        return Solution(WaitDistribution(p_wait, c * mu * (1.0 - sigma)))
    # the level reduction keeps k × k blocks: past BOUNDED_CHAIN_PHASES replicas the arrivals
    # are taken as Erlang-BOUNDED_CHAIN_PHASES (inter-arrival CV 1/8 instead of 1/√k, both
    # nearly regular), so memory and work stay bounded for any replica count
    phases = min(k, BOUNDED_CHAIN_PHASES)
    return _bounded(np.asarray(erlang_k_bounded_arrivals(phases, c, rho, limit)), c, mu)


@lru_cache(maxsize=4096)
def erlang_k_wait_probability(k: int, c: int, rho: float, sigma: float) -> float:
    """P(an arrival waits) in the E_k/M/c queue (Erlang-k inter-arrivals of mean 1/λ', c
    servers of rate μ, ρ = λ'/(cμ) < 1, σ its GI/M/c root), by Takács' closed form
    (Gross & Harris, *Fundamentals of Queueing Theory*, 4th ed., §6.2, eq. 6.33): an
    arrival finds n ≥ c with probability q_n = C σ^(n−c), so P(wait) = C / (1 − σ), with

        1/C = 1/(1 − σ) + Σ_{j=1}^{c} C(c, j) / (C_j (1 − α_j)) · (c(1 − α_j) − j) / (c(1 − σ) − j),

    α_j = A*(jμ) = (kλ'/(kλ' + jμ))^k, C_j = Π_{i≤j} α_i / (1 − α_i). Every term is
    positive (numerator and denominator change sign together at j = c(1 − σ)), so the sum
    is taken in logarithms without cancellation; next to j = c(1 − σ) the ratio is
    written as 1 − c (α_j − σ)/(c(1 − σ) − j), the divided difference expanded."""
    nu = k * c * rho  # time in units of 1/μ: λ' = cρ, the Erlang phase rate ν = kλ'
    j, log_binom = _server_counts(c)
    log_alpha = -k * np.log1p(j / nu)
    alpha = np.exp(log_alpha)
    log_one_minus = np.log(-np.expm1(log_alpha))
    log_cj = np.cumsum(log_alpha - log_one_minus)
    star = c * (1.0 - sigma)
    near = np.abs(star - j) < 0.5
    ratio = (c * (1.0 - alpha) - j) / np.where(near, 1.0, star - j)
    for i in np.flatnonzero(near):
        b1, b2 = nu / (nu + j[i]), nu / (nu + star)
        powers = sum(b1**m * b2 ** (k - 1 - m) for m in range(k))
        ratio[i] = 1.0 - c * nu / ((nu + j[i]) * (nu + star)) * powers
    log_terms = log_binom - log_cj - log_one_minus + np.log(np.maximum(ratio, 1e-300))
    top = float(np.max(log_terms))
    log_sum = top + math.log(float(np.exp(log_terms - top).sum()))
    # P(wait) = 1 / (1 + (1 − σ) Σ terms)
    return float(math.exp(-np.logaddexp(0.0, math.log1p(-sigma) + log_sum)))


@lru_cache(maxsize=256)
def _server_counts(c: int) -> tuple[Floats, Floats]:
    """j = 1..c and log C(c, j), read-only (every E_k/M/c wait probability with c servers)."""
    j = np.arange(1, c + 1, dtype=np.float64)
    log_binom = gammaln(c + 1.0) - gammaln(j + 1.0) - gammaln(c - j + 1.0)
    j.flags.writeable = False
    log_binom.flags.writeable = False
    return j, log_binom


@lru_cache(maxsize=4096)
def erlang_k_bounded_arrivals(k: int, c: int, rho: float, limit: int) -> tuple[float, ...]:
    """The number an arrival finds (levels 0..c + limit; an arrival at the top is
    rejected) in the E_k/M/c queue with ``limit`` waiting places, exactly, by linear level
    reduction of its quasi-birth–death chain (Latouche & Ramaswami, *Introduction to Matrix
    Analytic Methods in Stochastic Modeling*, 1999, §10.2) in O((c + limit)·k²) work.

    States (level j, arrival phase p); the phase advances at ν = kλ', an arrival (from
    phase k − 1) raises the level, a completion at rate d_j = min(j, c)μ lowers it. The
    only transition up is from phase k − 1 to phase 0, so the reduction from the top is
    rank one: π_j = π_{j−1}[k − 1] · v_j, the row v_j solving v_j (L_j + d_{j+1} e_{k−1}
    v_{j+1}) = −ν e_0, L_j the bidiagonal level block. Written out, with a = ν/(ν + d_j),
    g = d_{j+1}/(ν + d_j), h_i = Σ_{l≤i} a^(i−l) v_{j+1,l}:

        t = v_j,k−1 = ν a^(k−1) / (d_j + d_{j+1} Σ_{l≤k−2} (1 − a^(k−1−l)) v_{j+1,l}),
        v_j,i = a^(i+1) + t g h_i  (i < k − 1),

    the denominator written, as in the Grassmann–Taksar–Heyman algorithm, as a sum of
    positive terms from the cut balance d_{j+1} Σ v_{j+1} = ν (no cancellation, so the
    reduction keeps full relative accuracy in both light and heavy load). At the top the
    rejected arrival restarts the phase: v_K,i = a^(i+1)/(1 − a^k). An arrival finds level
    j with probability ∝ π_j[k − 1] = π_0[k − 1] Π_{i≤j} t_i. Above c every level has the
    same map; once it reaches its fixed point the remaining levels repeat it."""
    nu = k * c * rho  # time in units of 1/μ
    top = c + limit
    phases = np.arange(k, dtype=np.float64)
    head = phases[:-1]  # l = 0..k − 2
    lower = np.subtract.outer(head, phases)  # i − l for rows i < k − 1
    log_t = np.zeros(top + 1)

    def level_map(d: float, d_up: float) -> tuple[float, Floats, Floats, Floats]:
        a = nu / (nu + d)
        weights = -np.expm1((k - 1.0 - head) * math.log(a))
        geometric = np.where(lower >= 0, a ** np.maximum(lower, 0.0), 0.0)
        return a, weights * d_up, geometric * (d_up / (nu + d)), a ** (head + 1.0)

    def reduce(v: Floats, d: float, maps: tuple[float, Floats, Floats, Floats]) -> tuple[float, Floats]:
        a, weights, geometric, apow = maps
        t = nu * a ** (k - 1) / (d + float(weights @ v[:-1]))
        out = np.empty(k)
        out[:-1] = apow + t * (geometric @ v)
        out[-1] = t
        return t, out

    a = nu / (nu + c)
    v = a ** (phases + 1.0) / -math.expm1(k * math.log(a))
    log_t[top] = math.log(float(v[-1]))
    level = top - 1
    if level >= c:  # the all-busy levels: d_j = d_{j+1} = c
        maps = level_map(c, c)
        previous = -1.0
        while level >= c:
            t, v = reduce(v, c, maps)
            log_t[level] = math.log(t)
            level -= 1
            if abs(t - previous) <= 1e-15 * t:  # the fixed point: every lower level repeats it
                log_t[c : level + 1] = math.log(t)
                level = c - 1
                break
            previous = t
    vs = [float(x) for x in v]
    for j in range(level, 0, -1):  # below c: d_j = j, d_{j+1} = min(j + 1, c); scalar work
        a = nu / (nu + j)
        d_up = min(j + 1, c)
        g = d_up / (nu + j)
        denom = 0.0
        for i in range(k - 1):
            denom += -math.expm1((k - 1 - i) * math.log(a)) * vs[i]
        t = nu * a ** (k - 1) / (j + d_up * denom)
        h = 0.0
        ai = 1.0
        for i in range(k - 1):
            h = a * h + vs[i]
            ai *= a
            vs[i] = ai + t * g * h
        vs[k - 1] = t
        log_t[j] = math.log(t)
    log_found = np.cumsum(log_t)  # log_t[0] = 0: level 0 relative to itself
    found = np.exp(log_found - float(np.max(log_found)))
    return tuple((found / found.sum()).tolist())


def _bounded(at_arrival: Floats, c: int, mu: float) -> Solution:
    """Waits of accepted arrivals from the distribution of the number an arrival finds
    (levels 0..c + limit; the top level rejects)."""
    p_reject = float(at_arrival[-1])
    accepted = 1.0 - p_reject
    if accepted <= 0.0:
        return Solution(UNSTABLE_WAIT, 1.0)
    queued = at_arrival[c:-1] / accepted
    kept = np.flatnonzero(queued >= NEGLIGIBLE)
    ahead = tuple(queued[: kept[-1] + 1].tolist()) if kept.size else ()
    p_wait = math.fsum(ahead)
    if p_wait <= 0.0:
        return Solution(NO_WAIT, p_reject)
    return Solution(WaitDistribution(p_wait, c * mu, ahead), p_reject)


def pooled_queue(lam: float, mu: float, servers: int, limit: int | None) -> Solution:
    """One pooled M/M/c queue (M/M/c/K with K = c + limit when bounded)."""
    if lam <= 0.0:
        return Solution(NO_WAIT)
    if limit is None:
        q = erlang_c(lam, mu, servers)
        if not q.stable:
            return Solution(UNSTABLE_WAIT)
        return Solution(WaitDistribution(q.p_wait, servers * mu - lam))
    if lam < servers * mu:
        free = pooled_queue(lam, mu, servers, None)
        if free.wait.p_wait * (lam / (servers * mu)) ** limit < NEGLIGIBLE:
            return free  # the queue never gets near its limit
    # birth–death: p_j ∝ Π λ/(min(i, c)μ), in logs
    logs = [0.0]
    for j in range(1, servers + limit + 1):
        logs.append(logs[-1] + math.log(lam / (min(j, servers) * mu)))
    top = max(logs)
    p = np.exp(np.array(logs) - top)
    return _bounded(p / p.sum(), servers, mu)


def power_of_two_queue(lam: float, mu: float, replicas: int, c: int, limit: int | None) -> Solution:
    """Mean-field power-of-two-choices with c servers per replica (module docstring);
    ≤ 2 replicas: both are always compared, which is :func:`pooled_queue`.

    Summing the balance equations from level i up gives λ(s_{i−1}² − s_K²) =
    μ Σ_{j=i}^{K} min(j, c)(s_j − s_{j+1}) with K the top level (c + limit; without a limit
    K = c, where λ s_{c−1}² = cμ s_c, and above c s_i = ρ s_{i−1}²). Given s_K the levels
    follow downwards; s_K is the root of s_0 = 1."""
    if replicas <= 2:
        return pooled_queue(lam, mu, replicas * c, None if limit is None else replicas * limit)
    lam_r = lam / replicas
    if lam_r <= 0.0:
        return Solution(NO_WAIT)
    rho = lam_r / (c * mu)
    if limit is None and rho >= 1.0:
        return Solution(UNSTABLE_WAIT)
    if limit is not None and rho < 1.0:
        free = power_of_two_queue(lam, mu, replicas, c, None)
        if len(free.wait.ahead) < limit:  # the queue never gets near its limit
            return free
    top = c + (limit or 0)

    def shoot(log_s: float) -> Floats:
        s = np.zeros(top + 2)
        s[top] = math.exp(log_s)
        sk2 = s[top] ** 2 if limit is not None else 0.0
        acc = 0.0
        for i in range(top, 0, -1):
            acc += min(i, c) * (s[i] - s[i + 1])
            s[i - 1] = math.sqrt(sk2 + mu * acc / lam_r)
        return s

    log_top = float(brentq(lambda x: shoot(x)[0] - 1.0, -1400.0, 0.0, xtol=1e-13))
    s = list(shoot(log_top)[: top + 1])
    if limit is None:  # the doubly exponential tail above c
        while s[-1] > NEGLIGIBLE:
            s.append(rho * s[-1] ** 2)
        s.append(0.0)
    else:
        s.append(0.0)
    arr = np.clip(np.array(s) / s[0], 0.0, 1.0)
    found = arr[:-1] ** 2 - arr[1:] ** 2  # an arrival finds i requests (i = top: rejected)
    if limit is None:
        found = np.append(found, 0.0)
    return _bounded(np.clip(found, 0.0, None), c, mu)


# ------------------------------------------------------------------ one service


@dataclass(frozen=True)
class QueueState:
    """The queue of one service at a replica count (rates per second, times in seconds)."""

    model: str
    """The queueing model used, e.g. "GI/M/1 (Erlang-4 arrivals, round robin)"."""
    utilisation: float
    """ρ = λ × mean holding time / (replicas × concurrency); ≥ 1 without a queue limit: unstable."""
    p_wait: float
    wq: float
    """Mean wait in the queue (inf when unstable)."""
    p_reject: float
    """Probability that an arrival finds the queue full (queue_limit), a failed try."""
    breaking_rate: float
    """Arrival rate (req/s) at which the service saturates: replicas × concurrency / holding time."""
    wait: WaitDistribution = field(default=NO_WAIT, repr=False)
    arrival_rate: float = 0.0
    holding_time: float = 0.0
    holding_scv: float = 1.0
    replicas: int = 0
    concurrency: int = 0

    json_extra: ClassVar[tuple[str, ...]] = ("stable", "wq_p99")

    @property
    def stable(self) -> bool:
        """Whether the queue has a steady state (not UNSTABLE)."""
        return not self.wait.unstable

    @cached_property
    def wq_p99(self) -> float:
        """99th percentile of the wait (inf when unstable)."""
        return self.wait.quantile(0.99)


def model_name(lb: str, replicas: int, concurrency: int, scv: float, limit: int | None) -> str:
    """The name of the queueing model used for a service (printed by ``analyze``)."""
    exp = abs(scv - 1.0) < 1e-9
    svc = "M" if exp else "G"
    if lb == "round_robin" and replicas > 1:
        name = f"GI/{svc}/{concurrency} (Erlang-{replicas} arrivals, round robin"
    elif lb == "power_of_two" and replicas > 2:
        name = f"M/{svc}/{concurrency} × {replicas} (power of two, mean-field"
    elif lb != "round_robin" and replicas > 1:
        word = "least requests" if lb == "least_requests" else "power of two"
        name = f"M/{svc}/{concurrency} × {replicas} ({word}: join the shortest queue"
    else:
        name = f"M/{svc}/{concurrency} ("
        name += "one replica"
    if not exp:
        name += "; Allen–Cunneen"
    if limit is not None:
        name += f"; queue limit {limit}"
    return name + ")"


def service_queue(
    lam: float,
    holding: float,
    scv: float,
    replicas: int,
    concurrency: int,
    load_balancing: str,
    queue_limit: int | None,
    population: int | None = None,
    arrival_scv: float = 1.0,
    smoothed_by: str | None = None,
) -> QueueState:
    """The queue of a service receiving traffic at ``lam`` whose requests hold a slot for
    ``holding`` seconds on average (squared coefficient of variation ``scv``).

    ``arrival_scv``: the squared coefficient of variation of the inter-arrival times (1:
    Poisson; see :func:`arrival_variability`), applied by the Allen–Cunneen factor.
    ``smoothed_by``: the service whose deterministic departures alone feed this one so
    that no arrival ever waits (:func:`arrival_variability`): no queue.

    ``population``: at most this many requests can be at the service at once, because
    every request comes from a caller's busy slot (:func:`caller_population`); the queue
    is then truncated there (the truncated M/·/c/K distribution) without rejections — a
    request that finds every caller slot busy waits in the caller's queue instead."""
    name = model_name(load_balancing, replicas, concurrency, scv, queue_limit)
    servers = replicas * concurrency
    breaking = servers / holding if holding > 0 else math.inf
    common: dict[str, Any] = {"arrival_rate": lam, "holding_time": holding, "holding_scv": scv,
                              "replicas": replicas, "concurrency": concurrency}
    if not math.isfinite(holding):
        return QueueState(name, math.inf, 1.0, math.inf, 0.0, 0.0, UNSTABLE_WAIT, **common)
    rho = lam * holding / servers if servers > 0 else (math.inf if lam > 0 else 0.0)
    if lam <= 0.0 or holding <= 0.0:
        return QueueState(name, rho if lam > 0 else 0.0, 0.0, 0.0, 0.0, breaking, NO_WAIT, **common)
    if servers <= 0:
        return QueueState(name, math.inf, 1.0, math.inf, 1.0, 0.0, UNSTABLE_WAIT, **common)
    mu = 1.0 / holding
    pooled = load_balancing == "least_requests" or (load_balancing == "power_of_two" and replicas <= 2)
    # queue places: per replica, or of the pool; the callers' population bounds them too
    limit = None if queue_limit is None else (replicas * queue_limit if pooled else queue_limit)
    by_callers = False
    if population is not None:
        room = population - servers if pooled else population - concurrency
        room = max(0, room)
        if limit is None or room < limit:
            limit, by_callers = room, True
    if smoothed_by is not None:
        sol = Solution(NO_WAIT)
        name = name[:-1] + f"; smoothed by {smoothed_by}'s departures: never waits)"
    elif by_callers and limit == 0:
        sol = Solution(NO_WAIT)
    elif (load_balancing == "round_robin" and by_callers
          and _never_waits_bounded(lam, mu, replicas, concurrency)):
        sol = Solution(NO_WAIT)  # what the bounded chain gives, without solving it
    elif load_balancing == "round_robin":
        sol = round_robin_queue(lam, mu, replicas, concurrency, limit)
    elif pooled:  # join the shortest queue: the pool's states, each replica's wait
        from meshwright.analysis.jsq import jsq_from_pool

        sol = jsq_from_pool(pooled_queue(lam, mu, servers, limit), mu, replicas, concurrency)
    else:
        sol = power_of_two_queue(lam, mu, replicas, concurrency, limit)
    # the arrival variability the exact model assumes (Erlang-k per replica under round
    # robin of a Poisson stream) and the one the service gets (a round-robin replica takes
    # every k-th arrival: c² / k)
    rr = load_balancing == "round_robin"
    ca2 = 1.0 / replicas if rr else 1.0
    ca2_in = arrival_scv / replicas if rr else arrival_scv
    if by_callers:
        sol = Solution(sol.wait, 0.0)
        if limit == 0 or sol.wait.ahead:  # the truncation binds (else the free queue was used)
            name = name[:-1] + f"; ≤ {population} in flight from callers)"
    if smoothed_by is None and abs(arrival_scv - 1.0) > 1e-9:
        name = name[:-1] + f"; arrivals c² {arrival_scv:.2f})"
    w = sol.wait
    free = not w.ahead and sol.p_reject == 0.0  # no queue limit, or one never reached
    if rr and free and scv <= DETERMINISTIC_SCV and not w.unstable and w.p_wait > 0.0:
        # deterministic holding: the exact E_k/D/c wait, Allen–Cunneen only for arrivals
        # that are not Poisson (the ratio (c_a,in² + 0)/(c_a² + 0) = arrival_scv)
        d = deterministic_round_robin_wait(lam, holding, replicas, concurrency)
        w = WaitDistribution(d.p_wait, d.rate, (), arrival_scv, d.shape) if d.p_wait > 0.0 else d
        name = name.replace(f"GI/G/{concurrency} (", f"GI/D/{concurrency} (exact E_k/D/c wait; ", 1)
        name = name.replace(f"M/G/{concurrency} (", f"M/D/{concurrency} (exact wait; ", 1)
        name = name.replace("; Allen–Cunneen", "")
    elif rr and not free and not by_callers and scv <= DETERMINISTIC_SCV and limit is not None and (
            capped := deterministic_capped_queue(lam, holding, replicas, concurrency, limit)) is not None:
        # deterministic holding, a queue limit that is reached: Tijms' M/G/c/K from the
        # exact E_k/D/c law; non-Poisson arrivals scale the waits as above
        sol, d = capped, capped.wait
        if d.p_wait > 0.0:
            d = DeterministicCompletions(d.p_wait, d.rate, d.ahead, d.scale * arrival_scv, c=d.slots)
        w = d
        name = name.replace(f"GI/G/{concurrency} (", f"GI/D/{concurrency} (E_k/D/c with Tijms' limit; ", 1)
        name = name.replace(f"M/G/{concurrency} (", f"M/D/{concurrency} (Tijms' limit; ", 1)
        name = name.replace("; Allen–Cunneen", "")
    elif not w.unstable and (abs(scv - 1.0) > 1e-9 or abs(arrival_scv - 1.0) > 1e-9):
        shape = 1.0 if w.ahead else wait_shape(1.0 - w.rate / (concurrency * mu), concurrency, scv)
        w = WaitDistribution(w.p_wait, w.rate, w.ahead, (ca2_in + scv) / (ca2 + 1.0), shape)
    return QueueState(name, rho, w.p_wait, w.mean(), sol.p_reject, breaking, w, **common)


def _never_waits_bounded(lam: float, mu: float, replicas: int, c: int) -> bool:
    """Whether a round-robin replica truncated by its callers' population (whose
    rejections do not count: ``service_queue``) is certainly NO_WAIT, so the bounded chain
    need not be solved — :func:`round_robin_queue` solves it whenever the free E_k/M/c
    queue is NO_WAIT (k ≥ 2; its rate is infinite, so its shortcut test is NaN).

    The bounded chain's count is at most the free chain's at all times (the same arrivals,
    completions at min(n, c)μ: the usual coupling), so its arrivals find c or more with at
    most the free P(wait); below NEGLIGIBLE / 2 every queued level of :func:`_bounded`,
    divided by the accepted share, stays below NEGLIGIBLE: NO_WAIT. Only where the bounded
    chain has the free one's arrival phases (k ≤ BOUNDED_CHAIN_PHASES)."""
    k = max(1, replicas)
    if k == 1 or k > BOUNDED_CHAIN_PHASES:
        return False
    rho = lam / k / (c * mu)  # as round_robin_queue computes it
    if rho >= 1.0:
        return False
    return erlang_k_wait_probability(k, c, rho, erlang_k_root(k, c, rho)) < NEGLIGIBLE / 2.0


def wait_shape(ratio: float, c: int, service_scv: float) -> float:
    """The Gamma shape of a waiting request's wait in a replica of ``c`` slots whose
    exact ·/M/c model has a geometric number M of completions ahead, P(M = m) ∝ r^(m−1)
    (``ratio`` r: σ under round robin, ρ for one replica, ρ^K under join the shortest
    queue), when the holding time's squared coefficient of variation is ``service_scv``.

    The wait is M inter-completion times X of the c busy slots; with exponential holding
    X is exponential and the wait exponential (shape 1). Otherwise X has mean 1/(cμ) and,
    the departures of c busy slots being the superposition of c renewal streams, c² ≈ 1 +
    (c_s² − 1)/c (Whitt's QNA superposition, "The Queueing Network Analyzer", 1983, §4.1).
    A geometric sum has c²_W = E[M]⁻¹ c²_X + Var M / E[M]² = (1 − r) c²_X + r; the wait is
    taken as Gamma with that c² (its mean is Allen–Cunneen's): lighter-tailed than the
    exponential for deterministic holding (M/D/c), heavier for lognormal."""
    r = min(1.0, max(0.0, ratio))
    x = max(0.0, 1.0 + (service_scv - 1.0) / max(1, c))
    cv2 = (1.0 - r) * x + r
    return 1.0 / max(cv2, 1e-3)


DETERMINISTIC_SCV = 1e-9
"""A holding time whose squared coefficient of variation is at most this is deterministic."""
DETERMINISTIC_PHASES = 4_096
"""Most Erlang phases of the lag-c arrivals in :func:`erlang_k_deterministic_wait` (above
it the arrivals are taken as Erlang-4096, inter-arrival CV 1/64: as good as regular)."""


@lru_cache(maxsize=4096)
def erlang_k_deterministic_wait(k: int, c: int, rho: float) -> tuple[float, float, float]:
    """P(wait), E[W] and E[W²] (time in units of the service time D) of the E_k/D/c queue
    (Erlang-k inter-arrivals, c servers of deterministic service, ρ = λ'D/c < 1), exactly.

    With deterministic service and FIFO, customer n takes the slot customer n − c leaves,
    so W_n = max(0, W_{n−c} + D − T_n), T_n the sum of the c inter-arrival times between
    them: every c-th customer's wait is a GI/D/1 Lindley recursion whose inter-arrival time
    is Erlang-m, m = kc, of rate β = mρ (mean 1/ρ). Its spectral (Wiener–Hopf) solution
    (Kleinrock, *Queueing Systems* Vol. 1, 1975, §8.2) factors f(s) = β^m e^(−s) − (β − s)^m,
    which has the root 0 and m − 1 roots s_j in Re s > 0, one for each m-th root of unity
    ω_j ≠ 1: s_j = β(1 − ω_j e^(−s_j/m)) (a contraction of factor ≤ ρ there, solved by
    Newton's method). Then W*(s) = f₁ s Π(s − s_j) / (Π(−s_j) f(s)) with f(s) = f₁s + f₂s² +
    f₃s³ + …, so

        P(W = 0) = m β^(m−1) (1 − ρ) / Π s_j,
        E[W] = Σ 1/s_j + f₂/f₁,
        E[W²] = E[W]² − Σ 1/s_j² − 2 f₃/f₁ + (f₂/f₁)².

    One replica (k = 1) is M/D/c; m = 1 gives M/D/1's P(wait) = ρ, E[W] = ρ/(2(1 − ρ))."""
    m = min(k * c, DETERMINISTIC_PHASES)
    beta = m * rho
    log_p0 = math.log(m) + math.log1p(-rho)
    s1 = s2 = 0.0
    if m > 1:
        omega = np.exp(2j * np.pi * np.arange(1, m) / m)
        s = beta * (1.0 - omega)
        for _ in range(100):
            e = omega * np.exp(-s / m)
            step = (s - beta * (1.0 - e)) / (1.0 - rho * e)
            s = s - step
            if float(np.max(np.abs(step) / np.abs(s))) < 1e-14:
                break
        log_p0 += (m - 1) * math.log(beta) - float(np.sum(np.log(s)).real)
        s1 = float(np.sum(1.0 / s).real)
        s2 = float(np.sum(1.0 / s**2).real)
    # the Taylor coefficients f₁, f₂, f₃ of f at 0, divided by β^(m−1) (cancels in the ratios)
    f1 = m - beta
    f2 = (beta - m * (m - 1) / beta) / 2.0
    f3 = (-beta + m * (m - 1) * (m - 2) / beta**2) / 6.0
    p_wait = -math.expm1(min(0.0, log_p0))
    mean = s1 + f2 / f1
    second = mean * mean - s2 - 2.0 * f3 / f1 + (f2 / f1) ** 2
    return p_wait, max(mean, 0.0), max(second, 0.0)


def deterministic_round_robin_wait(lam: float, holding: float, replicas: int, c: int) -> WaitDistribution:
    """The wait in one replica of ``replicas`` under round robin of a Poisson stream at
    ``lam`` when every request holds its slot for exactly ``holding`` seconds: the exact
    E_k/D/c P(wait), mean and second moment (:func:`erlang_k_deterministic_wait`), the
    conditional wait Gamma-shaped with that mean and variance. Used instead of the
    E_k/M/c model with the Allen–Cunneen factor, which keeps the exponential service's
    P(wait) (at ρ 0.31 over 3 replicas × 2 slots 4.7 %, where 1.2 % of these arrivals wait)."""
    k = max(1, replicas)
    rho = lam * holding / (k * c)
    if rho <= 0.0:
        return NO_WAIT
    if rho >= 1.0:
        return UNSTABLE_WAIT
    p_wait, mean, second = erlang_k_deterministic_wait(k, c, rho)
    if p_wait < NEGLIGIBLE or mean <= 0.0:
        return NO_WAIT
    cond_mean = mean / p_wait
    cv2 = max(second / p_wait / cond_mean**2 - 1.0, 1e-3)
    return WaitDistribution(p_wait, 1.0 / (cond_mean * holding), shape=1.0 / cv2)


DETERMINISTIC_CHAIN_WORK = 2e7
"""Most work (states × band²) of the direct solve in :func:`erlang_k_deterministic_levels`;
past it — utilisation near 1, many phases or slots — a capped deterministic queue keeps
the exponential chain."""


DENSE_STATES = 400
"""Up to this many states the chain of :func:`erlang_k_deterministic_levels` is solved densely."""


@lru_cache(maxsize=1024)
def erlang_k_deterministic_levels(
    k: int, c: int, rho: float, top: int
) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """The number in system of the E_k/D/c queue without a limit (ρ < 1), levels 0..top − 1
    and ≥ top lumped: (seen by arrivals, time-average); None when the chain is too large.

    Crommelin's observation: with deterministic service D every request in service at t
    has left by t + D and every waiting one has started, so N(t + D) = max(N(t) − c, 0) +
    A(t, t + D]. With the Erlang arrival phase p this is a Markov chain sampled every D;
    the phases completed in D are Poisson(kλ'D), so on x = N·k + p one step is
    x ↦ max(x − ck, x mod k) + Poisson(kcρ), solved (sparse LU) on levels up to a bound
    grown fourfold until the mass above it is negligible. Sampled at any fixed offset the
    stationary chain has the time-stationary law; arrivals leave phase k − 1 at the phase
    rate, so they see the law given p = k − 1."""
    nu = k * c * rho
    spread = int(nu + 12.0 * math.sqrt(nu) + 30.0)
    m = np.arange(spread + 1)
    pmf = np.exp(m * math.log(nu) - nu - np.asarray(gammaln(m + 1.0), dtype=np.float64))
    band = spread + c * k
    levels = top + 20 * c
    while True:
        size = (levels + 1) * k
        if size * float(band) ** 2 > DETERMINISTIC_CHAIN_WORK:
            return None
        x = np.arange(size)
        folded = np.maximum(x - c * k, x % k)
        src = np.repeat(x, spread + 1)
        dst = np.minimum((folded[:, None] + m[None, :]).ravel(), size - 1)
        vals = np.tile(pmf, size)
        # π (P − I) = 0 as (P − I)ᵀ πᵀ = 0 with π_0 = 1 (the first equation is redundant):
        # a banded system, solved without fill-in outside the band
        if size <= DENSE_STATES:  # numpy only: SciPy's sparse solver takes ~1 s to import
            dense = -np.eye(size)
            np.add.at(dense, (dst, src), vals)
            rest = np.linalg.solve(dense[1:, 1:], -dense[1:, 0])
        else:
            from scipy.sparse import coo_matrix
            from scipy.sparse.linalg import spsolve

            rows, cols = np.concatenate([dst, x]), np.concatenate([src, x])
            data = np.concatenate([vals, -np.ones(size)])
            a = coo_matrix((data, (rows, cols)), shape=(size, size)).tocsc()
            rest = spsolve(a[1:, 1:], -a[1:, 0].toarray().ravel(), permc_spec="NATURAL")
        pi = np.clip(np.concatenate([[1.0], np.asarray(rest, dtype=np.float64)]), 0.0, None)
        pi = pi.reshape(levels + 1, k)
        pi /= pi.sum()
        if pi[-2 * c :].sum() < 1e-12:
            break
        levels *= 4
    arrivals = pi[:, k - 1] / pi[:, k - 1].sum()
    total = pi.sum(axis=1)

    def lump(v: Floats) -> tuple[float, ...]:
        return (*v[:top].tolist(), float(v[top:].sum()))

    return lump(arrivals), lump(total)


def deterministic_capped_queue(
    lam: float, holding: float, replicas: int, c: int, limit: int
) -> Solution | None:
    """One replica of ``replicas`` under round robin of a Poisson stream, c slots of
    deterministic holding, at most ``limit`` waiting (K = c + limit in system); None when
    ρ ≥ 1 or the chain is too large (the exponential chain is used then).

    Tijms' approximation for the M/G/c/c+N queue (*A First Course in Stochastic Models*,
    2003, §5.x and §9.x): the probabilities below K are those of the queue without a limit
    times one constant γ, and the carried load λ(1 − P_K)D = E[busy slots] fixes γ =
    1/(1 − ρP∞(N ≥ K)), so P_K = (1 − ρ)P∞(N ≥ K)/(1 − ρP∞(N ≥ K)) — exact for M/G/1/K,
    here with the E_k/D/c law (:func:`erlang_k_deterministic_levels`; arrivals'
    view for the rejections and the number found, time average for the mean queue). An
    admitted request's wait is that of the completions ahead of it among c deterministic
    slots (:class:`DeterministicCompletions`), scaled to the mean queue by Little's law:
    E[Lq] / (λ'(1 − P_K))."""
    k = max(1, replicas)
    lam_r = lam / k
    rho = lam_r * holding / c
    top = c + limit
    if rho >= 1.0 or rho <= 0.0:
        return None
    law = erlang_k_deterministic_levels(min(k, BOUNDED_CHAIN_PHASES), c, rho, top)
    if law is None:
        return None
    seen, time_avg = (np.asarray(v) for v in law)
    gamma_seen = 1.0 / (1.0 - rho * seen[-1])
    found = np.append(gamma_seen * seen[:-1], 0.0)
    found[-1] = max(0.0, 1.0 - float(found.sum()))
    sol = _bounded(found, c, 1.0 / holding)
    if sol.wait.p_wait <= 0.0:
        return sol
    w = sol.wait
    sol = Solution(DeterministicCompletions(w.p_wait, w.rate, w.ahead, c=c), sol.p_reject)
    gamma_time = 1.0 / (1.0 - rho * time_avg[-1])
    queue = np.arange(top) - c
    full = 1.0 - gamma_time * (1.0 - time_avg[-1])  # the time-average P(N = K)
    lq = gamma_time * float(np.dot(np.maximum(queue, 0), time_avg[:-1])) + limit * full
    target = lq / (lam_r * (1.0 - sol.p_reject))
    w = sol.wait
    return Solution(DeterministicCompletions(w.p_wait, w.rate, w.ahead, target / w.mean(), c=c), sol.p_reject)


# ------------------------------------------------------------------ refusals over time


def refusal_memory(svc: Service, q: QueueState) -> Callable[[float], float] | None:
    """``callpolicy.Memory`` of a service's full queue: P(full at d | full at 0), the
    chance that a retry ``d`` seconds after a refusal is refused again (None: a retry is
    independent of the refusal).

    The queue a refused request met is one birth–death chain (arrivals λ, completions
    min(n, c)μ, full at N = c + limit): one replica, or the pool under least requests (and
    power of two over ≤ 2 replicas). Round robin over several replicas, and power of two
    over more, send the retry to another replica: independent. The chain is reversible, so
    D^½ Q D^−½ (D = diag π) is a symmetric tridiagonal matrix with eigenpairs (θ_j, v_j)
    and P_NN(d) = Σ_j v_Nj² e^(θ_j d) — exact for Poisson arrivals and exponential holding
    times (Keilson, *Markov Chain Models — Rarity and Exponentiality*, 1979, §5): 1 at
    d = 0, and it decays to the rejection probability π_N over the chain's relaxation
    time 1/|θ_1|."""
    rt = svc.runtime
    if q.p_reject <= 0.0 or rt.queue_limit is None or q.holding_time <= 0.0:
        return None
    lb, replicas = rt.load_balancing, max(1, q.replicas)
    pooled = lb == "least_requests" or (lb == "power_of_two" and replicas <= 2)
    if replicas > 1 and not pooled:
        return None
    servers = q.concurrency * (replicas if pooled else 1)
    places = servers + rt.queue_limit * (replicas if pooled else 1)
    if places > 4_000:  # a chain this long relaxes slowly but is never full in practice
        return None
    theta, weight = _chain_spectrum(q.arrival_rate, 1.0 / q.holding_time, servers, places)

    def memory(d: float) -> float:
        return float(min(1.0, np.dot(weight, np.exp(theta * max(0.0, d)))))

    return memory


@lru_cache(maxsize=1024)
def _chain_spectrum(lam: float, mu: float, servers: int, places: int) -> tuple[Floats, Floats]:
    """Eigenvalues θ_j of the symmetrised birth–death generator of levels 0..places and the
    squared top components v_Nj² (see :func:`refusal_memory`)."""
    from scipy.linalg import eigh_tridiagonal

    levels = np.arange(places + 1, dtype=np.float64)
    births = np.where(levels < places, lam, 0.0)
    deaths = np.minimum(levels, servers) * mu
    diagonal = -(births + deaths)
    off = np.sqrt(births[:-1] * deaths[1:])
    theta, vectors = eigh_tridiagonal(diagonal, off)
    return np.minimum(theta, 0.0), vectors[-1] ** 2


# ------------------------------------------------------------------ arrival rates


def expected_tries(attempts: int, failure_rate: float) -> float:
    """Expected tries of a call with ``attempts`` tries that are all retried, each failing
    independently with probability p: (1 − p^attempts) / (1 − p) — the closed form that
    ``callpolicy.expected_tries`` reduces to for fail-fast errors (kept for the formulas)."""
    if failure_rate >= 1.0:
        return float(attempts)
    return (1.0 - failure_rate**attempts) / (1.0 - failure_rate)


def _try_mix(failure_rate: float, rejected: Mapping[str, float], edge: Edge) -> callpolicy.Mix:
    """One try's failure mix: refused by the callee's full queue (``unavailable``), else
    failing with the assumed ``failure_rate`` (``error``) — ``callpolicy.proxy_mix``."""
    return callpolicy.proxy_mix(edge.call, failure_rate, None, rejected.get(edge.callee_service, 0.0))


def offered_rates(
    model: Model, failure_rate: float = 0.0, rejected: Mapping[str, float] | None = None,
    memories: Mapping[str, callpolicy.Memory] | None = None,
) -> dict[str, float]:
    """Requests per second arriving at every operation — **the** arrival-rate definition.

    Entrypoint rates × per_request along every call × expected tries (from
    ``callpolicy.expected_tries``, which honours retry_on; each try fails with probability 1
    − (1 − failure_rate)(1 − the callee service's rejection probability)), plus fallback
    traffic (rate × per_request × P(all tries fail) to a call's fallback operation, solved
    as a fixed point since a fallback target may lie anywhere in the graph), plus topic
    traffic (a publisher's rate × its composed availability without queue rejections,
    handed to every consumer's handler; ``analysis.topics``). ``memories``: per refusing
    service, how a retry of a refusal depends on it (:func:`refusal_memory`); such a retry
    counts by its chance of admission (``callpolicy.CallOutcome.queue_load``)."""
    from meshwright.analysis.availability import composed_availability

    rej = rejected or {}
    mem = memories or {}
    avail = composed_availability(model, queues=False)  # rejections are solved here
    base = entry_rates(model)
    dag = call_dag(model)
    fallbacks = [
        e for es in dag.declared.values() for e in es
        if e.call.fallback and "." in e.call.fallback and e.call.fallback in dag.declared
    ]

    # a call's outcome depends only on its retry layers and timeout (its policy) and on the
    # try's mix, here set by (failure_rate, the callee's rejection): many calls share both,
    # so outcomes are memoised per model (per call of this function when a memory is in play)
    policies = _call_policies(model)
    shared: dict[tuple[Any, ...], callpolicy.CallOutcome] = memoised(model, "offered-outcomes", dict)
    local: dict[tuple[Any, ...], callpolicy.CallOutcome] = {}
    by_edge: dict[int, callpolicy.CallOutcome] = {}
    weights: dict[int, float] = {}

    def outcome(e: Edge) -> callpolicy.CallOutcome:
        hit = by_edge.get(id(e))
        if hit is not None:
            return hit
        policy, callee = policies[id(e.call)]
        p_reject = rej.get(callee, 0.0)
        memory = mem.get(callee)
        if memory is None:
            key: tuple[Any, ...] = (policy, failure_rate, p_reject)
            cache = shared
        else:
            key, cache = (policy, failure_rate, p_reject, id(memory)), local
        out = cache.get(key)
        if out is None:
            out = cache[key] = callpolicy.call_outcome(e.call, _try_mix(failure_rate, rej, e), memory=memory)
        by_edge[id(e)] = out
        return out

    def weight(e: Edge) -> float:  # callpolicy.expected_tries: the tries as queue load
        w = weights.get(id(e))
        if w is None:
            w = weights[id(e)] = e.call.per_request * outcome(e).queue_load
        return w

    rates = propagate_with_topics(model, base, weight, lambda op: avail[op].composed)
    for _ in range(MAX_ITERATIONS if fallbacks else 0):
        sources = dict(base)
        for e in fallbacks:
            p_fail = 1.0 - outcome(e).success
            target = str(e.call.fallback)
            sources[target] = sources.get(target, 0.0) + rates[e.caller] * e.call.per_request * p_fail
        new = propagate_with_topics(model, sources, weight, lambda op: avail[op].composed)
        done = all(abs(new[o] - rates[o]) <= TOLERANCE * max(1.0, rates[o]) for o in rates)
        rates = new
        if done:
            break
    return rates


def _call_policies(model: Model) -> dict[int, tuple[int, str]]:
    """Per call (by ``id`` of the model's ``Call``, which lives as long as the model, unlike
    a rebuilt DAG's edges): the index of its policy — the distinct (application layer, mesh
    layer, timeout) that ``callpolicy.call_outcome`` reads — and its callee service
    (memoised per model)."""

    def compute() -> dict[int, tuple[int, str]]:
        index: dict[tuple[Any, ...], int] = {}
        out: dict[int, tuple[int, str]] = {}
        for es in call_dag(model).declared.values():
            for e in es:
                sem = callpolicy.semantics(e.call)
                policy = index.setdefault((sem.app, sem.mesh, sem.timeout), len(index))
                out[id(e.call)] = (policy, e.callee_service)
        return out

    return memoised(model, "call-policies", compute)


# ------------------------------------------------------------------ holding times


def service_time_moments(st: ServiceTime) -> tuple[float, float]:
    """(mean, variance) of a service time."""
    m = st.mean
    if st.kind == "deterministic" or m == 0:
        return m, 0.0
    if st.kind == "exponential":
        return m, m * m
    _, sigma = lognormal_params(m, st.p99 if st.p99 is not None else m)
    return m, m * m * math.expm1(sigma * sigma)


def _max_moments(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """(mean, variance) of the larger of two independent times, by Clark's normal
    approximation ("The greatest of a finite set of random variables", Oper. Res. 9, 1961)."""
    (m1, v1), (m2, v2) = a, b
    if not (math.isfinite(m1) and math.isfinite(m2)):
        return math.inf, math.inf
    s = math.sqrt(v1 + v2)
    if s <= 0.0:
        return max(m1, m2), 0.0
    alpha = (m1 - m2) / s
    cdf = 0.5 * math.erfc(-alpha / math.sqrt(2.0))
    pdf = math.exp(-alpha * alpha / 2.0) / math.sqrt(2.0 * math.pi)
    mean = m1 * cdf + m2 * (1 - cdf) + s * pdf
    second = (m1 * m1 + v1) * cdf + (m2 * m2 + v2) * (1 - cdf) + (m1 + m2) * s * pdf
    return mean, max(0.0, second - mean * mean)


def _repeat(mv: tuple[float, float], k: float) -> tuple[float, float]:
    """⌊k⌋ independent copies plus one more with probability k − ⌊k⌋."""
    m, v = mv
    whole = math.floor(k)
    f = k - whole
    mean = k * m
    var = whole * v + f * (v + m * m) - (f * m) ** 2
    return mean, var


# ------------------------------------------------------------------ arrival variability


@dataclass(frozen=True)
class Arrivals:
    """The variability of a service's arrival stream."""

    scv: float = 1.0
    """Squared coefficient of variation of the inter-arrival times (1: Poisson)."""
    smoothed_by: str | None = None
    """A service whose deterministic departures alone feed this one, so regularly that no
    arrival waits (see :func:`arrival_variability`)."""


POISSON = Arrivals()


def departure_scv(utilisation: float, arrival_scv: float, service_scv: float, servers: int) -> float:
    """Squared coefficient of variation of a G/G/m station's inter-departure times, the
    linking equation of Whitt's Queueing Network Analyzer ("The Queueing Network
    Analyzer", Bell System Tech. J. 62(9), 1983, eq. 39):

        c_d² = 1 + (1 − ρ²)(c_a² − 1) + ρ² (c_s² − 1) / √m;

    for m = 1, ρ² c_s² + (1 − ρ²) c_a², exact for the M/G/1 interval (Var D = E[S²] +
    (1 − 2ρ²)/λ²); Poisson in and exponential service (Burke): 1."""
    rho = min(1.0, max(0.0, utilisation))
    m = max(1, servers)
    return max(0.0, 1.0 + (1.0 - rho * rho) * (arrival_scv - 1.0)
               + rho * rho * (service_scv - 1.0) / math.sqrt(m))


def thinned_scv(scv: float, fraction: float) -> float:
    """c² of a stream keeping each arrival of a stream of c² ``scv`` with probability
    ``fraction`` (QNA's splitting rule, Whitt 1983, eq. 40): f c² + 1 − f."""
    f = min(1.0, max(0.0, fraction))
    return f * scv + 1.0 - f


def arrival_variability(
    model: Model, rates: Mapping[str, float], queues: Mapping[str, QueueState],
    previous: Mapping[str, Arrivals],
) -> dict[str, Arrivals]:
    """Every service's arrival variability, QNA-style (Whitt 1983): a service's arrivals
    are the superposition of its streams, c_a² = Σ (λ_i/λ) c_i², a stream being

    - traffic from entrypoints and topics: Poisson (c² = 1);
    - a call of an operation's first call group: the caller operation's arrivals,
      passed through (its own work happens in a slot of its own: c² of the caller's
      stream, thinned to the operation's share);
    - a call made once, without retries, right after a one-call group whose call is made
      once without retries: the departures of that group's callee A for this traffic,
      :func:`departure_scv` of A (at A's utilisation, arrival c² and holding c²) thinned to
      the caller's share of A (:func:`thinned_scv`) — the second leaf of a sequential
      fan-out gets the first one's departures;
    - any other call (after a parallel group, repeated or retried): Poisson.

    The departures of a station whose holding time is deterministic (D_A) are spaced: each
    of its S_A = replicas × concurrency slots releases at most one request per D_A, so
    at most S_A leave in any window of length D_A. A service B fed *only* by such a
    stream, itself deterministic with D_B ≤ D_A and at least S_A slots (round robin: every
    k-th arrival to a replica of c slots, so ⌈S_A / k⌉ ≤ c; least requests: the pool),
    never has an arrival that finds all its slots busy: its wait is 0 exactly (a
    generalisation of the identical deterministic tandem, Friedman, "Reduction methods for
    tandem queuing systems", Oper. Res. 13, 1965). ``previous``: the last pass' values
    (the fixed point of :func:`queueing` iterates them)."""
    dag = call_dag(model)
    cut = {id(e) for e in dag.cut}
    streams: dict[str, list[tuple[float, float]]] = {}
    feeders: dict[str, list[tuple[float, Edge | None]]] = {}
    for op, groups in dag.groups.items():
        caller_rate = rates.get(op, 0.0)
        if caller_rate <= 0.0:
            continue
        caller = op.split(".", 1)[0]
        for g, group in enumerate(groups):
            for e in group:
                if id(e) in cut:
                    continue
                sem = callpolicy.semantics(e.call)
                lam = caller_rate * e.call.per_request * sem.max_tries  # only for the weights
                scv, source = 1.0, None
                simple = len(group) == 1 and e.call.per_request == 1.0 and sem.max_tries == 1
                if g == 0:
                    q = queues.get(caller)
                    share = caller_rate / q.arrival_rate if q is not None and q.arrival_rate > 0 else 1.0
                    scv = thinned_scv(previous.get(caller, POISSON).scv, share)
                elif simple and len(groups[g - 1]) == 1:
                    p = groups[g - 1][0]
                    psem = callpolicy.semantics(p.call)
                    qa = queues.get(p.callee_service)
                    if (id(p) not in cut and p.call.per_request == 1.0 and psem.max_tries == 1
                            and qa is not None and qa.arrival_rate > 0 and math.isfinite(qa.holding_time)):
                        c_d = departure_scv(qa.utilisation, previous.get(p.callee_service, POISSON).scv,
                                            qa.holding_scv, qa.replicas * qa.concurrency)
                        scv = thinned_scv(c_d, caller_rate / qa.arrival_rate)
                        source = p
                streams.setdefault(e.callee_service, []).append((lam, scv))
                feeders.setdefault(e.callee_service, []).append((lam, source))
    out: dict[str, Arrivals] = {}
    for name, q in queues.items():
        total = q.arrival_rate
        if total <= 0.0:
            out[name] = POISSON
            continue
        parts = streams.get(name, [])
        called = sum(lam for lam, _ in parts)
        poisson = max(0.0, total - called)
        scv = (sum(lam * c for lam, c in parts) + poisson) / max(total, called)
        out[name] = Arrivals(scv, _smoothing_source(model, name, q, queues, feeders.get(name, []), poisson))
    return out


def _smoothing_source(
    model: Model, name: str, q: QueueState, queues: Mapping[str, QueueState],
    feeders: list[tuple[float, Edge | None]], other: float,
) -> str | None:
    """The service A whose deterministic departures alone feed ``name`` so that no arrival
    of it waits (see :func:`arrival_variability`), or None."""
    if len(feeders) != 1 or other > 1e-9 * q.arrival_rate or feeders[0][1] is None:
        return None
    source = feeders[0][1].callee_service
    qa = queues.get(source)
    if qa is None or source == name or qa.holding_scv > 1e-12 or q.holding_scv > 1e-12:
        return None
    if q.holding_time > qa.holding_time * (1.0 + 1e-9):
        return None
    slots_a = qa.replicas * qa.concurrency
    lb = model.services[name].runtime.load_balancing
    if lb == "round_robin" or q.replicas == 1:
        fits = math.ceil(slots_a / max(1, q.replicas)) <= q.concurrency
    elif lb == "least_requests" or q.replicas <= 2:
        fits = slots_a <= q.replicas * q.concurrency
    else:
        fits = False
    return source if fits else None


# ------------------------------------------------------------------ the whole model


@dataclass(frozen=True)
class Queueing:
    """Queues of every service at the fixed point of rates, rejections and waits."""

    operation_rates: dict[str, float]
    services: dict[str, QueueState]
    holding: dict[str, tuple[float, float]]
    """(mean, variance) of every operation's time in service (own work + its calls)."""
    iterations: int = 0

    def wait(self, service: str) -> WaitDistribution:
        return self.services[service].wait


def service_holding(model: Model, rates: Mapping[str, float], holding: Mapping[str, tuple[float, float]],
                    name: str) -> tuple[float, float, float]:
    """(arrival rate, mean holding time, squared coefficient of variation) of a service:
    the rate-weighted mixture of its operations' holding times (equal weights idle)."""
    ops = _service_operations(model)[name]
    if not ops:
        return 0.0, 0.0, 1.0
    lam = sum(rates.get(o, 0.0) for o in ops)
    weights = [rates.get(o, 0.0) / lam for o in ops] if lam > 0 else [1.0 / len(ops)] * len(ops)
    mean = sum(w * holding[o][0] for w, o in zip(weights, ops, strict=True))
    if not math.isfinite(mean):
        return lam, math.inf, 1.0
    second = sum(w * (holding[o][1] + holding[o][0] ** 2) for w, o in zip(weights, ops, strict=True))
    scv = second / (mean * mean) - 1.0 if mean > 0 else 1.0
    return lam, mean, max(0.0, scv)


def _service_operations(model: Model) -> dict[str, tuple[str, ...]]:
    """Every service's operations ``service.op``, in model order (memoised per model)."""
    return memoised(model, "service-operations", lambda: {
        s: tuple(f"{s}.{o}" for _, o, _ in svc.operations()) for s, svc in model.services.items()
    })


def queue_of(
    svc: Service, lam: float, holding: float, scv: float, replicas: int | None = None,
    population: int | None = None, arrivals: Arrivals | None = None,
) -> QueueState:
    """:func:`service_queue` with the service's runtime (``replicas`` overrides the count;
    ``arrivals``: the arrival stream's variability, default Poisson)."""
    rt = svc.runtime
    a = arrivals or POISSON
    return service_queue(lam, holding, scv, rt.replicas if replicas is None else replicas,
                         rt.concurrency, rt.load_balancing, rt.queue_limit, population,
                         a.scv, a.smoothed_by)


def caller_population(model: Model) -> dict[str, int | None]:
    """Per service, how many requests can be at it at once when all its traffic comes from
    synchronous calls: Σ over calling services of replicas × concurrency × the calls to it
    one slot has in flight at most (a parallel group's copies); None (unbounded) for a
    service that entrypoints or topics feed, or that calls itself. Memoised per model."""
    return dict(memoised(model, "caller_population", lambda: _caller_population(model)))


def _caller_population(model: Model) -> dict[str, int | None]:
    from meshwright.analysis.topics import topic_flow

    dag = call_dag(model)
    flow = topic_flow(model)  # every topic edge, kept or cut (memoised; the rates walk it too)
    fed = {op.split(".", 1)[0] for op in entry_rates(model)}
    fed |= {t.handler.split(".", 1)[0] for ts in flow.edges.values() for t in ts}
    fed |= {t.handler.split(".", 1)[0] for t in flow.cut}
    per_caller: dict[tuple[str, str], int] = {}
    for op, groups in dag.groups.items():
        for group in groups:
            counts: dict[str, int] = {}
            for e in group:
                counts[e.callee_service] = counts.get(e.callee_service, 0) + (
                    math.ceil(e.call.per_request) if len(group) > 1 else 1
                )
            for callee, n in counts.items():
                key = (op.split(".", 1)[0], callee)
                per_caller[key] = max(per_caller.get(key, 0), n)
    by_callee: dict[str, list[tuple[str, int]]] = {}  # built once: services × calls is slow
    for (caller, callee), n in per_caller.items():
        by_callee.setdefault(callee, []).append((caller, n))
    out: dict[str, int | None] = {}
    for name in model.services:
        callers = by_callee.get(name, [])
        if name in fed or not callers or any(c == name for c, _ in callers):
            out[name] = None
            continue
        total = 0
        for c, n in callers:
            rt = model.services[c].runtime
            total += rt.replicas * rt.concurrency * n
        out[name] = total
    return out


def queueing(model: Model, failure_rate: float = 0.0) -> Queueing:
    """Every service's queue, with rates, rejections and waits solved together (memoised
    per model and failure rate)."""
    return memoised(model, f"queueing:{failure_rate!r}", lambda: _solve_model(model, failure_rate))


@dataclass(frozen=True)
class _SolvePlan:
    """The parts of the fixed point that depend on the model only (memoised per model)."""

    own: dict[str, tuple[float, float]]
    """(mean, variance) of every operation's own service time."""
    steps: tuple[tuple[str, tuple[float, float], tuple[tuple[tuple[str, str, bool, float], ...], ...],
                       str | None], ...]
    """Per operation in ``dag.order``: its name, own moments, its call groups as (callee
    service, callee operation, whether the call is cut, per_request), and the service whose
    last operation it is (solved right after it) or None."""
    idle: tuple[str, ...]
    """Services without operations (solved after the walk)."""


def _solve_plan(model: Model) -> _SolvePlan:
    def compute() -> _SolvePlan:
        dag = call_dag(model)
        cut = {id(e) for e in dag.cut}
        own = {
            f"{s}.{o}": service_time_moments(op.service_time)
            for s, svc in model.services.items()
            for _, o, op in svc.operations()
        }
        service = {op: op.split(".", 1)[0] for op in dag.order}
        last = {name: op for op, name in service.items()}  # each service's last operation in order
        steps = tuple(
            (
                op,
                own.get(op, (0.0, 0.0)),
                tuple(
                    tuple((e.callee_service, e.callee, id(e) in cut, e.call.per_request) for e in group)
                    for group in dag.groups[op]
                ),
                service[op] if last[service[op]] == op else None,
            )
            for op in dag.order
        )
        idle = tuple(name for name in model.services if name not in last)
        return _SolvePlan(own, steps, idle)

    return memoised(model, "queueing-plan", compute)


def _solve_model(model: Model, failure_rate: float) -> Queueing:
    plan = _solve_plan(model)
    own = plan.own
    population = caller_population(model)
    waits: dict[str, tuple[float, float]] = {s: (0.0, 0.0) for s in model.services}
    rejected: dict[str, float] = {}
    queues: dict[str, QueueState] = {}
    holding: dict[str, tuple[float, float]] = {}
    rates: dict[str, float] = {}
    it = 0
    rated: dict[str, float] | None = None  # the rejections the rates were computed at
    arrivals: dict[str, Arrivals] = {}
    for it in range(1, MAX_ITERATIONS + 1):
        if rated != rejected:  # rates depend only on the rejections (and their memory)
            memories = {
                s: mem for s in rejected
                if (mem := refusal_memory(model.services[s], queues[s])) is not None
            }
            rates = offered_rates(model, failure_rate, rejected, memories)
            rated = dict(rejected)
        # Gauss–Seidel: a service's queue is solved as soon as all its operations have
        # their holding time (callees come first in dag.order), so its callers read this
        # pass's wait and a call DAG converges in two passes
        before = dict(waits)
        if queues and it <= ARRIVAL_PASSES:  # the last pass' streams (Poisson at first)
            arrivals = _settled(arrivals, arrival_variability(model, rates, queues, arrivals))
        holding = {}
        queues = {}

        for op, (m, v), groups, solved in plan.steps:
            for group in groups:
                parts = []
                for callee_service, callee, is_cut, per_request in group:
                    wm, wv = waits[callee_service]
                    hm, hv = own[callee] if is_cut else holding[callee]
                    parts.append(_repeat((wm + hm, wv + hv), per_request))
                best = parts[0]
                for p in parts[1:]:
                    best = _max_moments(best, p)
                m, v = m + best[0], v + best[1]
            holding[op] = (m, v)
            if solved is not None:
                queues[solved], waits[solved] = _service_solution(model, solved, rates, holding, population,
                                                                  arrivals.get(solved))
        for name in plan.idle:
            queues[name], waits[name] = _service_solution(model, name, rates, holding, population,
                                                          arrivals.get(name))
        queues = {name: queues[name] for name in model.services}
        new_rej = {s: q.p_reject for s, q in queues.items() if q.p_reject > 0}
        done = _close(waits, before) and _close(
            {s: (r, 0.0) for s, r in new_rej.items()}, {s: (r, 0.0) for s, r in rejected.items()}
        )
        rejected = new_rej
        if done:
            break
    return Queueing(rates, queues, holding, it)


ARRIVAL_PASSES = 3
"""Passes after which the arrival variability is frozen (it is recomputed from the
previous pass' queues up to then; each pass costs a solve of every queue)."""
ARRIVAL_TOLERANCE = 1e-4
"""Change of every arrival c² below which the last pass' values are kept, so the waits
settle (a c² known to 1e-4 moves a wait by less than that, far inside the model's error)."""


def _settled(old: Mapping[str, Arrivals], new: dict[str, Arrivals]) -> dict[str, Arrivals]:
    """``old`` when no service's arrivals changed by more than :data:`ARRIVAL_TOLERANCE`."""
    if old.keys() == new.keys() and all(
        old[k].smoothed_by == a.smoothed_by and abs(old[k].scv - a.scv) <= ARRIVAL_TOLERANCE
        for k, a in new.items()
    ):
        return dict(old)
    return new


def _service_solution(
    model: Model, name: str, rates: Mapping[str, float], holding: Mapping[str, tuple[float, float]],
    population: Mapping[str, int | None], arrivals: Arrivals | None = None,
) -> tuple[QueueState, tuple[float, float]]:
    """A service's queue and the (mean, variance) of its wait. Memoised per model by its
    inputs: the solves at several failure rates, and the passes of one fixed point, meet
    the same (rate, holding time, c², population, arrivals) of a service again and again."""
    lam, h, scv = service_holding(model, rates, holding, name)
    solved: dict[tuple[Any, ...], tuple[QueueState, tuple[float, float]]] = memoised(
        model, "service-solutions", dict
    )
    key = (name, lam, h, scv, population[name], arrivals)
    hit = solved.get(key)
    if hit is not None:
        return hit
    q = queue_of(model.services[name], lam, h, scv, population=population[name], arrivals=arrivals)
    mean = q.wait.mean()
    second = q.wait.second_moment()
    out = solved[key] = q, (mean, second - mean * mean if math.isfinite(second) else math.inf)
    return out


def _close(a: Mapping[str, tuple[float, float]], b: Mapping[str, tuple[float, float]]) -> bool:
    for k in set(a) | set(b):
        x, y = a.get(k, (0.0, 0.0))[0], b.get(k, (0.0, 0.0))[0]
        if math.isinf(x) and math.isinf(y):
            continue
        if not (abs(x - y) <= TOLERANCE * max(abs(x), abs(y), 1e-12)):
            return False
    return True
