"""The compiled engine: the C core (``_simcore``, built at install) runs plain request
networks — FIFO replicas with round-robin balancing, sequential calls, intrinsic failures.

This module flattens the model into the core's tables (operations, call targets, stations)
and turns its counters back into a :class:`Recorder`. Same semantics as :mod:`engine` for
the models :func:`unsupported` accepts; ``SimOptions.engine`` "auto" picks it whenever it
can. When the extension is missing (installed without a C compiler), :func:`available`
says so and the Python engine runs instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from meshwright.graph import call_groups, calls_from
from meshwright.model.types import Model
from meshwright.simulate.distributions import sampler_for
from meshwright.simulate.recorder import LATENCY_SAMPLE, Latencies, Recorder
from meshwright.simulate.scenario import Scenario

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

PROGRESS_EVERY = 1 << 20
"""Events between two progress reports from the core."""

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


def unsupported(model: Model, scenario: Scenario) -> str | None:
    """Why the compiled engine cannot run this model and scenario (None: it can)."""
    if scenario.events:
        return "the scenario has faults"
    for ep in model.entrypoints:
        if ep.profile or ep.rate_limit:
            return f"entrypoint {ep.label} has a rate profile or limit"
    for name, svc in model.services.items():
        rt = svc.runtime
        if svc.rate_limit or rt.autoscale or rt.queue_limit is not None:
            return f"service {name} has a rate limit, autoscaling or a bounded queue"
        if rt.replicas == 0:
            return f"service {name} has no replicas"
        if rt.load_balancing != "round_robin":
            return f"service {name} balances with {rt.load_balancing}"
        if svc.consumes:
            return f"service {name} consumes topics"
        for call in svc.all_calls():
            if (call.timeout is not None or call.retries or call.mesh_retries or call.circuit_breaker
                    or call.bulkhead or call.rate_limit or call.has_fallback or call.parallel
                    or call.per_request != int(call.per_request)):
                return f"a call of {name} has a resilience policy, a parallel group or fractional per_request"
    return None


def run_compiled(model: Model, options: Any, labels: list[str], rec: Recorder,
                 progress: Callable[[float], None] | None = None) -> Recorder:
    """Fill ``rec`` by running the C core (the caller checked :func:`available` and
    :func:`unsupported`)."""
    core = _load()
    if core is None:
        raise RuntimeError(f"the compiled simulation core is not built: {_missing}")
    services = list(model.services)
    st_index = {name: i for i, name in enumerate(services)}
    ops: list[str] = []
    for sname, svc in model.services.items():
        ops.extend(f"{sname}.{o}" for _, o, _ in svc.operations())
    op_index = {ref: i for i, ref in enumerate(ops)}
    n_ops = len(ops)
    op_station = np.zeros(n_ops, np.int64)
    op_kind = np.zeros(n_ops, np.int64)
    op_a = np.zeros(n_ops, np.float64)
    op_b = np.zeros(n_ops, np.float64)
    op_fail = np.zeros(n_ops, np.float64)
    op_first = np.zeros(n_ops, np.int64)
    op_last = np.zeros(n_ops, np.int64)
    targets: list[int] = []
    for ref, i in op_index.items():
        sname, oname = ref.split(".", 1)
        svc = model.services[sname]
        op = svc.operation(oname)
        assert op is not None
        sampler = sampler_for(op.service_time)
        op_station[i] = st_index[sname]
        op_kind[i], op_a[i], op_b[i] = sampler.kind, sampler.a, sampler.b
        op_fail[i] = (1.0 - svc.availability / 100.0) if options.intrinsic_failures else 0.0
        op_first[i] = len(targets)
        for group in call_groups(calls_from(model, ref)):
            for edge in group:
                if edge.callee in op_index:
                    targets.extend([op_index[edge.callee]] * int(edge.call.per_request))
        op_last[i] = len(targets)
    n_st = len(services)
    st_conc = np.array([model.services[s].runtime.concurrency for s in services], np.int64)
    st_nrep = np.array([model.services[s].runtime.replicas for s in services], np.int64)
    eps = [ep for ep in model.entrypoints if ep.operation in op_index]
    ep_op = np.array([op_index[ep.operation] for ep in eps], np.int64)
    ep_rate = np.array([ep.rate for ep in eps], np.float64)
    nb = rec.nb
    shape_s, shape_e = (n_st, nb), (len(eps), nb)
    st_arr, st_ok, st_err, st_wsum, st_wn = (np.zeros(shape_s) for _ in range(5))
    ep_arr, ep_ok, ep_err = (np.zeros(shape_e) for _ in range(3))
    snap_b, snap_q, snap_c = np.zeros(shape_s), np.zeros(shape_s), np.zeros(shape_s)
    tables = [ep_op, ep_rate, op_station, op_kind, op_a, op_b, op_fail, op_first, op_last,
              np.array(targets, np.int64), st_conc, st_nrep,
              st_arr, st_ok, st_err, st_wsum, st_wn, ep_arr, ep_ok, ep_err, snap_b, snap_q, snap_c]
    events, who_b, bks_b, vals_b = core.run(
        options.seed & 0xFFFF_FFFF_FFFF_FFFF, float(options.duration), rec.width, nb,
        LATENCY_SAMPLE, tables, progress, PROGRESS_EVERY,
    )
    rec.events = int(events)
    who = np.frombuffer(who_b, np.int64)
    lat_lists = _group(who, np.frombuffer(bks_b, np.int64), np.frombuffer(vals_b, np.float64),
                       n_st + len(eps), nb)
    widths = np.diff(np.minimum(np.arange(nb + 1) * rec.width, rec.duration))
    for s, name in enumerate(services):
        series = rec.services[name]
        series.arrivals = st_arr[s].tolist()
        series.ok = st_ok[s].tolist()
        series.errors = st_err[s].tolist()
        series.wait_sum = st_wsum[s].tolist()
        series.wait_n = st_wn[s].tolist()
        series.latencies = lat_lists[s]
        busy, queue, capa = (np.diff(np.concatenate([[0.0], snap[s]])) for snap in (snap_b, snap_q, snap_c))
        series.busy = np.divide(busy, widths, out=np.zeros(nb), where=widths > 0).tolist()
        series.queue = np.divide(queue, widths, out=np.zeros(nb), where=widths > 0).tolist()
        series.utilisation = np.divide(busy, capa, out=np.zeros(nb), where=capa > 0).tolist()
        series.replicas = [float(st_nrep[s])] * nb
    for e, label in enumerate(lbl for ep, lbl in zip(model.entrypoints, labels, strict=True)
                              if ep.operation in op_index):
        series = rec.entrypoints[label]
        series.arrivals = ep_arr[e].tolist()
        series.ok = ep_ok[e].tolist()
        series.errors = ep_err[e].tolist()
        series.latencies = lat_lists[n_st + e]
    return rec


def _group(who: IntArray, bks: IntArray, vals: FloatArray, groups: int, nb: int) -> list[list[Latencies]]:
    """Latency records split into [group][bucket] arrays. The core emits them bucket by
    bucket, each bucket group by group, so (bucket, group) never decreases: no sort."""
    out: list[list[Latencies]] = [[[] for _ in range(nb)] for _ in range(groups)]
    if who.size == 0:
        return out
    key = bks * groups + who
    cuts = np.flatnonzero(np.diff(key)) + 1
    starts = np.concatenate([[0], cuts])
    for start, chunk in zip(starts.tolist(), np.split(vals, cuts), strict=True):
        b, g = divmod(int(key[start]), groups)
        out[g][b] = chunk
    return out
