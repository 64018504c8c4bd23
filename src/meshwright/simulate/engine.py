"""The discrete-event engine: requests from the entrypoints travel the operation call
graph through per-replica FIFO stations, under the model's resilience policies and the
scenario's faults.

Pure: ``run(model, scenario, options) -> Recorder``; results.py summarises the recorder.
Semantics (threads model): a request holds its server slot for its own work and while it
waits for its downstream calls; a caller that times out gives up, the callee keeps working.

Runs go to the C core (``_simcore.c`` via :mod:`compiled`) whenever it is built; this
engine is its oracle. The core mirrors the methods below one for one (same names, same
order of events and random draws) and reads the plan :class:`Engine` wires, so a change to
a method here needs the same change there: tests/simulate/test_exact.py compares the two
recorders exactly and fails otherwise.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import math
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from meshwright.analysis.utilisation import cpu_seconds, cpu_utilisation, hpa_desired
from meshwright.callpolicy import RetryLayer, semantics
from meshwright.graph import call_groups, calls_from, consumers, published_topics
from meshwright.model.types import Model
from meshwright.simulate.distributions import Random, sampler_for
from meshwright.simulate.network import (
    BULKHEAD,
    CB_OPEN,
    CONNECT,
    ERROR,
    KIND_NAMES,
    LB_LEAST,
    LB_RR,
    OK,
    P_CALL,
    P_CONSUMER,
    P_ENTRY,
    RATE_LIMITED,
    RESET,
    THROTTLED,
    TIMEOUT,
    UNAVAILABLE,
    CallCtx,
    CallPlan,
    EntryState,
    Job,
    LayerPlan,
    OpPlan,
    Replica,
    Station,
    TopicGroup,
)
from meshwright.simulate.policies import CircuitBreakerState, TokenBucket
from meshwright.simulate.recorder import Recorder
from meshwright.simulate.scenario import FaultEvent, Scenario

CONNECT_TIMEOUT = 1.0
"""Seconds before a call into a network partition fails when no timeout is shorter."""
AUTOSCALE_PERIOD = 15.0
"""Seconds between autoscaler evaluations (the Kubernetes HPA default)."""
REDELIVERY_DELAY = 1.0
"""Seconds a consumer group pauses after a failed message."""

@dataclass(frozen=True)
class SimOptions:
    """How to run: simulated seconds, seed, bucket width (default: about 120 buckets)."""

    duration: float = 60.0
    seed: int = 1
    bucket: float | None = None
    intrinsic_failures: bool = True
    """Fail each request with probability 1 − availability (the service's intrinsic one)."""
    engine: Literal["auto", "python", "compiled"] = "auto"
    """auto: the compiled engine (the C core) whenever the extension is built, else Python;
    "python" forces the Python engine (the test oracle, the same run for the same seed),
    "compiled" the C core (ValueError when it is not built)."""

    def bucket_width(self) -> float:
        if self.bucket is not None:
            return self.bucket
        raw = self.duration / 120.0
        for nice in (0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600):
            if raw <= nice:
                return float(nice)
        return float(math.ceil(raw / 600) * 600)


Progress = Callable[[float], None]


class Engine:
    """One simulation run; build it, call :meth:`run`, read :attr:`rec`."""

    def __init__(self, model: Model, scenario: Scenario, options: SimOptions) -> None:
        self.model = model
        self.scenario = scenario
        self.opt = options
        self.now = 0.0
        self.heap: list[tuple[float, int, Callable[[Any], None], Any]] = []
        self.seq = itertools.count()
        self.rand = Random(options.seed)
        labels = _entry_labels(model)
        self.rec = Recorder(
            options.duration, options.bucket_width(), labels, list(model.services), options.seed
        )
        self.stations = {
            name: Station(name, svc, options.intrinsic_failures, self.rec.services[name])
            for name, svc in model.services.items()
        }
        self.plans: dict[str, OpPlan] = {}
        for sname, svc in model.services.items():
            for _, oname, op in svc.operations():
                ref = f"{sname}.{oname}"
                self.plans[ref] = OpPlan(ref, self.stations[sname], sampler_for(op.service_time))
        self.breakers: dict[str, CircuitBreakerState] = {}
        for ref, plan in self.plans.items():
            self._wire(ref, plan)
        self.groups = self._topic_groups()
        self.entries = [
            EntryState(
                self.plans[ep.operation],
                ep.rate,
                TokenBucket(ep.rate_limit.rate, ep.rate_limit.bucket) if ep.rate_limit else None,
                self.rec.entrypoints[label],
            )
            for ep, label in zip(model.entrypoints, labels, strict=True)
            if ep.operation in self.plans
        ]
        self.partitions: Counter[frozenset[str]] = Counter()
        self.crashed: dict[int, list[Replica]] = {}
        self.scale_marks: dict[str, tuple[float, float]] = {}

    # ------------------------------------------------------------------ setup

    def _wire(self, ref: str, plan: OpPlan) -> None:
        fractional = False
        for group in call_groups(calls_from(self.model, ref)):
            calls: list[CallPlan] = []
            for edge in group:
                target = self.plans.get(edge.callee)
                if target is None:
                    continue
                cp = CallPlan(edge.caller, edge.callee, edge.call, target)
                fb = semantics(edge.call).fallback
                if fb is not None and fb in self.plans:
                    cp.fallback_target = self.plans[fb]
                    cp.fallback_static = False
                if cp.breaker is not None:
                    self.breakers[cp.label] = cp.breaker
                fractional = fractional or cp.frac > 0
                calls.append(cp)
            if calls:
                plan.groups.append((group[0].call.parallel is not None, calls))
        if not fractional:
            plan.static_steps = self._steps(plan)

    def _topic_groups(self) -> dict[str, list[TopicGroup]]:
        """Consumer groups per topic (``graph.consumers``; an entry without ``operation``
        runs the service's first operation), wired to their publishers."""
        groups: dict[str, list[TopicGroup]] = {}
        dead_letters: list[tuple[TopicGroup, str]] = []
        for consumer in consumers(self.model):
            ref = consumer.handler
            if ref is None:
                svc = self.model.services[consumer.service]
                first = next((o for _, o, _ in svc.operations()), None)
                ref = None if first is None else f"{consumer.service}.{first}"
            if ref is None or ref not in self.plans:
                continue
            topic = self.model.topics.get(consumer.topic)
            label = f"{consumer.topic}/{consumer.group}"
            group = TopicGroup(label, self.plans[ref], topic.partitions if topic else 1)
            groups.setdefault(consumer.topic, []).append(group)
            self.rec.topics[label] = [0.0] * self.rec.nb
            if consumer.dead_letter is not None:
                dead_letters.append((group, consumer.dead_letter))
        for ref, plan in self.plans.items():
            for t in published_topics(self.model, ref):
                plan.publishes.extend(groups.get(t, []))
        for group, topic_name in dead_letters:
            group.dead_letter = groups.get(topic_name, [])
        return groups

    # ------------------------------------------------------------------ scheduling

    def at(self, t: float, fn: Callable[[Any], None], arg: Any) -> None:
        heapq.heappush(self.heap, (t, next(self.seq), fn, arg))

    def run(self, progress: Progress | None = None) -> Recorder:
        """Simulate ``options.duration`` seconds and return the filled recorder."""
        end = self.opt.duration
        for ep in self.entries:
            self._restart(ep)
        for i, model_ep in enumerate(self.model.entrypoints):
            for step in model_ep.profile:
                if i < len(self.entries):
                    self.at(step.at, self._set_rate, (self.entries[i], step.rate))
        for k, ev in enumerate(self.scenario.events):
            self.at(ev.at, self._fault, (k, ev, True))
            if ev.end is not None:
                self.at(ev.end, self._fault, (k, ev, False))
        width = self.rec.width
        for b in range(self.rec.nb):
            self.at(min((b + 1) * width, end), self._sample, b)
        if any(st.scale for st in self.stations.values()):
            for st in self.stations.values():  # as the HPA: the current count is the first
                st.recommendations.append((0.0, len(st.live)))  # recommendation
            self.at(AUTOSCALE_PERIOD, self._autoscale, None)
        heap = self.heap
        pop = heapq.heappop
        count = 0
        next_report = 1 << 15
        while heap:
            if heap[0][0] > end:
                break
            t, _, fn, arg = pop(heap)
            self.now = t
            fn(arg)
            count += 1
            if progress is not None and count >= next_report:
                next_report += 1 << 15
                progress(t)
        self.rec.events = count
        self.rec.seal_all()
        if progress is not None:
            progress(end)
        return self.rec

    # ------------------------------------------------------------------ traffic

    def _restart(self, ep: EntryState) -> None:
        ep.token += 1
        rate = ep.base * ep.mult
        if rate > 0:
            self.at(self.now + self.rand.exp() / rate, self._arrive, (ep, ep.token))

    def _set_rate(self, arg: tuple[EntryState, float]) -> None:
        ep, rate = arg
        ep.base = rate
        self._restart(ep)

    def _arrive(self, arg: tuple[EntryState, int]) -> None:
        ep, token = arg
        if token != ep.token:
            return
        now = self.now
        series = ep.series
        b = self.rec.bucket(now)
        series.arrivals[b] += 1
        if ep.limiter is not None and not ep.limiter.take(now):
            series.errors[b] += 1
            series.rejected[b] += 1
        else:
            self._submit(Job(ep.plan, now, ep, P_ENTRY))
        self.at(now + self.rand.exp() / (ep.base * ep.mult), self._arrive, arg)

    # ------------------------------------------------------------------ stations

    def _pick(self, st: Station) -> Replica | None:
        live = st.live
        n = len(live)
        if n <= 1:
            return live[0] if n else None
        if st.lb == LB_RR:
            st.rr = (st.rr + 1) % n
            return live[st.rr]
        if st.lb == LB_LEAST:
            return min(live, key=lambda r: r.busy + len(r.queue))
        i = int(self.rand.uniform() * n)
        j = int(self.rand.uniform() * (n - 1))
        if j >= i:
            j += 1
        a, c = live[i], live[j]
        return a if a.busy + len(a.queue) <= c.busy + len(c.queue) else c

    def _submit(self, job: Job) -> None:
        st = job.plan.station
        now = self.now
        series = st.series
        b = self.rec.bucket(now)
        series.arrivals[b] += 1
        if st.limiter is not None and not st.limiter.take(now):
            self._reject(job, RATE_LIMITED, b)
            return
        rep = self._pick(st)
        if rep is None:
            self._reject(job, UNAVAILABLE, b)
            return
        job.replica = rep
        if rep.busy < st.conc:
            self._start(job, st, rep)
        elif st.qlimit is None or len(rep.queue) < st.qlimit:
            st.touch(now)
            rep.queue.append(job)
            st.queued += 1
        else:
            self._reject(job, UNAVAILABLE, b)

    def _reject(self, job: Job, kind: int, b: int) -> None:
        series = job.plan.station.series
        series.rejected[b] += 1
        series.errors[b] += 1
        self._reply(job, False, kind)

    def _start(self, job: Job, st: Station, rep: Replica) -> None:
        now = self.now
        st.touch(now)
        rep.busy += 1
        st.busy += 1
        rep.active[job] = None
        b = self.rec.bucket(now)
        st.series.wait_sum[b] += now - job.arrival
        st.series.wait_n[b] += 1
        work = self.rand.draw(job.plan.sampler) * st.slow
        st.cpu_work += cpu_seconds(work)
        self.at(now + work + st.add, self._worked, job)

    def _worked(self, job: Job) -> None:
        if job.dead:
            return
        st = job.plan.station
        p = st.fail_p + st.chaos_err - st.fail_p * st.chaos_err
        if p > 0 and self.rand.uniform() < p:
            self._finish(job, False)
            return
        plan = job.plan
        job.steps = plan.static_steps if plan.static_steps is not None else self._steps(plan)
        job.step = 0
        self._next_step(job)

    def _steps(self, plan: OpPlan) -> list[list[CallPlan]]:
        steps: list[list[CallPlan]] = []
        for parallel, calls in plan.groups:
            if parallel:
                step: list[CallPlan] = []
                for c in calls:
                    step.extend([c] * self._copies(c))
                if step:
                    steps.append(step)
            else:
                c = calls[0]
                steps.extend([[c]] * self._copies(c))
        return steps

    def _copies(self, c: CallPlan) -> int:
        n = c.copies
        if c.frac > 0 and self.rand.uniform() < c.frac:
            n += 1
        return n

    def _next_step(self, job: Job) -> None:
        if job.failed:
            self._finish(job, False)
            return
        if job.step >= len(job.steps):
            self._finish(job, True)
            return
        calls = job.steps[job.step]
        job.step += 1
        job.pending = len(calls)
        for c in calls:
            self._call(job, c)

    def _finish(self, job: Job, ok: bool) -> None:
        st = job.plan.station
        rep = job.replica
        now = self.now
        st.touch(now)
        if rep is not None:
            rep.busy -= 1
            st.busy -= 1
            rep.active.pop(job, None)
            if rep.queue:
                nxt = rep.queue.popleft()
                st.queued -= 1
                self._start(nxt, st, rep)
            elif rep.draining and rep.busy == 0:
                self._retire(st, rep)
        b = self.rec.bucket(now)
        series = st.series
        if ok:
            series.ok[b] += 1
            cast(list[float], series.latencies[b]).append(now - job.arrival)
            for group in job.plan.publishes:
                group.backlog += 1
                self._pump(group)
        else:
            series.errors[b] += 1
        self._reply(job, ok, OK if ok else ERROR)

    def _reply(self, job: Job, ok: bool, kind: int) -> None:
        pk = job.pkind
        if pk == P_CALL:
            ctx: CallCtx = job.parent
            if ctx.current is not job or ctx.phase == 2:
                return
            ctx.current = None
            if ctx.phase == 1:
                self._call_done(ctx, ok)
                return
            if not ok:
                self._proxy_failed(ctx, kind)
                return
            ctx.running = False
            self._release(ctx)
            if ctx.plan.breaker is not None:
                ctx.plan.breaker.record(self.now, True)
            self._call_done(ctx, True)
        elif pk == P_ENTRY:
            series = job.parent.series
            b = self.rec.bucket(self.now)
            if ok:
                series.ok[b] += 1
                cast(list[float], series.latencies[b]).append(self.now - job.arrival)
            else:
                series.errors[b] += 1
        else:
            group: TopicGroup = job.parent
            group.in_flight -= 1
            if ok:
                self._pump(group)
                return
            if group.dead_letter is not None:
                for dl in group.dead_letter:  # the message moves on; no pause
                    dl.backlog += 1
                    self._pump(dl)
                self._pump(group)
                return
            group.backlog += 1  # not committed: redelivered after the pause
            if not group.paused:
                group.paused = True
                self.at(self.now + REDELIVERY_DELAY, self._resume, group)

    # ------------------------------------------------------------------ calls

    def _call(self, job: Job, c: CallPlan) -> None:
        """One repetition of a call, as ``meshwright.callpolicy`` defines it: application
        tries, each through the proxy's tries, under the overall deadline."""
        ctx = CallCtx(job, c)
        if c.app.budget is not None:
            c.app.budget.note_call(self.now)
        if c.timeout is not None:
            ctx.deadline = self.now + c.timeout
            self.at(ctx.deadline, self._deadline, ctx)
        self._app_try(ctx)

    def _app_try(self, ctx: CallCtx) -> None:
        """Start an application try: the caller's own guards, then the proxy."""
        if ctx.phase != 0 or ctx.job.dead:
            return
        c = ctx.plan
        if c.limiter is not None and not c.limiter.take(self.now):
            self._app_failed(ctx, THROTTLED, counted=False)
            return
        bh = c.bulkhead
        if bh is not None:
            if bh.in_flight >= bh.max_concurrent:
                if len(bh.waiting) < bh.max_queue:
                    bh.waiting.append(ctx)
                else:
                    self._app_failed(ctx, BULKHEAD, counted=False)
                return
            bh.in_flight += 1
            ctx.in_bulkhead = True
        self._dispatch(ctx)

    def _dispatch(self, ctx: CallCtx) -> None:
        c = ctx.plan
        now = self.now
        if c.breaker is not None and not c.breaker.allow(now):
            self._release(ctx)
            self._app_failed(ctx, CB_OPEN, counted=False)
            return
        ctx.running = True
        ctx.mesh_attempt = 1
        ctx.app_deadline = None
        if c.app.per_try is not None:
            ctx.app_deadline = now + c.app.per_try
            self.at(ctx.app_deadline, self._app_timeout, (ctx, ctx.app_attempt))
        if c.mesh.budget is not None:
            c.mesh.budget.note_call(now)
        self._proxy_try((ctx, ctx.app_attempt))

    def _proxy_try(self, arg: tuple[CallCtx, int]) -> None:
        """One try of the callee by the caller's proxy, inside the application try."""
        ctx, attempt = arg
        if ctx.phase != 0 or ctx.job.dead or not ctx.running or ctx.app_attempt != attempt:
            return
        c = ctx.plan
        now = self.now
        child = Job(c.target, now, ctx, P_CALL)
        ctx.current = child
        if c.mesh.per_try is not None:
            self.at(now + c.mesh.per_try, self._mesh_timeout, (ctx, child))
        if self.partitions and self.partitions[frozenset((c.caller, c.callee))]:
            self.at(now + CONNECT_TIMEOUT, self._lost, child)
            return
        self._submit(child)

    def _lost(self, child: Job) -> None:
        self._reply(child, False, CONNECT)

    def _mesh_timeout(self, arg: tuple[CallCtx, Job]) -> None:
        ctx, child = arg
        if ctx.phase != 0 or ctx.current is not child:
            return
        ctx.current = None
        self._proxy_failed(ctx, TIMEOUT)

    def _app_timeout(self, arg: tuple[CallCtx, int]) -> None:
        """The application try's deadline: the proxy's try in flight is abandoned."""
        ctx, attempt = arg
        if ctx.phase != 0 or not ctx.running or ctx.app_attempt != attempt:
            return
        ctx.current = None
        self.rec.failures[ctx.job.plan.station.name][KIND_NAMES[TIMEOUT]] += 1
        self._app_try_failed(ctx, TIMEOUT)

    def _deadline(self, ctx: CallCtx) -> None:
        if ctx.phase != 0:
            return
        if ctx.running:
            ctx.current = None
            ctx.running = False
            self._release(ctx)
            if ctx.plan.breaker is not None:
                ctx.plan.breaker.record(self.now, False)
        elif ctx.plan.bulkhead is not None and not ctx.in_bulkhead:
            # it may wait for a bulkhead slot: it gives up its place in the queue
            with contextlib.suppress(ValueError):
                ctx.plan.bulkhead.waiting.remove(ctx)
        self.rec.failures[ctx.job.plan.station.name]["deadline"] += 1
        self._call_failed(ctx)

    def _release(self, ctx: CallCtx) -> None:
        if not ctx.in_bulkhead:
            return
        ctx.in_bulkhead = False
        bh = ctx.plan.bulkhead
        assert bh is not None
        bh.in_flight -= 1
        while bh.waiting:
            w = bh.waiting.popleft()
            if w.phase == 0 and not w.job.dead:
                bh.in_flight += 1
                w.in_bulkhead = True
                self._dispatch(w)
                break

    def _proxy_failed(self, ctx: CallCtx, kind: int) -> None:
        """A try of the callee failed: the proxy retries it (mesh ``retry_on``, tries
        left, budget, the retry starting before the application try's and the call's
        deadlines), else the application try fails with this kind."""
        c = ctx.plan
        now = self.now
        self.rec.failures[ctx.job.plan.station.name][KIND_NAMES[kind]] += 1
        limit = ctx.deadline if ctx.app_deadline is None else (
            ctx.app_deadline if ctx.deadline is None else min(ctx.app_deadline, ctx.deadline)
        )
        delay = self._retry_delay(ctx, c.mesh, ctx.mesh_attempt, kind, limit)
        if delay is None:
            self._app_try_failed(ctx, kind)
            return
        ctx.mesh_attempt += 1
        if delay > 0:
            self.at(now + delay, self._proxy_try, (ctx, ctx.app_attempt))
        else:
            self._proxy_try((ctx, ctx.app_attempt))

    def _retry_delay(
        self, ctx: CallCtx, layer: LayerPlan, attempt: int, kind: int, limit: float | None
    ) -> float | None:
        """The backoff before a layer's retry, or None when it does not retry: tries left,
        the kind in its retry_on, its budget allows it, and the retry starts before
        ``limit``. A retry is counted in the caller's series."""
        now = self.now
        if (
            attempt >= layer.attempts
            or kind not in layer.kinds
            or ctx.job.dead
            or (layer.budget is not None and not layer.budget.try_retry(now))
        ):
            return None
        delay = self._backoff(layer.layer, attempt)
        if limit is not None and now + delay >= limit:
            return None
        ctx.job.plan.station.series.retries[self.rec.bucket(now)] += 1
        return delay

    def _app_try_failed(self, ctx: CallCtx, kind: int) -> None:
        ctx.running = False
        self._release(ctx)
        if ctx.plan.breaker is not None:
            ctx.plan.breaker.record(self.now, False)
        self._app_failed(ctx, kind, counted=True)

    def _app_failed(self, ctx: CallCtx, kind: int, counted: bool) -> None:
        """An application try failed: retried (application ``retry_on``, tries left,
        budget, the retry starting before the deadline), else the repetition failed."""
        c = ctx.plan
        now = self.now
        if not counted:
            self.rec.failures[ctx.job.plan.station.name][KIND_NAMES[kind]] += 1
        delay = self._retry_delay(ctx, c.app, ctx.app_attempt, kind, ctx.deadline)
        if delay is None:
            self._call_failed(ctx)
            return
        ctx.app_attempt += 1
        if delay > 0:
            self.at(now + delay, self._app_try, ctx)
        else:
            self._app_try(ctx)

    def _backoff(self, layer: RetryLayer, retry: int) -> float:
        """The wait before retry ``retry`` of a layer (a uniform is drawn only for jitter)."""
        if layer.backoff is None or layer.backoff.jitter == "none":
            return layer.delay(retry)
        return layer.jittered(retry, self.rand.uniform())

    def _call_failed(self, ctx: CallCtx) -> None:
        c = ctx.plan
        if c.fallback_target is not None and not ctx.job.dead:
            ctx.phase = 1
            child = Job(c.fallback_target, self.now, ctx, P_CALL)
            ctx.current = child
            self._submit(child)
        else:
            self._call_done(ctx, c.fallback_static)

    def _call_done(self, ctx: CallCtx, ok: bool) -> None:
        ctx.phase = 2
        job = ctx.job
        if job.dead:
            return
        if not ok:
            job.failed = True
        job.pending -= 1
        if job.pending == 0:
            self._next_step(job)

    # ------------------------------------------------------------------ topics

    def _pump(self, group: TopicGroup) -> None:
        while not group.paused and group.backlog > 0 and group.in_flight < group.partitions:
            group.backlog -= 1
            group.in_flight += 1
            self._submit(Job(group.plan, self.now, group, P_CONSUMER))

    def _resume(self, group: TopicGroup) -> None:
        group.paused = False
        self._pump(group)

    # ------------------------------------------------------------------ faults

    def _fault(self, arg: tuple[int, FaultEvent, bool]) -> None:
        k, ev, on = arg
        st = self.stations.get(ev.service) if ev.service else None
        if ev.action == "crash" and st is not None:
            if on:
                victims = st.live[-ev.replicas:] if ev.replicas else list(st.live)
                self.crashed[k] = victims
                for rep in victims:
                    self._crash(st, rep)
            else:
                st.touch(self.now)
                for rep in self.crashed.pop(k, []):
                    rep.up = True
                    st.capacity += st.conc
                st.refresh_live()
        elif ev.action == "latency" and st is not None and ev.add is not None:
            st.add += ev.add if on else -ev.add
        elif ev.action == "errors" and st is not None and ev.rate is not None:
            st.chaos_err = max(0.0, min(1.0, st.chaos_err + (ev.rate if on else -ev.rate) / 100.0))
        elif ev.action == "slow" and st is not None and ev.factor is not None:
            st.slow = st.slow * ev.factor if on else st.slow / ev.factor
        elif ev.action == "partition" and ev.between:
            self.partitions[frozenset(ev.between)] += 1 if on else -1
        elif ev.action == "spike" and ev.multiplier is not None:
            for ep in self.entries:
                if ev.service is None or ep.plan.station.name == ev.service:
                    ep.mult = ep.mult * ev.multiplier if on else ep.mult / ev.multiplier
                    self._restart(ep)

    def _crash(self, st: Station, rep: Replica) -> None:
        now = self.now
        st.touch(now)
        rep.up = False
        st.capacity -= st.conc
        st.busy -= rep.busy
        st.queued -= len(rep.queue)
        active, queued = list(rep.active), list(rep.queue)
        rep.busy = 0
        rep.active.clear()
        rep.queue.clear()
        st.refresh_live()
        b = self.rec.bucket(now)
        for job, kind in [(j, RESET) for j in active] + [(j, UNAVAILABLE) for j in queued]:
            job.dead = True
            st.series.errors[b] += 1
            self._reply(job, False, kind)

    # ------------------------------------------------------------------ autoscaling

    def _autoscale(self, _: Any) -> None:
        """Every period, the HPA algorithm on CPU (``analysis.utilisation``): utilisation =
        CPU seconds of own work over requested CPU seconds since the last evaluation;
        desired = ⌈replicas × utilisation / target⌉ unless within the 10 % tolerance, within
        [min, max]. A scale-up acts after ``reaction``; a scale-down goes to the highest
        count recommended during the last ``scale_down_stabilization`` seconds, at once. A
        service without a CPU request is never scaled (the HPA has no utilisation)."""
        now = self.now
        for name, st in self.stations.items():
            cfg = st.scale
            if cfg is None:
                continue
            st.touch(now)
            work0, cap0 = self.scale_marks.get(name, (0.0, 0.0))
            self.scale_marks[name] = (st.cpu_work, st.cap_area)
            n = len(st.live)
            desired = self.desired_replicas(st, n, st.cpu_work - work0, (st.cap_area - cap0) / st.conc)
            if desired is None:
                continue
            recs = st.recommendations
            recs.append((now, desired))
            while recs and recs[0][0] < now - cfg.scale_down_stabilization:
                recs.popleft()
            if st.scale_pending:
                continue
            if desired > n:
                st.scale_pending = True
                self.at(now + cfg.reaction, self._apply_scale, (st, desired))
            else:
                stable = max(d for _, d in recs)
                if stable < n:
                    self._apply_scale((st, stable))
        self.at(now + AUTOSCALE_PERIOD, self._autoscale, None)

    @staticmethod
    def desired_replicas(st: Station, n: int, used: float, replica_seconds: float) -> int | None:
        """The autoscaler's decision for a station with ``n`` live replicas that used
        ``used`` CPU seconds over ``replica_seconds`` since the last evaluation (None: no
        decision — no CPU request or no live replica). Both engines ask this."""
        cfg = st.scale
        assert cfg is not None
        util = cpu_utilisation(used, replica_seconds, st.cpu)
        if util is None or n == 0:
            return None
        return min(max(hpa_desired(n, util, cfg.cpu_target / 100.0), cfg.min), cfg.max)

    def _apply_scale(self, arg: tuple[Station, int]) -> None:
        st, desired = arg
        st.scale_pending = False
        st.touch(self.now)
        n = len(st.live)
        if desired > n:
            for _ in range(desired - n):
                rep = Replica()
                st.replicas.append(rep)
                st.capacity += st.conc
        else:
            for rep in st.live[desired:]:
                rep.draining = True
                if rep.busy == 0 and not rep.queue:
                    self._retire(st, rep)
        st.refresh_live()

    def _retire(self, st: Station, rep: Replica) -> None:
        st.touch(self.now)
        rep.draining = False
        rep.up = False
        st.capacity -= st.conc
        st.replicas.remove(rep)
        st.refresh_live()

    # ------------------------------------------------------------------ sampling

    def _sample(self, b: int) -> None:
        now = self.now
        width = now - b * self.rec.width
        for st in self.stations.values():
            st.touch(now)
            pb, pq, pc = st.prev
            s = st.series
            dcap = st.cap_area - pc
            s.busy[b] = (st.busy_area - pb) / width if width > 0 else 0.0
            s.utilisation[b] = (st.busy_area - pb) / dcap if dcap > 0 else 0.0
            s.queue[b] = (st.queue_area - pq) / width if width > 0 else 0.0
            s.replicas[b] = len(st.live)
            st.prev = (st.busy_area, st.queue_area, st.cap_area)
        for label, breaker in self.breakers.items():
            self.rec.breakers.setdefault(label, [0] * self.rec.nb)[b] = breaker.current(now)
        for groups in self.groups.values():
            for g in groups:
                self.rec.topics[g.label][b] = g.backlog
        if b < self.rec.nb - 1:  # the last bucket still takes completions at t = duration
            self.rec.seal(b)


def _entry_labels(model: Model) -> list[str]:
    """A unique label per entrypoint (its name, else its operation; #2, #3 for repeats)."""
    seen: Counter[str] = Counter()
    out = []
    for ep in model.entrypoints:
        seen[ep.label] += 1
        out.append(ep.label if seen[ep.label] == 1 else f"{ep.label}#{seen[ep.label]}")
    return out


EngineKind = Literal["python", "compiled"]


def choose_engine(options: SimOptions) -> tuple[EngineKind, str]:
    """The engine a run uses and why: "compiled" (the C core) unless ``options.engine`` is
    "python" or the extension is not built ("auto" then falls back to Python; "compiled"
    raises ValueError)."""
    if options.engine == "python":
        return "python", "the Python engine was asked for"
    from meshwright.simulate import compiled

    if compiled.available():
        return "compiled", "the compiled engine is built"
    if options.engine == "compiled":
        raise ValueError(f"the compiled engine is not built: {compiled.missing_reason()}")
    return "python", f"compiled simulator not built ({compiled.missing_reason()})"


def run(
    model: Model, scenario: Scenario, options: SimOptions, progress: Progress | None = None
) -> Recorder:
    """Simulate the model under the scenario; same seed, same recorder, on either engine
    (:func:`choose_engine` picks it)."""
    kind, why = choose_engine(options)
    eng = Engine(model, scenario, options)
    if kind == "python":
        if options.engine == "auto":
            _warn_missing_core(why)
        return eng.run(progress)
    from meshwright.simulate.compiled import run_compiled

    rec = run_compiled(eng, progress)
    rec.seal_all()
    if progress is not None:
        progress(options.duration)
    return rec


@functools.cache
def _warn_missing_core(why: str) -> None:
    """One line on stderr, once per process: the C core is missing, Python runs instead."""
    print(f"meshwright: {why}; using the slower Python engine", file=sys.stderr)
