"""The compiled engine: the C core (``_simcore``, built at install) runs every model and
scenario — all call policies, stations, entrypoint limits and profiles, faults, topics and
autoscaling — with the semantics of :mod:`engine`, statement for statement.

There is one plan: :class:`engine.Engine` wires the model (stations, operation and call
plans with their policy state, consumer groups, entrypoints); :func:`run_compiled` flattens
that wired plan into the core's tuples and turns its counters back into the engine's
:class:`Recorder`. The core draws from the same generator as the Python engine
(``distributions.Random`` uses the core's when it is built) in the same order, so both
engines give the same recorder for the same seed (tests/simulate/test_exact.py). When the
extension is missing (installed without a C compiler), :func:`available` says so and the
Python engine runs instead.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from meshwright.simulate.network import KIND_NAMES, LayerPlan
from meshwright.simulate.policies import RetryBudgetState
from meshwright.simulate.recorder import LATENCY_SAMPLE, Latencies, Recorder

if TYPE_CHECKING:
    from meshwright.simulate.engine import Engine

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

PROGRESS_EVERY = 1 << 20
"""Events between two progress reports from the core."""
SEED_MASK = 0xFFFF_FFFF_FFFF_FFFF
"""The core's seeds are 64-bit."""
SERIES_FIELDS = ("arrivals", "ok", "errors", "rejected", "retries", "wait_sum", "wait_n", "busy",
                 "queue", "utilisation", "replicas")
"""A service's counters in the core's output table, in its order."""
ENTRY_FIELDS = ("arrivals", "ok", "errors", "rejected")
FAILURE_KINDS = (*KIND_NAMES, "deadline")
"""The failure counters' kinds, in the core's order."""
ACTIONS = {"crash": 0, "latency": 1, "errors": 2, "slow": 3, "partition": 4, "spike": 5}
JITTER = {"none": 0, "full": 1, "equal": 2}

_core: ModuleType | None = None
_missing: str | None = None


def _load() -> ModuleType | None:
    global _core, _missing
    if _core is None and _missing is None:
        try:
            _core = importlib.import_module("meshwright.simulate._simcore")
        except ImportError as exc:  # built without a C compiler
            _missing = str(exc)
    return _core


def available() -> bool:
    """The C core is built and loads."""
    return _load() is not None


def missing_reason() -> str:
    """Why the C core does not load ("" when it does)."""
    _load()
    return _missing or ""


def _layer(lp: LayerPlan) -> tuple[Any, ...]:
    """(attempts, per-try timeout, retry_on kinds as a bit mask, budget, jitter, the
    un-jittered wait before each retry from ``callpolicy.RetryLayer.delay``)."""
    layer = lp.layer
    b = lp.budget
    budget = None if b is None else (b.ratio, b.min_per_second, RetryBudgetState.WINDOW, b.window.width)
    jitter = 0 if layer.backoff is None else JITTER[layer.backoff.jitter]
    mask = sum(1 << k for k in lp.kinds)
    delays = [0.0, *(layer.delay(r) for r in range(1, lp.attempts + 1))]
    return (lp.attempts, lp.per_try, mask, budget, jitter, delays)


def _bucket(tb: Any) -> tuple[float, float] | None:
    return None if tb is None else (tb.rate, tb.capacity)


def plan_tables(eng: Engine) -> tuple[list[Any], list[str], list[str]]:
    """The engine's wired plan as the core's tuples, with the breaker and topic labels of
    the recorder rows they fill (see ``_simcore.c``, ``read_plan``)."""
    stations = list(eng.stations.values())
    st_index = {st.name: i for i, st in enumerate(stations)}
    plans = list(eng.plans.values())
    op_index = {id(p): i for i, p in enumerate(plans)}
    groups = [g for gs in eng.groups.values() for g in gs]
    tg_index = {id(g): i for i, g in enumerate(groups)}
    calls: list[Any] = []
    call_index: dict[int, int] = {}
    ops = []
    for p in plans:
        wired = []
        for parallel, cps in p.groups:
            idx = []
            for cp in cps:
                if id(cp) not in call_index:
                    call_index[id(cp)] = len(calls)
                    calls.append(cp)
                idx.append(call_index[id(cp)])
            wired.append((int(parallel), idx))
        s = p.sampler
        ops.append((st_index[p.station.name], s.kind, s.a, s.b, wired, int(p.static_steps is None),
                    [tg_index[id(g)] for g in p.publishes]))
    call_rows = []
    for cp in calls:
        br = cp.breaker
        breaker = None if br is None else (
            -1 if br.consecutive_limit is None else br.consecutive_limit, br.error_rate,
            br.min_requests, br.open_for, br.half_open_requests, br.window.width)
        bh = cp.bulkhead
        call_rows.append((
            op_index[id(cp.target)], st_index[cp.caller], st_index[cp.callee], cp.copies, cp.frac,
            cp.timeout, _layer(cp.app), _layer(cp.mesh), breaker,
            None if bh is None else (bh.max_concurrent, bh.max_queue), _bucket(cp.limiter),
            -1 if cp.fallback_target is None else op_index[id(cp.fallback_target)],
            int(cp.fallback_static)))
    station_rows = [
        (st.conc, len(st.replicas), -1 if st.qlimit is None else st.qlimit, st.lb, st.fail_p,
         _bucket(st.limiter),
         None if st.scale is None else (st.scale.reaction, st.scale.scale_down_stabilization))
        for st in stations
    ]
    series = {id(s): i for i, s in enumerate(eng.rec.entrypoints.values())}
    entries = [(op_index[id(ep.plan)], ep.base, _bucket(ep.limiter), series[id(ep.series)])
               for ep in eng.entries]
    profile = [(step.at, i, step.rate)
               for i, model_ep in enumerate(eng.model.entrypoints) if i < len(eng.entries)
               for step in model_ep.profile]
    group_rows = [(op_index[id(g.plan)], g.partitions,
                   None if g.dead_letter is None else [tg_index[id(d)] for d in g.dead_letter])
                  for g in groups]
    faults = []
    for ev in eng.scenario.events:
        st = -1 if ev.service is None else st_index.get(ev.service, -2)
        b0, b1 = (st_index.get(n, -1) for n in ev.between) if ev.between else (-1, -1)
        faults.append((ev.at, ev.end, ACTIONS[ev.action], st, ev.replicas or 0, ev.add, ev.rate,
                       ev.factor, b0, b1, ev.multiplier))
    breaker_owner = {id(cp.breaker): call_index[id(cp)] for cp in calls if cp.breaker is not None}
    br_labels = list(eng.breakers)
    breakers = [breaker_owner[id(b)] for b in eng.breakers.values()]
    topic_labels = list(eng.rec.topics)
    t_index = {label: i for i, label in enumerate(topic_labels)}
    topics = [(tg_index[id(g)], t_index[g.label]) for g in groups]
    plan = [station_rows, ops, call_rows, entries, profile, group_rows, faults, breakers, topics]
    return plan, br_labels, topic_labels


def run_compiled(eng: Engine, progress: Callable[[float], None] | None = None) -> Recorder:
    """Run the engine's wired plan on the C core and fill its recorder (the caller checked
    :func:`available`)."""
    from meshwright.simulate.engine import AUTOSCALE_PERIOD, CONNECT_TIMEOUT, REDELIVERY_DELAY

    core = _load()
    if core is None:
        raise RuntimeError(f"the compiled simulation core is not built: {_missing}")
    rec = eng.rec
    plan, br_labels, topic_labels = plan_tables(eng)
    stations = list(eng.stations.values())
    n_st, n_se, nb = len(stations), len(rec.entrypoints), rec.nb
    o_st = np.zeros((n_st, len(SERIES_FIELDS), nb))
    o_ep = np.zeros((n_se, len(ENTRY_FIELDS), nb))
    o_fail = np.zeros((n_st, len(FAILURE_KINDS)))
    o_br = np.zeros((len(br_labels), nb))
    o_tp = np.zeros((len(topic_labels), nb))

    def scale(s: int, n: int, used: float, replica_seconds: float) -> int:
        desired = eng.desired_replicas(stations[s], n, used, replica_seconds)
        return -1 if desired is None else desired

    constants = (CONNECT_TIMEOUT, AUTOSCALE_PERIOD, REDELIVERY_DELAY, n_se, len(topic_labels))
    events, counts_b, vals_b = core.run(
        eng.opt.seed & SEED_MASK, float(eng.opt.duration), rec.width, nb, LATENCY_SAMPLE,
        constants, plan, (o_st, o_ep, o_fail, o_br, o_tp), scale, progress, PROGRESS_EVERY,
    )
    rec.events = int(events)
    lat = _group(np.frombuffer(counts_b, np.int64), np.frombuffer(vals_b, np.float64), n_st + n_se, nb)
    for s, st in enumerate(stations):
        series = rec.services[st.name]
        for f, name in enumerate(SERIES_FIELDS):
            setattr(series, name, o_st[s, f].tolist())
        series.latencies = lat[s]
        rec.failures[st.name] = Counter(
            {k: int(v) for k, v in zip(FAILURE_KINDS, o_fail[s].tolist(), strict=True) if v})
    for e, series in enumerate(rec.entrypoints.values()):
        for f, name in enumerate(ENTRY_FIELDS):
            setattr(series, name, o_ep[e, f].tolist())
        series.latencies = lat[n_st + e]
    for k, label in enumerate(br_labels):
        rec.breakers[label] = [int(x) for x in o_br[k].tolist()]
    for k, label in enumerate(topic_labels):
        rec.topics[label] = o_tp[k].tolist()
    return rec


def _group(counts: IntArray, vals: FloatArray, groups: int, nb: int) -> list[list[Latencies]]:
    """The core's kept latencies split into [group][bucket] arrays (``counts`` is
    [bucket][group]: the values come bucket by bucket, each bucket group by group)."""
    out: list[list[Latencies]] = [[[] for _ in range(nb)] for _ in range(groups)]
    if vals.size == 0:
        return out
    chunks = np.split(vals, np.cumsum(counts)[:-1])
    for k in np.flatnonzero(counts).tolist():
        b, g = divmod(k, groups)
        out[g][b] = chunks[k]
    return out
