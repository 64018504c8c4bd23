"""What a synchronous call does: the one definition of tries, deadlines, ``retry_on``,
application × mesh retries, backoff, budgets, fallbacks, parallel groups and fractional
``per_request``. The availability, latency, timeout-budget and amplification analyses,
the capacity analysis (arrival rates with retries), the check rules, both simulator paths
and the mesh emitters all read calls through this module; none re-derives them.
``docs/call-semantics.md`` is the same contract for users.

The contract
============

A call made by an operation runs like this (``Call`` fields in backquotes):

1. **Repetitions.** ``per_request = k`` makes ⌊k⌋ calls one after the other, plus one
   more with probability k − ⌊k⌋ (:func:`repetitions`). Each repetition is independent
   and must succeed. Consecutive calls sharing a ``parallel`` name run concurrently and
   the operation waits for all of them (``graph.call_groups``).
2. **Overall deadline.** ``timeout`` bounds one repetition from its start: every try,
   every backoff wait. When it passes, the call has failed (the callee keeps working).
3. **Application tries.** ``retries.attempts`` tries (1 without ``retries``), each
   bounded by ``retries.per_try_timeout`` (and by the overall deadline). The caller's own
   guards act once per application try, before it leaves the process: ``rate_limit``
   (refused: ``throttled``), ``bulkhead`` (refused: ``bulkhead_full``; the slot is held
   for the whole application try) and ``circuit_breaker`` (refused: ``circuit_open``;
   it records the outcome of each application try). Refusals by the caller's own guards
   are never retried.
4. **Mesh tries.** Every application try passes through the caller's sidecar proxy,
   which makes up to ``mesh_retries.attempts`` tries (1 without ``mesh_retries``) of the
   callee, each bounded by ``mesh_retries.per_try_timeout``, all inside the application
   try's deadline. The proxy retries a failed try when its kind is in
   ``mesh_retries.retry_on``, tries remain, and the retry (after its backoff) starts
   before the application try's deadline and the overall deadline; otherwise it hands
   the last try's failure kind back to the application.
5. **Application retry.** A failed application try is retried when its failure kind is
   in ``retries.retry_on``, tries remain, the retry budget allows it, and the retry
   (after its backoff) starts before the overall deadline. So one repetition makes at
   most ``retries.attempts × mesh_retries.attempts`` tries of the callee
   (:func:`max_tries`).
6. **Failure kinds** (:class:`Failure`) of one try: ``error`` (the callee answered with
   a server error: 500 / INTERNAL, its own failed dependencies included), ``unavailable``
   (the callee refused before working: no ready replica, queue full, 503 / UNAVAILABLE,
   HTTP/2 refused stream), ``reset`` (the connection dropped while the callee worked),
   ``connect_failure`` (no connection could be made, e.g. a network partition),
   ``timeout`` (the try's deadline passed) and ``rate_limited`` (the callee's rate limit:
   429 / RESOURCE_EXHAUSTED). A try cut by the application try's deadline fails the
   application try with ``timeout``.
7. **retry_on** words (:data:`RETRY_ON`, a fixed vocabulary; unknown words are load
   errors) name the failure kinds retried; the meaning of ``5xx``, ``gateway_error`` and
   ``reset`` is Envoy's (the proxy of Istio and Consul), where a per-try timeout counts
   as a 504 and as a reset:

   ==================  ===========================================================
   word                retries the kinds
   ==================  ===========================================================
   ``5xx``             error, unavailable, reset, connect_failure, timeout
   ``gateway_error``   unavailable, reset, connect_failure, timeout (502/503/504)
   ``reset``           reset, connect_failure, timeout (no response at all)
   ``connect_failure`` connect_failure
   ``refused``         unavailable (refused before any work was done)
   ``unavailable``     unavailable
   ``timeout``         timeout
   ``rate_limited``    rate_limited
   ==================  ===========================================================

   The default is ``[unavailable, reset, 5xx]`` (so timeouts are retried by default).
8. **Backoff.** Before retry n (1-based) a layer waits ``min(max, base ×
   multiplier^(n−1))`` with ``full`` jitter (uniform 0..d), ``equal`` (d/2 + uniform
   0..d/2) or ``none`` (d). No ``backoff`` means no wait. Each layer uses its own.
9. **Retry budgets.** A layer's ``budget`` allows a retry while its retries of the last
   10 s stay within ``ratio`` % of its calls in that window, or within ``min_per_second``
   × 10 (Finagle's budget). The analyses, at the call's steady rate (entrypoint rates
   × ``per_request`` down the call graph), grant each retry with the probability at
   which the layer's retries per second equal what the budget allows; the simulator
   enforces the window.
10. **Fallbacks.** When a repetition has finally failed: ``fallback: service.operation``
   calls that operation once (no retries, no deadline of the failed call); its result is
   the repetition's. ``cache`` and ``static`` are answered by the caller itself and
   always succeed. A fallback target's availability and latency are its *composed*
   ones, with its own dependencies; the analyses compute operations in an order where
   fallback targets come before their users (``callgraph.composition_order``). A
   fallback that closes a cycle (the target calls, directly or through other calls or
   fallbacks, back into the caller) is reported (check rule MW215); the analyses then
   use the target's intrinsic availability and own time instead of looping.

Analysis approximations (the simulator is exact; the differential tests bound the gap):
tries fail independently with their callee's per-try failure mix, except a full queue's
refusal (``unavailable``): the retry of a refusal after a backoff d is refused again with
the probability that the queue, full at the refusal, is full again d later (the callee's
queue as a birth–death chain, ``analysis.queueing.refusal_memory``: 1 at d = 0, the
unconditional rejection probability once d is well past the queue's relaxation time;
with round robin over several replicas the retry goes to another replica and is taken
as independent); a fail-fast failure
takes no time when deciding which retries fit in a deadline; a try that times out takes
its whole per-try bound; backoff waits count their mean.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property, partial
from typing import TYPE_CHECKING, Literal, get_args

from meshwright.model.types import Backoff, Call, Mesh, Retries, RetryBudget, RetryOn

# --------------------------------------------------------------------------- vocabulary


class Failure(StrEnum):
    """The kind of a failed try (see the module docstring, point 6)."""

    error = "error"
    unavailable = "unavailable"
    reset = "reset"
    connect_failure = "connect_failure"
    timeout = "timeout"
    rate_limited = "rate_limited"


F = Failure
RETRY_ON: Mapping[RetryOn, frozenset[Failure]] = {
    "5xx": frozenset({F.error, F.unavailable, F.reset, F.connect_failure, F.timeout}),
    "gateway_error": frozenset({F.unavailable, F.reset, F.connect_failure, F.timeout}),
    "reset": frozenset({F.reset, F.connect_failure, F.timeout}),
    "connect_failure": frozenset({F.connect_failure}),
    "refused": frozenset({F.unavailable}),
    "unavailable": frozenset({F.unavailable}),
    "timeout": frozenset({F.timeout}),
    "rate_limited": frozenset({F.rate_limited}),
}
"""retry_on word → the failure kinds it retries."""
assert set(RETRY_ON) == set(get_args(RetryOn)), "RETRY_ON must define every RetryOn word"


@dataclass(frozen=True)
class MeshWords:
    """How one retry_on word is written for one mesh: ``retry_on`` conditions (Istio
    ``retryOn``, Consul ``RetryOn``, Linkerd ``retry.linkerd.io/http`` / ``grpc``),
    ``status_codes`` (Consul ``RetryOnStatusCodes``, Istio numeric ``retryOn``
    entries), and whether the mesh retries exactly these kinds (False: it retries more,
    or cannot express some; the emitter must say so). Linkerd's conditions mix its two
    vocabularies: HTTP words (``5xx``, ``gateway-error``, with ``status_codes``) go to
    ``retry.linkerd.io/http``, gRPC status names (``internal``, ``unavailable``,
    ``resource-exhausted``, …) to ``retry.linkerd.io/grpc``."""

    retry_on: tuple[str, ...] = ()
    status_codes: tuple[int, ...] = ()
    exact: bool = True


RETRY_ON_RENDERING: Mapping[RetryOn, Mapping[Mesh, MeshWords]] = {
    "5xx": {
        Mesh.istio: MeshWords(("5xx",)),
        Mesh.consul: MeshWords(("5xx",)),
        Mesh.linkerd: MeshWords(("5xx", "internal", "unavailable")),
    },
    "gateway_error": {
        Mesh.istio: MeshWords(("gateway-error",)),
        Mesh.consul: MeshWords(("gateway-error",)),
        Mesh.linkerd: MeshWords(("gateway-error", "unavailable")),
    },
    "reset": {
        Mesh.istio: MeshWords(("reset",)),
        Mesh.consul: MeshWords(("reset",)),
        Mesh.linkerd: MeshWords((), exact=False),
    },
    "connect_failure": {
        Mesh.istio: MeshWords(("connect-failure",)),
        Mesh.consul: MeshWords(("connect-failure",)),
        Mesh.linkerd: MeshWords((), exact=False),
    },
    "refused": {
        Mesh.istio: MeshWords(("refused-stream",)),
        Mesh.consul: MeshWords(("refused-stream",)),
        Mesh.linkerd: MeshWords((), (503,), exact=False),
    },
    "unavailable": {
        Mesh.istio: MeshWords(("unavailable",), (503,)),
        Mesh.consul: MeshWords(("unavailable",), (503,)),
        Mesh.linkerd: MeshWords(("unavailable",), (503,)),
    },
    "timeout": {
        Mesh.istio: MeshWords(("reset",), exact=False),
        Mesh.consul: MeshWords(("reset",), exact=False),
        Mesh.linkerd: MeshWords(()),
    },
    "rate_limited": {
        Mesh.istio: MeshWords(("resource-exhausted",), (429,)),
        Mesh.consul: MeshWords(("resource-exhausted",), (429,)),
        Mesh.linkerd: MeshWords(("resource-exhausted",), (429,)),
    },
}
"""retry_on word → mesh → how the mesh writes it (read by the mesh emitters)."""


def retried_kinds(words: list[RetryOn] | tuple[RetryOn, ...]) -> frozenset[Failure]:
    """The failure kinds a ``retry_on`` list retries."""
    out: set[Failure] = set()
    for w in words:
        out |= RETRY_ON[w]
    return frozenset(out)


# --------------------------------------------------------------------------- layers


@dataclass(frozen=True)
class RetryLayer:
    """One retry layer of a call: the application's ``retries`` or the proxy's
    ``mesh_retries`` (attempts 1 and nothing retried when the layer is not declared)."""

    layer: Literal["application", "mesh"]
    attempts: int = 1
    per_try_timeout: float | None = None
    retry_on: frozenset[Failure] = frozenset()
    words: tuple[RetryOn, ...] = ()
    backoff: Backoff | None = None
    budget: RetryBudget | None = None
    declared: bool = False

    @property
    def key(self) -> str:
        """The model field of this layer: ``retries`` or ``mesh_retries``."""
        return "retries" if self.layer == "application" else "mesh_retries"

    @property
    def retries(self) -> bool:
        """Whether this layer ever makes a second try."""
        return self.attempts > 1 and bool(self.retry_on)

    @property
    def max_tries(self) -> int:
        """Most tries the layer makes: its attempts, 1 when ``retry_on`` is empty."""
        return self.attempts if self.retry_on else 1

    def retries_on(self, kind: Failure) -> bool:
        return kind in self.retry_on

    def delay(self, retry: int) -> float:
        """Upper bound of the wait before retry ``retry`` (1-based), before jitter."""
        return self.backoff.delay(retry) if self.backoff is not None else 0.0

    def mean_delay(self, retry: int) -> float:
        """Mean wait before retry ``retry`` with the layer's jitter."""
        d = self.delay(retry)
        if self.backoff is None or self.backoff.jitter == "none":
            return d
        return d / 2 if self.backoff.jitter == "full" else 0.75 * d

    def jittered(self, retry: int, u: float) -> float:
        """The wait before retry ``retry`` given a uniform draw ``u`` in [0, 1)."""
        d = self.delay(retry)
        if self.backoff is None or self.backoff.jitter == "none":
            return d
        return d * u if self.backoff.jitter == "full" else d / 2 + d / 2 * u

    def worst_case_backoff(self) -> float:
        """Sum of the longest waits between this layer's tries."""
        return sum(self.delay(i) for i in range(1, self.max_tries))

    def schedule(self, per_try: float) -> float:
        """tries × ``per_try`` + the longest backoffs: the layer's retry schedule."""
        return self.max_tries * per_try + self.worst_case_backoff()


_LAYERS: dict[tuple[object, ...], RetryLayer] = {}
_LAYERS_SIZE = 1 << 14


def _layer(kind: Literal["application", "mesh"], r: Retries | None) -> RetryLayer:
    """The layer of ``r``, one object per distinct layer (calls mostly share their
    policy, so outcomes memoised per layer object are shared too)."""
    words = tuple(r.retry_on) if r is not None else ()
    key: tuple[object, ...] = (
        (kind,) if r is None else (kind, r.attempts, r.per_try_timeout, words, r.backoff, r.budget)
    )
    hit = _LAYERS.get(key)
    if hit is not None:
        return hit
    if r is None:
        out = RetryLayer(kind)
    else:
        out = RetryLayer(
            kind,
            attempts=r.attempts,
            per_try_timeout=r.per_try_timeout,
            retry_on=retried_kinds(words),
            words=words,
            backoff=r.backoff,
            budget=r.budget,
            declared=True,
        )
    if len(_LAYERS) >= _LAYERS_SIZE:
        _LAYERS.clear()
    _LAYERS[key] = out
    return out


@dataclass(frozen=True)
class CallSemantics:
    """Everything a call does, read once from the model's ``Call``."""

    to: str
    app: RetryLayer
    mesh: RetryLayer
    timeout: float | None
    per_request: float
    fallback: str | None
    """The fallback operation ``service.op`` (None: no fallback or a local one)."""
    local_fallback: bool
    """``cache`` / ``static``: the caller answers itself, always successfully."""
    parallel: str | None = None
    layers: tuple[RetryLayer, RetryLayer] = field(init=False)
    """(application, mesh), in the order their model fields are written."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", (self.app, self.mesh))

    @cached_property
    def max_tries(self) -> int:
        """Most tries of the callee one repetition makes: app attempts × mesh attempts."""
        return self.app.max_tries * self.mesh.max_tries

    @cached_property
    def app_window(self) -> float | None:
        """Deadline of one application try from its start: its per-try timeout, capped
        by the overall timeout (None: unbounded)."""
        return _min(self.app.per_try_timeout, self.timeout)

    @cached_property
    def try_deadline(self) -> float | None:
        """The tightest deadline of one try of the callee from its start: the mesh
        per-try timeout, the application per-try timeout or the overall timeout."""
        return _min(self.mesh.per_try_timeout, self.app_window)

    @cached_property
    def sampling_bounds(self) -> tuple[np.float32 | None, np.float32 | None]:
        """For :func:`sample_repetition`, in float32: the overall timeout, and the first
        try's deadline when a per-try timeout bounds it (None: no per-try timeout)."""
        import numpy as np

        timeout = np.float32(self.timeout) if self.timeout is not None else None
        if self.app.per_try_timeout is None and self.mesh.per_try_timeout is None:
            return timeout, None
        cap0 = timeout if timeout is not None else np.float32(np.inf)
        for bound in (self.app.per_try_timeout, self.mesh.per_try_timeout):
            if bound is not None:
                cap0 = min(cap0, np.float32(bound))
        return timeout, cap0

    @property
    def has_fallback(self) -> bool:
        return self.local_fallback or self.fallback is not None


def try_deadline_field(call: Call) -> tuple[float, tuple[str, ...]] | None:
    """The tightest deadline of one try of the callee and the model field that sets it
    (``("mesh_retries", "per_try_timeout")``, ``("retries", "per_try_timeout")`` or
    ``("timeout",)``); None when no deadline bounds a try."""
    sem = semantics(call)
    candidates = [
        (sem.mesh.per_try_timeout, ("mesh_retries", "per_try_timeout")),
        (sem.app.per_try_timeout, ("retries", "per_try_timeout")),
        (sem.timeout, ("timeout",)),
    ]
    present = [(v, key) for v, key in candidates if v is not None]
    return min(present, key=lambda c: c[0]) if present else None


def _min(*xs: float | None) -> float | None:
    vals = [x for x in xs if x is not None]
    return min(vals) if vals else None


_SEM: dict[int, tuple[Call, CallSemantics]] = {}
_SEM_SIZE = 1 << 17
"""Calls whose semantics stay cached (each entry keeps its call alive, so ids are not reused)."""


def semantics(call: Call) -> CallSemantics:
    """The semantics of a call (cached per call object; calls are immutable)."""
    hit = _SEM.get(id(call))
    if hit is not None and hit[0] is call:
        return hit[1]
    fb = call.fallback
    sem = CallSemantics(
        to=call.to,
        app=_layer("application", call.retries),
        mesh=_layer("mesh", call.mesh_retries),
        timeout=call.timeout,
        per_request=call.per_request,
        fallback=fb if fb is not None and "." in fb else None,
        local_fallback=fb in ("cache", "static"),
        parallel=call.parallel,
    )
    if len(_SEM) >= _SEM_SIZE:
        _SEM.clear()
    _SEM[id(call)] = (call, sem)
    return sem


def max_tries(call: Call) -> int:
    """Most tries of the callee per repetition: application attempts × mesh attempts."""
    return semantics(call).max_tries


def repetitions(per_request: float) -> tuple[int, float]:
    """(⌊k⌋ sequential repetitions, probability k − ⌊k⌋ of one more) for ``per_request``."""
    whole = math.floor(per_request)
    return whole, per_request - whole


def ceil_repetitions(per_request: float) -> int:
    """Most repetitions one request can make: ⌈per_request⌉."""
    return math.ceil(per_request)


# --------------------------------------------------------------------------- outcomes

Mix = Mapping[Failure, float]
"""Probability of each failure kind for one try (the rest is success)."""


Memory = Callable[[float], float]
"""P(a try is refused again | the previous try of the call was refused ``d`` seconds
before it started): a full queue stays full for a while, so a retry without backoff
mostly meets it again. Given by the callee's queue (``analysis.queueing.refusal_memory``);
None: tries are independent."""


def after_refusal(mix: Mix, memory: Memory | None, delay: float) -> Mix:
    """The failure mix of a try that starts ``delay`` seconds after a refused try: refused
    with ``memory(delay)``, and if admitted failing like any admitted try (the other kinds
    of ``mix`` rescaled to the admitted share)."""
    r = mix.get(Failure.unavailable, 0.0)
    if memory is None or r <= 0.0 or r >= 1.0:
        return mix
    q = min(1.0, max(r, memory(delay)))
    scale = (1.0 - q) / (1.0 - r)
    out: dict[Failure, float] = {k: p * scale for k, p in mix.items() if k is not Failure.unavailable}
    out[Failure.unavailable] = q
    return out


@dataclass(frozen=True)
class LayerOutcome:
    """What a retry layer turns a per-try failure mix into."""

    success: float
    failures: dict[Failure, float]
    """Probability that the layer ends failed with each kind."""
    tries: float
    """Expected tries the layer makes."""
    tries_after_refusal: float = 0.0
    """Of ``tries``, the expected tries that follow a refused try of the layer."""
    load: float = math.nan
    """``tries`` as load on the callee's queue: a try counts by its chance of admission
    relative to an independent try's, (1 − P(refused)) / (1 − r) — a retry that meets the
    same full queue again changes nothing there (NaN: equal to ``tries``)."""


def layer_outcome(
    layer: RetryLayer,
    mix: Mix,
    timeout_cost: float = 0.0,
    window: float | None = None,
    grant: float = 1.0,
    again: Callable[[float], Mix] | None = None,
    first: Mix | None = None,
) -> LayerOutcome:
    """Outcome of one retry layer whose tries fail with ``mix``.

    A failure of a retried kind is retried while tries remain and the retry (after the
    layer's mean backoff) starts before ``window`` (seconds from the layer's start);
    a try failing with ``timeout`` takes ``timeout_cost`` seconds, other failures none;
    the retry budget grants each retry with probability ``grant``. ``first``: the mix of
    the layer's first try (default ``mix``). ``again(d)``: the mix of a retry of a refused
    try after a backoff of ``d`` seconds (default ``mix``: independent tries).
    Exact for independent tries and unbounded windows: success = s (1 − r^n) / (1 − r),
    r the retried share.
    """
    return _layer_outcome(layer, mix, timeout_cost, window, grant, again, first)


_MEMO_SIZE = 1 << 17
"""Entries the outcome memo keeps (cleared when full)."""


_Terms = tuple[float, float, list[tuple[Failure, float, bool, bool, bool]]]


def _terms(layer: RetryLayer, m: Mix, base_r: float) -> _Terms:
    """Per try mix: its load factor, success share and (kind, p, timeout?, retried?,
    refused?) of its kinds with p > 0 — what every state of :func:`_layer_outcome` reads."""
    load = 1.0 if base_r >= 1.0 else (1.0 - m.get(Failure.unavailable, 0.0)) / (1.0 - base_r)
    ok = max(0.0, 1.0 - sum(m.values()))
    kinds = [
        (kind, p, kind is Failure.timeout, kind in layer.retry_on, kind is Failure.unavailable)
        for kind, p in m.items() if p > 0.0
    ]
    return load, ok, kinds


def _layer_outcome(
    layer: RetryLayer,
    mix: Mix,
    timeout_cost: float,
    window: float | None,
    grant: float,
    again: Callable[[float], Mix] | None,
    first: Mix | None,
) -> LayerOutcome:
    """:func:`layer_outcome`, computed."""
    base_r = mix.get(Failure.unavailable, 0.0)
    if layer.attempts == 1:  # one try: the loop below with its one state, pi = 1
        m_load, m_ok, kinds = _terms(layer, first if first is not None else mix, base_r)
        once: dict[Failure, float] = dict.fromkeys(mix, 0.0)
        for kind, p, *_ in kinds:
            once[kind] = once.get(kind, 0.0) + p
        return LayerOutcome(m_ok, once, 1.0, 0.0, m_load)
    # states: (number of timed-out tries so far, previous try refused) → probability of
    # reaching the next try
    states: dict[tuple[int, bool], float] = {(0, False): 1.0}
    success = 0.0
    tries = 0.0
    tries_again = 0.0
    load = 0.0
    final: dict[Failure, float] = dict.fromkeys(mix, 0.0)
    waited = 0.0
    delay = 0.0
    terms: dict[int, tuple[Mix, _Terms]] = {}  # by id of the mix, which the entry keeps alive
    for i in range(1, layer.attempts + 1):
        nxt: dict[tuple[int, bool], float] = {}
        last = i == layer.attempts
        try_mix = first if (i == 1 and first is not None) else mix
        refused_mix = again(delay) if (again is not None and i > 1) else try_mix
        if not last:
            delay = layer.mean_delay(i)
            waited += delay
        for (timeouts, refused), pi in states.items():
            m = refused_mix if refused else try_mix
            hit = terms.get(id(m))
            if hit is None or hit[0] is not m:
                hit = terms[id(m)] = (m, _terms(layer, m, base_r))
            m_load, m_ok, kinds = hit[1]
            tries += pi
            load += pi * m_load
            if refused:
                tries_again += pi
            success += pi * m_ok
            for kind, p, is_timeout, retried, is_refusal in kinds:
                final.setdefault(kind, 0.0)
                t2 = timeouts + is_timeout
                if last or not retried or (
                    window is not None and t2 * timeout_cost + waited >= window
                ):
                    final[kind] += pi * p
                else:
                    key = (t2, is_refusal)
                    nxt[key] = nxt.get(key, 0.0) + pi * p * grant
                    final[kind] += pi * p * (1.0 - grant)
        states = nxt
        if not states:
            break
    return LayerOutcome(success, final, tries, tries_again, load)


def proxy_mix(
    call: Call,
    p_error: float,
    p_exceeds: Callable[[float], float] | None = None,
    p_reject: float = 0.0,
) -> Mix:
    """Failure mix of one try of the callee: its full queue refuses it with ``p_reject``
    (kind ``unavailable``: ``runtime.queue_limit``); an admitted try times out with
    P(duration > the try's deadline) (``p_exceeds``; 0 without a deadline or without it),
    else fails fast with ``p_error``."""
    sem = semantics(call)
    d = sem.try_deadline
    p_to = p_exceeds(d) if (p_exceeds is not None and d is not None) else 0.0
    admitted = 1.0 - p_reject
    mix = {Failure.error: admitted * (1.0 - p_to) * p_error, Failure.timeout: admitted * p_to}
    if p_reject > 0.0:
        mix[Failure.unavailable] = p_reject
    return mix


@dataclass(frozen=True)
class CallOutcome:
    """One repetition of a call, fallback excluded."""

    success: float
    failures: dict[Failure, float]
    tries: float
    """Expected tries of the callee (mesh tries of every application try)."""
    app_tries: float
    """Expected application tries."""
    load: float = math.nan
    """``tries`` as load on the callee's queue (see ``LayerOutcome.load``; NaN: ``tries``)."""

    @property
    def queue_load(self) -> float:
        """Tries per repetition as arrivals that count at the callee's queue."""
        return self.tries if math.isnan(self.load) else self.load


def call_outcome(
    call: Call, mix: Mix, calls_per_second: float | None = None, memory: Memory | None = None
) -> CallOutcome:
    """Success and expected tries of one repetition whose callee tries fail with ``mix``:
    the mesh layer inside each application try, the application layer outside. With
    ``calls_per_second`` (repetitions of this call per second), each layer's retry
    budget grants every retry with the probability at which its retries per second
    equal what the budget allows (1 when it does not bind). ``memory``: how a refusal's
    retry depends on the refusal (:data:`Memory`; None: independent tries)."""
    out = _call_outcome(call, mix, 1.0, 1.0, memory)
    if calls_per_second is None or calls_per_second <= 0:
        return out
    sem = semantics(call)
    if sem.app.budget is None and sem.mesh.budget is None:
        return out
    g_mesh = g_app = 1.0
    for _ in range(3):  # the two layers' grants depend on each other a little
        g_mesh = _solve_grant(
            sem.mesh, partial(_with_app_grant, call, mix, g_app, memory), calls_per_second, mesh=True
        )
        g_app = _solve_grant(
            sem.app, partial(_with_mesh_grant, call, mix, g_mesh, memory), calls_per_second, mesh=False
        )
    return _call_outcome(call, mix, g_mesh, g_app, memory)


def _with_app_grant(call: Call, mix: Mix, g_app: float, memory: Memory | None, g_mesh: float) -> CallOutcome:
    return _call_outcome(call, mix, g_mesh, g_app, memory)


def _with_mesh_grant(call: Call, mix: Mix, g_mesh: float, memory: Memory | None, g_app: float) -> CallOutcome:
    return _call_outcome(call, mix, g_mesh, g_app, memory)


def _solve_grant(
    layer: RetryLayer, outcome: Callable[[float], CallOutcome], rate: float, mesh: bool
) -> float:
    """The grant g at which the layer's retries per second equal what its budget allows
    (1.0 when the budget does not bind): retries grow with g, so bisect."""
    b = layer.budget
    if b is None:
        return 1.0

    def excess(g: float) -> float:
        out = outcome(g)
        calls = rate * (out.app_tries if mesh else 1.0)
        retries = rate * (out.tries - out.app_tries if mesh else out.app_tries - 1.0)
        return retries - max(b.min_per_second, b.ratio / 100.0 * calls)

    if excess(1.0) <= 0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if excess(mid) > 0:
            hi = mid
        else:
            lo = mid
    return lo


_CALL_OUTCOMES: dict[tuple[object, ...], tuple[RetryLayer, RetryLayer, CallOutcome]] = {}
""":func:`_call_outcome` by what it reads: (application and mesh layer ids, timeout, mix,
grants, memory); each entry keeps its layers alive. Shared: never mutate their dicts."""


def _call_outcome(
    call: Call, mix: Mix, g_mesh: float, g_app: float, memory: Memory | None = None
) -> CallOutcome:
    sem = semantics(call)
    key = (id(sem.app), id(sem.mesh), sem.timeout, tuple(mix.items()), g_mesh, g_app, memory)
    hit = _CALL_OUTCOMES.get(key)
    if hit is not None and hit[0] is sem.app and hit[1] is sem.mesh:
        return hit[2]
    out = _repetition_outcome(sem, mix, g_mesh, g_app, memory)
    if len(_CALL_OUTCOMES) >= _MEMO_SIZE:
        _CALL_OUTCOMES.clear()
    _CALL_OUTCOMES[key] = (sem.app, sem.mesh, out)
    return out


def _repetition_outcome(
    sem: CallSemantics, mix: Mix, g_mesh: float, g_app: float, memory: Memory | None
) -> CallOutcome:
    """:func:`_call_outcome`, computed: it reads only the call's layers and timeout."""
    d = sem.try_deadline or 0.0

    def mesh_again(delay: float) -> Mix:
        return after_refusal(mix, memory, delay)

    def inner_layer(first: Mix | None) -> LayerOutcome:
        return layer_outcome(sem.mesh, mix, d, sem.app_window, g_mesh,
                             mesh_again if memory is not None else None, first)

    inner = inner_layer(None)
    # an application try that ended in a timeout lasted the proxy's timed-out tries (the
    # ones it retried, with their backoffs), at most the application try's deadline
    app_cost = d
    if Failure.timeout in sem.mesh.retry_on:
        app_cost = sem.mesh.attempts * d + sum(
            sem.mesh.mean_delay(i) for i in range(1, sem.mesh.attempts)
        )
    if sem.app.per_try_timeout is not None:
        app_cost = min(app_cost, sem.app.per_try_timeout)
    if memory is None or mix.get(Failure.unavailable, 0.0) <= 0.0:
        outer = layer_outcome(sem.app, inner.failures, app_cost, sem.timeout, g_app)
        return CallOutcome(outer.success, outer.failures, outer.tries * inner.tries, outer.tries)
    # an application try that ended refused was refused by its last proxy try: the next
    # application try's first proxy try follows that refusal by the application backoff
    again_inner: dict[float, LayerOutcome] = {}

    def app_again(delay: float) -> Mix:
        if delay not in again_inner:
            again_inner[delay] = inner_layer(mesh_again(delay))
        return again_inner[delay].failures

    outer = layer_outcome(sem.app, inner.failures, app_cost, sem.timeout, g_app, app_again)
    after = list(again_inner.values())
    fresh = outer.tries - outer.tries_after_refusal
    again_tries = sum(o.tries for o in after) / len(after) if after else inner.tries
    again_load = sum(o.load for o in after) / len(after) if after else inner.load
    tries = fresh * inner.tries + outer.tries_after_refusal * again_tries
    load = fresh * inner.load + outer.tries_after_refusal * again_load
    return CallOutcome(outer.success, outer.failures, tries, outer.tries, load)


def expected_tries(
    call: Call, p_fail: float | Mix, calls_per_second: float | None = None,
    memory: Memory | None = None,
) -> float:
    """Expected tries of the callee per repetition of ``call`` when each try fails with
    ``p_fail`` (a fail-fast ``error`` probability, or a mix of kinds); with
    ``calls_per_second``, retry budgets apply; with ``memory`` (see :func:`call_outcome`),
    the tries as load on the callee's queue (``CallOutcome.queue_load``). Multiply by
    ``per_request`` for tries per request. Stable API: capacity arrival rates use it."""
    mix = {Failure.error: p_fail} if isinstance(p_fail, float | int) else p_fail
    out = call_outcome(call, mix, calls_per_second, memory)
    return out.tries if memory is None else out.queue_load


def repetition_success(
    call: Call, mix: Mix, fallback: float | None = None, calls_per_second: float | None = None,
    memory: Memory | None = None,
) -> float:
    """Success probability of one repetition: its tries, then its fallback. ``fallback``
    is the composed availability of a fallback operation (ignored for local fallbacks,
    which always succeed, and for calls without a fallback); ``memory``: see
    :func:`call_outcome`."""
    sem = semantics(call)
    a = call_outcome(call, mix, calls_per_second, memory).success
    if sem.local_fallback:
        return 1.0
    if sem.fallback is not None and fallback is not None:
        return a + (1.0 - a) * fallback
    return a


def call_success(
    call: Call, mix: Mix, fallback: float | None = None, requests_per_second: float | None = None,
    memory: Memory | None = None,
) -> float:
    """Success of the call per request: every repetition must succeed, so a^⌊k⌋ ×
    (1 − f + f·a) for ``per_request`` k = ⌊k⌋ + f and a one repetition's success.
    ``requests_per_second`` of the caller's operation lets retry budgets apply;
    ``memory``: see :func:`call_outcome`."""
    rate = None if requests_per_second is None else requests_per_second * call.per_request
    a = repetition_success(call, mix, fallback, rate, memory)
    whole, frac = repetitions(call.per_request)
    return float(a**whole * (1.0 - frac + frac * a))


# --------------------------------------------------------------------------- time budgets


def mesh_sequence_worst(call: Call, callee_worst: float) -> float | None:
    """The longest one application try's proxy sequence may take: mesh attempts × one
    (per-try-capped) callee try + mesh backoffs (None without mesh retries)."""
    sem = semantics(call)
    if not sem.mesh.declared:
        return None
    per_try = _min(sem.mesh.per_try_timeout, callee_worst)
    return sem.mesh.schedule(per_try if per_try is not None else callee_worst)


def app_schedule(call: Call, callee_worst: float) -> float:
    """attempts × per-try bound + worst backoff of the application layer; the bound is
    its per-try timeout, else the call timeout, else the callee's worst case."""
    sem = semantics(call)
    bound = sem.app.per_try_timeout if sem.app.per_try_timeout is not None else sem.timeout
    return sem.app.schedule(bound if bound is not None else callee_worst)


def call_needs(call: Call, callee_worst: float) -> float:
    """What a call needs to finish its retry schedule at worst: application attempts ×
    (application per-try timeout, else one worst-case proxy sequence) + backoffs."""
    sem = semantics(call)
    if sem.app.per_try_timeout is not None:
        per_try = sem.app.per_try_timeout
    else:
        mesh = mesh_sequence_worst(call, callee_worst)
        per_try = mesh if mesh is not None else callee_worst
    return sem.app.schedule(per_try)


def worst_case(call: Call, callee_worst: float) -> float:
    """The longest a caller waits on one repetition: every try runs to its bound (mesh
    per-try, application per-try), with the longest backoffs, capped by the timeout."""
    sem = semantics(call)
    one = mesh_sequence_worst(call, callee_worst)
    if one is None:
        one = callee_worst
    bound = sem.app_window
    if bound is not None:
        one = min(one, bound)
    total = sem.app.schedule(one)
    return min(total, sem.timeout) if sem.timeout is not None else total


# --------------------------------------------------------------------------- Monte Carlo

if TYPE_CHECKING:  # numpy is imported where samples are drawn (validate never needs it)
    import numpy as np
    import numpy.typing as npt

    Samples = npt.NDArray[np.float32]


def sample_repetition(
    call: Call,
    draw: Callable[[], Samples],
    uniform: Callable[[], Samples],
) -> tuple[Samples, npt.NDArray[np.bool_]]:
    """Vectorised durations of one repetition, failures being timeouts only: each
    callee try takes ``draw()``; a try longer than its deadline fails with ``timeout``
    and is retried by the layers that retry timeouts (mesh inside application, with
    jittered backoffs from ``uniform()``), as in the module contract. Returns (time
    until the repetition resolved, whether it failed). The retries of slow samples use
    ``draw.at(index)`` when ``draw`` has it: the same draw at ``index`` only."""
    import numpy as np

    sem = semantics(call)
    first = draw()
    timeout, cap0 = sem.sampling_bounds
    if cap0 is None:
        # only the overall deadline bounds the tries, and nothing is retried after it
        if timeout is None:
            return first, np.zeros(len(first), dtype=bool)
        return np.minimum(first, timeout), first > timeout
    # A sample whose first try meets its first deadline is done: its time is that try and
    # it did not fail. Only the others ("slow") take the tries below, each sample on its own,
    # so they run on the slow samples alone (the same draws, so the same values).
    done = first <= cap0
    if done.all():
        return first, np.zeros(len(first), dtype=bool)
    slow = np.flatnonzero(~done)
    if len(slow) == len(first):
        return _tries(sem, first, draw, uniform)
    now, failed = first.copy(), np.zeros(len(first), dtype=bool)
    now[slow], failed[slow] = _tries(sem, first[slow], _subset(draw, slow), _subset(uniform, slow))
    return now, failed


def _subset(draw: Callable[[], Samples], index: npt.NDArray[np.intp]) -> Callable[[], Samples]:
    """``draw()`` at ``index`` only; a draw with an ``at(index)`` method makes just those
    values (the same ones, without the rest of the draw)."""
    at: Callable[[npt.NDArray[np.intp]], Samples] | None = getattr(draw, "at", None)
    if at is not None:
        return partial(at, index)
    return lambda: draw()[index]


def _tries(
    sem: CallSemantics,
    first: Samples,
    draw: Callable[[], Samples],
    uniform: Callable[[], Samples],
) -> tuple[Samples, npt.NDArray[np.bool_]]:
    """:func:`sample_repetition`'s tries for samples whose first try is ``first``."""
    import numpy as np

    n = len(first)
    inf = np.float32(np.inf)
    timeout, _ = sem.sampling_bounds
    total_deadline = timeout if timeout is not None else inf
    now = np.zeros(n, dtype=np.float32)
    pending = np.ones(n, dtype=bool)  # the repetition is still unresolved
    failed = np.zeros(n, dtype=bool)
    sample: Samples | None = first
    app = sem.app
    mesh = sem.mesh
    app_bound = np.float32(app.per_try_timeout) if app.per_try_timeout is not None else inf
    mesh_bound = np.float32(mesh.per_try_timeout) if mesh.per_try_timeout is not None else None
    for a in range(1, app.attempts + 1):
        app_deadline = np.minimum(now + app_bound, total_deadline)
        trying = pending.copy()  # this application try is still running
        for m in range(1, mesh.attempts + 1):
            d = sample if sample is not None else draw()
            sample = None
            cap = app_deadline - now
            if mesh_bound is not None:
                cap = np.minimum(cap, mesh_bound)
            ok = trying & (d <= cap)
            now = np.where(trying, now + np.minimum(d, cap), now)
            pending &= ~ok
            trying &= ~ok
            retry = _retry_timeouts(mesh, m, trying, now, app_deadline, uniform)
            if retry is None:
                break
            trying, now = retry
        # the application try failed (timeout) for pending ones
        retry = _retry_timeouts(app, a, pending, now, total_deadline, uniform)
        if retry is None:
            break
        failed |= pending & ~retry[0]
        pending, now = retry
    failed |= pending
    return now, failed


def _retry_timeouts(
    layer: RetryLayer,
    tried: int,
    active: npt.NDArray[np.bool_],
    now: Samples,
    limit: Samples | np.float32,
    uniform: Callable[[], Samples],
) -> tuple[npt.NDArray[np.bool_], Samples] | None:
    """After try ``tried`` of ``layer`` timed out for the ``active`` samples: the ones
    that retry (the retry, after its backoff, starts before ``limit``) and the new clock;
    None when the layer makes no further try for any."""
    import numpy as np

    if not active.any() or tried == layer.attempts or Failure.timeout not in layer.retry_on:
        return None
    wait = _waits(layer, tried, uniform)
    go = active & (now + wait < limit)
    return go, np.where(go, now + wait, now)


def _waits(layer: RetryLayer, retry: int, uniform: Callable[[], Samples]) -> Samples | np.float32:
    import numpy as np

    if layer.backoff is None:
        return np.float32(0.0)
    d = np.float32(layer.delay(retry))
    if layer.backoff.jitter == "none":
        return d
    u = uniform()
    return u * d if layer.backoff.jitter == "full" else d / 2 + u * (d / 2)


# --------------------------------------------------------------------------- mesh routes


@dataclass(frozen=True)
class MeshRoutePolicy:
    """What a mesh route for one call must say, exactly (emitters render only this).

    ``retries == 0`` means mesh retries OFF, which emitters must write explicitly (an
    Istio VirtualService retries twice by default; Linkerd and Consul have defaults too).
    """

    retries: int
    """Retries after the first try (mesh attempts − 1)."""
    per_try_timeout: float | None
    retry_on: tuple[RetryOn, ...]
    timeout: float | None
    """The route timeout: the application try's deadline (the proxy gives up when the
    application would), else none."""
    backoff: Backoff | None
    budget: RetryBudget | None


def mesh_route_policy(call: Call) -> MeshRoutePolicy:
    """The route policy the caller's proxy applies to ``call``."""
    sem = semantics(call)
    m = sem.mesh
    on = m.retries
    return MeshRoutePolicy(
        retries=m.attempts - 1 if on else 0,
        per_try_timeout=m.per_try_timeout if on else None,
        retry_on=m.words if on else (),
        timeout=sem.app_window,
        backoff=m.backoff if on else None,
        budget=m.budget if on else None,
    )
