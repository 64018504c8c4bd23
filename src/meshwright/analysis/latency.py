"""End-to-end latency: mean critical path, Monte Carlo distributions, tail at scale.

An operation takes its own service time, plus each execution group of its calls in
sequence (a parallel group takes its slowest call), a call made ``per_request = k`` times
taking ⌊k⌋ sequential repetitions plus one more with probability k − ⌊k⌋. Each repetition's
tries, deadlines and retries follow ``meshwright.callpolicy`` (mesh tries inside each
application try, a timed-out try retried only by the layers whose ``retry_on`` retries
timeouts); a repetition whose tries all timed out runs its fallback operation (its
composed latency). Failures other than slowness are not modelled here (see availability).

Queueing: every execution of an operation first waits in its service's queue, a wait
sampled from the service's waiting-time distribution (``analysis.queueing``), so the
quantiles include queueing at every hop; a wait behind an unstable service is infinite.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from meshwright import callpolicy
from meshwright.analysis import distributions
from meshwright.analysis.callgraph import call_dag, composition_order, memoised
from meshwright.analysis.queueing import WaitDistribution, queueing
from meshwright.graph import Edge
from meshwright.model.types import Model

Samples = npt.NDArray[np.float32]

DEFAULT_SAMPLES = 10_000


def tail_at_scale(q: float, n: float) -> float:
    """P(at least one of n independent requests is slow), each slow with probability q:
    1 − (1 − q)^n (Dean & Barroso, "The Tail at Scale", CACM 56(2), 2013)."""
    return 1.0 - float((1.0 - q) ** n)


@dataclass(frozen=True)
class LatencyResult:
    """Latency of one operation (seconds): quantiles by seeded Monte Carlo."""

    p50: float
    p95: float
    p99: float
    mean: float
    operation: str = ""
    critical_path: float = 0.0
    """Mean-value critical path (see :func:`critical_path_time`)."""
    slo_p99: float | None = None
    slo_p50: float | None = None
    slo_p95: float | None = None
    fan_out: float = 0.0
    """Expected downstream calls per request (all depths)."""
    p_any_slow: float = 0.0
    """tail_at_scale(0.01, fan_out): chance a request meets at least one callee p99."""

    json_extra: ClassVar[tuple[str, ...]] = ("meets_slo",)

    @property
    def meets_slo(self) -> bool | None:
        """Every declared latency objective met (None when none is declared)."""
        pairs = [(self.p50, self.slo_p50), (self.p95, self.slo_p95), (self.p99, self.slo_p99)]
        declared = [(q, slo) for q, slo in pairs if slo is not None]
        return None if not declared else all(q <= slo for q, slo in declared)


def _own_mean(model: Model, operation: str) -> float:
    op = model.operation(operation)
    return op.service_time.mean if op is not None else 0.0


def critical_path_times(model: Model) -> dict[str, float]:
    """Mean-value critical path of every operation (memoised per model)."""

    def compute() -> dict[str, float]:
        dag = call_dag(model)
        cut = {id(e) for e in dag.cut}
        out: dict[str, float] = {}
        for op in dag.order:
            t = _own_mean(model, op)
            for group in dag.groups[op]:
                t += max(
                    e.call.per_request
                    * (_own_mean(model, e.callee) if id(e) in cut else out[e.callee])
                    for e in group
                )
            out[op] = t
        return out

    return memoised(model, "critical_path_times", compute)


def critical_path_time(model: Model, operation: str) -> float:
    """Mean time of ``service.op``: own mean service time + sequential groups summed, each
    parallel group its longest member, each call × per_request."""
    return critical_path_times(model)[operation]


def fan_outs(model: Model) -> dict[str, float]:
    """Expected number of downstream calls one request of each operation causes."""

    def compute() -> dict[str, float]:
        dag = call_dag(model)
        out: dict[str, float] = {}
        for op in dag.order:
            out[op] = sum(e.call.per_request * (1.0 + out.get(e.callee, 0.0)) for e in dag.calls[op])
        return out

    return memoised(model, "fan_outs", compute)


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


class _Sampler:
    """Latency samples of operations, each computed once, in float32.

    Standard normal, exponential and uniform pools are drawn once; each operation's own
    time and each call site read them, or their callee's sample, through a random cyclic
    shift, which pairs (almost surely) independent draws. The pools are stored twice over
    (x ‖ x) so a shift of them is a view; operations' samples are stored once
    (half the memory: 10,000 services hold ~30,000 of them) and a shift of one is a copy
    made when a call site reads it. Cost O((operations + calls) ×
    samples), never O(paths); shifts depend only on seed and names, so results do not
    depend on which operations are asked for together.
    """

    def __init__(
        self, model: Model, n: int, seed: int, waits: Mapping[str, WaitDistribution] | None = None
    ) -> None:
        self.model, self.n, self.seed = model, n, seed
        self.waits = waits if waits is not None else queueing_waits(model)
        self.dag = call_dag(model)
        self.cut = {id(e) for e in self.dag.cut}
        self.samples: dict[str, Samples] = {}
        self.keys: dict[str, int] = {}
        """Per computed operation, the id of everything its sample depends on (``_key``)."""
        self.store = _store(model, n, seed)
        self.normal, self.expo, self.uniform = self.store.pools
        self.plan = _plan(model)

    def sample(self, op: str) -> Samples:
        """The latency sample of a computed operation."""
        return self.samples[op]

    def run(self, targets: Iterable[str]) -> None:
        needed = self._reachable(targets)
        arrays = self.store.arrays
        for op in composition_order(self.model).order:
            if op in needed and op not in self.samples:
                coupled = [self._coupled(op, g) if len(g) > 1 else set() for g in self.dag.groups[op]]
                key = self.keys[op] = self.store.intern(self._key(op, coupled))
                x = arrays.get((op, key))
                if x is None:
                    x = arrays[(op, key)] = self._operation(op, coupled)
                self.samples[op] = x

    def _wait_key(self, service: str) -> WaitDistribution | None:
        """The wait that :meth:`_wait` samples at ``service`` (None: none)."""
        w = self.waits.get(service)
        return None if w is None or w.p_wait <= 0.0 else w

    def _key(self, op: str, coupled: list[set[int]]) -> tuple[object, ...]:
        """Everything the sample of ``op`` depends on besides the model, seed and sample
        count: its service's wait, which calls of each group are coupled, and per call the
        key of its callee's sample (a cut call: the callee service's wait) and of its
        fallback's. Samplers whose waits differ (availability without queues, latency at
        failure rate 0 and at the analysis' rate) share every operation whose key agrees."""
        groups = []
        wait_key, keys, samples = self._wait_key, self.keys, self.samples
        for edges, group, pair in zip(self.dag.groups[op], self.plan.calls[op], coupled, strict=True):
            calls = tuple(
                (
                    ("cut", wait_key(service)) if cut else keys[callee],
                    keys.get(target) if target is not None and target in samples else None,
                )
                for cut, callee, service, target in group
            )
            groups.append((tuple(i for i, e in enumerate(edges) if id(e) in pair), calls))
        return wait_key(op.split(".", 1)[0]), tuple(groups)

    def _reachable(self, targets: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        stack = list(targets)
        successors = self.plan.successors
        while stack:
            op = stack.pop()
            if op in seen:
                continue
            seen.add(op)
            stack.extend(successors[op])
        return seen

    def _own(self, operation: str) -> Samples:
        op = self.model.operation(operation)
        if op is None:
            return np.zeros(self.n, dtype=np.float32)
        shift = zlib.crc32(f"{self.seed}:{operation}".encode()) % max(1, self.n - 1) + 1
        window = slice(shift, shift + self.n)
        return distributions.from_standard(
            op.service_time, self.normal[window], self.expo[window]
        ).astype(np.float32, copy=False)

    def _wait(self, operation: str) -> Samples | None:
        """One wait in the queue of the operation's service per sample (None: no queueing)."""
        w = self.waits.get(operation.split(".", 1)[0])
        if w is None or w.p_wait <= 0.0:
            return None
        return w.sample(_rng(self.seed, f"wait:{operation}"), self.n)

    def _queued_own(self, operation: str) -> Samples:
        """Own service time plus the wait in the service's queue."""
        total = self._own(operation)
        wait = self._wait(operation)
        return total if wait is None else total + wait

    def _operation(self, op: str, coupling: list[set[int]]) -> Samples:
        total = self._queued_own(op)
        if not self.dag.groups[op]:
            return total
        rng = _rng(self.seed, op)
        for group, coupled in zip(self.dag.groups[op], coupling, strict=True):
            times = [self._call(e, rng) for e in group if id(e) not in coupled]
            if coupled:
                u = self._uniform(rng)
                times += [self._coupled_time(e, u) for e in group if id(e) in coupled]
            if len(times) == 1:
                total += times[0]
            else:  # the slowest member, without stacking the group into one array
                slowest = np.maximum(times[0], times[1])
                for t in times[2:]:
                    np.maximum(slowest, t, out=slowest)
                total += slowest
        return total

    def _coupled(self, op: str, group: tuple[Edge, ...]) -> set[int]:
        """The calls of a parallel group whose callees' queues see the same arrivals — each
        callee a deterministic leaf whose service receives nothing but this call, made once
        without retries or deadlines. Their queues are driven by the same arrival times, and
        each wait (the Lindley recursion W' = max(0, W + D − T)) is a non-decreasing
        function of those times, so the waits are associated (Esary, Proschan & Walkup,
        Ann. Math. Statist. 38, 1967): they are sampled comonotone, from one uniform per
        sample — exact for identical leaves (identical waits), an upper bound of the
        dependence for different ones."""
        if not self.waits:
            return set()
        from meshwright.analysis.queueing import queueing

        services = queueing(self.model).services
        rate = queueing(self.model).operation_rates.get(op, 0.0)
        if rate <= 0.0:  # no call qualifies (the last condition below)
            return set()
        out: set[int] = set()
        seen: set[str] = set()
        for e in group:
            sem = callpolicy.semantics(e.call)
            callee = self.model.operation(e.callee)
            q = services.get(e.callee_service)
            if (id(e) in self.cut or e.call.per_request != 1.0 or sem.max_tries != 1
                    or sem.try_deadline is not None or sem.timeout is not None
                    or callee is None or callee.service_time.kind != "deterministic"
                    or self.dag.groups[e.callee] or q is None or e.callee_service in seen
                    or rate <= 0.0 or abs(q.arrival_rate - rate) > 1e-9 * rate):
                continue
            seen.add(e.callee_service)
            out.add(id(e))
        return out if len(out) > 1 else set()

    def _coupled_time(self, e: Edge, u: Samples) -> Samples:
        """A coupled call's time (see :meth:`_coupled`): the leaf's service time plus its
        wait at the shared uniform draws ``u``."""
        op = self.model.operation(e.callee)
        own = np.float32(op.service_time.mean if op is not None else 0.0)
        w = self.waits.get(e.callee_service)
        if w is None or w.p_wait <= 0.0:
            return np.full(self.n, own, dtype=np.float32)
        return w.from_uniform(u) + own

    def _uniform(self, rng: np.random.Generator) -> Samples:
        return _draw(self.uniform, rng)

    def _call(self, e: Edge, rng: np.random.Generator) -> Samples:
        base = self._queued_own(e.callee) if id(e) in self.cut else self.samples[e.callee]
        whole, frac = callpolicy.repetitions(e.call.per_request)
        if whole == 1 and frac == 0:  # one repetition: its time (0 + t is t)
            return self._timed_call(e, base, rng)
        total = np.zeros(self.n, dtype=np.float32)
        for _ in range(whole):
            total += self._timed_call(e, base, rng)
        if frac > 0:
            total += self._timed_call(e, base, rng) * (self._uniform(rng) < frac)
        return total

    def _timed_call(self, e: Edge, base: Samples, rng: np.random.Generator) -> Samples:
        """One repetition of a call: its tries as ``callpolicy.sample_repetition`` runs
        them; a repetition whose tries all timed out runs its fallback operation."""
        t, failed = callpolicy.sample_repetition(e.call, _Shift(base, rng), lambda: self._uniform(rng))
        target = callpolicy.semantics(e.call).fallback
        if target is not None and target in self.samples and failed.any():
            t = t + np.where(failed, _shifted(self.samples[target], rng), np.float32(0.0))
        return t


@dataclass(frozen=True)
class _Plan:
    """What the samplers read of the call graph, per operation, once per model."""

    calls: dict[str, list[list[tuple[bool, str, str, str | None]]]]
    """Per execution group, per call: (cut?, callee, callee service, fallback operation)."""
    successors: dict[str, list[str]]
    """The operations an operation's sample needs: its callees, then its fallback targets."""


def _plan(model: Model) -> _Plan:
    def compute() -> _Plan:
        dag = call_dag(model)
        cut = {id(e) for e in dag.cut}
        calls = {
            op: [[(id(e) in cut, e.callee, e.callee_service, callpolicy.semantics(e.call).fallback)
                  for e in group] for group in groups]
            for op, groups in dag.groups.items()
        }
        successors = {
            op: [e.callee for e in dag.calls[op]] + [
                t for e in dag.declared[op]
                if (t := callpolicy.semantics(e.call).fallback) is not None and t in dag.calls
            ]
            for op in dag.calls
        }
        return _Plan(calls, successors)

    return memoised(model, "latency-plan", compute)


class _Store:
    """The samples every sampler of one (model, sample count, seed) has computed, keyed by
    (operation, key id) (``_Sampler._key``), and the random pools they all read."""

    def __init__(self, n: int, seed: int) -> None:
        pools = _rng(seed, "pools")
        self.pools = (
            _twice(pools.standard_normal(n, dtype=np.float32)),
            _twice(pools.standard_exponential(n, dtype=np.float32)),
            _twice(pools.random(n, dtype=np.float32)),
        )
        self.arrays: dict[tuple[str, int], Samples] = {}
        self._ids: dict[tuple[object, ...], int] = {}

    def intern(self, key: tuple[object, ...]) -> int:
        """A small id per distinct key (so a caller's key holds its callees' ids, not theirs)."""
        return self._ids.setdefault(key, len(self._ids))


def _store(model: Model, n: int, seed: int) -> _Store:
    return memoised(model, f"sample-store:{n}:{seed}", lambda: _Store(n, seed))


def _twice(x: Samples) -> Samples:
    return np.concatenate([x, x])


def _draw(doubled: Samples, rng: np.random.Generator) -> Samples:
    """A random cyclic shift of a sample stored twice over: a view, shift in 1..n−1."""
    n = len(doubled) // 2
    shift = int(rng.integers(1, n)) if n > 1 else 0
    return doubled[shift : shift + n]


def _shifted(x: Samples, rng: np.random.Generator) -> Samples:
    """The same random cyclic shift as :func:`_draw`, of a sample stored once (a copy)."""
    n = len(x)
    shift = int(rng.integers(1, n)) if n > 1 else 0
    return np.concatenate((x[shift:], x[:shift]))


class _Shift:
    """Draws of ``x`` under a fresh random cyclic shift each (:func:`_shifted`); ``at(index)``
    makes the same draw at ``index`` only (one shift drawn, as for the whole)."""

    def __init__(self, x: Samples, rng: np.random.Generator) -> None:
        self.x, self.rng = x, rng

    def __call__(self) -> Samples:
        return _shifted(self.x, self.rng)

    def at(self, index: npt.NDArray[np.intp]) -> Samples:
        n = len(self.x)
        shift = int(self.rng.integers(1, n)) if n > 1 else 0
        return self.x[(index + shift) % n] if shift else self.x[index]


def try_samples(model: Model, operations: Iterable[str], samples: int = DEFAULT_SAMPLES,
                seed: int = 0, queues: bool = True) -> dict[str, Samples]:
    """Latency samples of one try of each operation (shared with the latency analysis):
    the availability analysis reads P(try > deadline) from them. With ``queues`` a try
    includes every hop's queue wait (the latency analysis' own samples); without, it
    leaves queueing out — what the availability read by the queueing model's arrival
    rates (topic traffic) uses, since those rates decide the waits."""
    ops = sorted(set(operations))
    if queues:
        sampler = _shared_sampler(model, samples, seed)
    else:
        sampler = memoised(
            model, f"try-sampler:{samples}:{seed}", lambda: _Sampler(model, samples, seed, waits={})
        )
    sampler.run(ops)
    return {op: sampler.sample(op) for op in ops}


def _shared_sampler(model: Model, samples: int, seed: int) -> _Sampler:
    """One sampler per (model, samples, seed): an operation's sample does not depend on
    which operations are asked for together, so every caller shares the work."""
    return memoised(model, f"sampler:{samples}:{seed}", lambda: _Sampler(model, samples, seed))


def queueing_waits(model: Model, failure_rate: float = 0.0) -> dict[str, WaitDistribution]:
    """Every service's waiting-time distribution (``analysis.queueing``)."""
    return {s: q.wait for s, q in queueing(model, failure_rate).services.items()}


def latency_distributions(
    model: Model,
    operations: Iterable[str],
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    waits: Mapping[str, WaitDistribution] | None = None,
) -> dict[str, LatencyResult]:
    """Latency of several operations from one shared, seeded Monte Carlo run; ``waits``
    (default: :func:`queueing_waits`) are the services' queueing delays."""
    ops = list(operations)
    sampler = _shared_sampler(model, samples, seed) if waits is None else _Sampler(
        model, samples, seed, waits
    )
    sampler.run(ops)
    cp, fan = critical_path_times(model), fan_outs(model)
    out = {}
    for op in ops:
        x = sampler.sample(op)
        # behind an unstable queue some samples are infinite: no interpolation across them
        if np.isfinite(x).all():
            p50, p95, p99 = (float(v) for v in np.percentile(x, [50, 95, 99]))
        else:
            p50, p95, p99 = (float(v) for v in np.percentile(x, [50, 95, 99], method="inverted_cdf"))
        slo = model.services[op.split(".", 1)[0]].slo
        objective = slo.latency if slo else None
        out[op] = LatencyResult(
            p50=p50,
            p95=p95,
            p99=p99,
            mean=float(x.mean()),
            operation=op,
            critical_path=cp[op],
            slo_p99=objective.p99 if objective else None,
            slo_p50=objective.p50 if objective else None,
            slo_p95=objective.p95 if objective else None,
            fan_out=fan[op],
            p_any_slow=tail_at_scale(0.01, fan[op]),
        )
    return out


def latency_distribution(
    model: Model, operation: str, samples: int = DEFAULT_SAMPLES, seed: int = 0
) -> LatencyResult:
    """p50/p95/p99/mean of ``service.op`` by seeded Monte Carlo (same seed → same result)."""
    return latency_distributions(model, [operation], samples, seed)[operation]
