"""A compiled (numba) engine for plain request networks: FIFO replicas with round-robin
balancing, sequential calls, intrinsic failures, and no resilience policies or faults.

Same semantics as :mod:`engine` for the models it accepts (see :func:`unsupported`), with
array state instead of objects and numba instead of the interpreter; ``SimOptions.engine``
picks it automatically. Without numba it still runs, as slow plain Python.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from meshwright.graph import call_groups, calls_from
from meshwright.model.types import Model
from meshwright.simulate.distributions import sampler_for
from meshwright.simulate.recorder import LATENCY_SAMPLE, Latencies, Recorder
from meshwright.simulate.scenario import Scenario

F = TypeVar("F", bound=Callable[..., Any])

def cache_dir() -> Path:
    """Where numba keeps the compiled kernel: the user's cache, never the package's source
    tree (``MESHWRIGHT_CACHE_DIR``, else ``$XDG_CACHE_HOME/meshwright``, else
    ``~/.cache/meshwright``; numba's own ``NUMBA_CACHE_DIR`` wins when set)."""
    base = os.environ.get("MESHWRIGHT_CACHE_DIR")
    if base:
        return Path(base) / "numba"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "meshwright" / "numba"


os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir()))

try:  # pragma: no cover - depends on the environment
    import numba

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False


def _jit(fn: F) -> F:
    if not HAVE_NUMBA:  # pragma: no cover
        return fn
    return cast(F, numba.njit(cache=True)(fn))


def _inline(fn: F) -> F:
    """Compiled and inlined into its caller (no call, so no reference counting of arrays)."""
    if not HAVE_NUMBA:  # pragma: no cover
        return fn
    return cast(F, numba.njit(inline="always", cache=True)(fn))


IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_ARRIVE, _WORKED, _SAMPLE = 0, 1, 2
_A_SUBMIT, _A_START, _A_NEXT, _A_OK, _A_FAIL = 0, 1, 2, 3, 4


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


@_jit
def _grow_f(a: FloatArray) -> FloatArray:
    b = np.empty(a.shape[0] * 2, np.float64)
    b[: a.shape[0]] = a
    return b


@_jit
def _grow_i(a: IntArray) -> IntArray:
    b = np.empty(a.shape[0] * 2, np.int64)
    b[: a.shape[0]] = a
    return b


@_jit
def _seal_bucket(
    bucket: int,
    cur_n: IntArray,
    cur_v: FloatArray,
    lat_cap: int,
    lat_who: IntArray,
    lat_b: IntArray,
    lat_v: FloatArray,
    n_lat: int,
) -> tuple[IntArray, IntArray, FloatArray, int]:
    """Append each series' latency samples of the finished ``bucket`` (at most ``lat_cap``)
    to the output columns, growing them as needed, and empty the per-bucket samples."""
    for g in range(cur_n.shape[0]):
        m = min(cur_n[g], lat_cap)
        while n_lat + m >= lat_v.shape[0]:
            lat_who = _grow_i(lat_who)
            lat_b = _grow_i(lat_b)
            lat_v = _grow_f(lat_v)
        lat_who[n_lat:n_lat + m] = g
        lat_b[n_lat:n_lat + m] = bucket
        lat_v[n_lat:n_lat + m] = cur_v[g, :m]
        n_lat += m
        cur_n[g] = 0
    return lat_who, lat_b, lat_v, n_lat


@_jit
def _grow_jobs(
    j_op: IntArray,
    j_parent: IntArray,
    j_ep: IntArray,
    j_step: IntArray,
    j_failed: IntArray,
    j_rep: IntArray,
    j_next: IntArray,
    j_arr: FloatArray,
    free: IntArray,
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray, IntArray, FloatArray, IntArray, int]:
    """Double the job table (all columns and the free list); the new slots become free.
    Returns the grown columns, the free list and its new count."""
    old = j_op.shape[0]
    free = _grow_i(free)
    free[:old] = np.arange(2 * old - 1, old - 1, -1)
    return (
        _grow_i(j_op),
        _grow_i(j_parent),
        _grow_i(j_ep),
        _grow_i(j_step),
        _grow_i(j_failed),
        _grow_i(j_rep),
        _grow_i(j_next),
        _grow_f(j_arr),
        free,
        old,
    )


@_inline
def _draw(buf: FloatArray, pos: IntArray, k: int) -> float:
    """Next pre-drawn number of kind k (0 exponential, 1 normal, 2 uniform); when the
    buffer runs out, numba's own seeded generator continues the stream."""
    i = pos[k]
    if i < buf.shape[0]:
        pos[k] = i + 1
        return float(buf[i])
    if k == 0:
        return float(np.random.exponential(1.0))
    if k == 1:
        return float(np.random.standard_normal())
    return float(np.random.random())


@_inline
def _push(ht: FloatArray, hs: IntArray, hk: IntArray, ha: IntArray, n: int,
          t: float, seq: int, kind: int, arg: int) -> int:
    i = n
    ht[i] = t
    hs[i] = seq
    hk[i] = kind
    ha[i] = arg
    while i > 0:
        p = (i - 1) // 2
        if ht[p] < ht[i] or (ht[p] == ht[i] and hs[p] < hs[i]):
            break
        ht[p], ht[i] = ht[i], ht[p]
        hs[p], hs[i] = hs[i], hs[p]
        hk[p], hk[i] = hk[i], hk[p]
        ha[p], ha[i] = ha[i], ha[p]
        i = p
    return n + 1


@_inline
def _pop(ht: FloatArray, hs: IntArray, hk: IntArray, ha: IntArray, n: int) -> int:
    n -= 1
    ht[0] = ht[n]
    hs[0] = hs[n]
    hk[0] = hk[n]
    ha[0] = ha[n]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        c = left
        right = left + 1
        if right < n and (ht[right] < ht[left] or (ht[right] == ht[left] and hs[right] < hs[left])):
            c = right
        if ht[i] < ht[c] or (ht[i] == ht[c] and hs[i] < hs[c]):
            break
        ht[c], ht[i] = ht[i], ht[c]
        hs[c], hs[i] = hs[i], hs[c]
        hk[c], hk[i] = hk[i], hk[c]
        ha[c], ha[i] = ha[i], ha[c]
        i = c
    return n


@_inline
def _keep(cur_v: FloatArray, cur_n: IntArray, g: int, lat: float) -> None:
    """Reservoir sampling (Algorithm R) of group g's latencies in the current bucket."""
    k = cur_n[g]
    cap = cur_v.shape[1]
    if k < cap:
        cur_v[g, k] = lat
    else:
        r = int(np.random.random() * (k + 1))
        if r < cap:
            cur_v[g, r] = lat
    cur_n[g] = k + 1


@_jit
def _kernel(
    seed: int, duration: float, width: float, nb: int,
    ep_op: IntArray, ep_rate: FloatArray,
    op_station: IntArray, op_kind: IntArray, op_a: FloatArray, op_b: FloatArray,
    op_fail: FloatArray, op_first: IntArray, op_last: IntArray, call_target: IntArray,
    st_conc: IntArray, st_rep0: IntArray, st_nrep: IntArray,
    st_arr: FloatArray, st_ok: FloatArray, st_err: FloatArray, st_wsum: FloatArray,
    st_wn: FloatArray, ep_arr: FloatArray, ep_ok: FloatArray, ep_err: FloatArray,
    snap_busy: FloatArray, snap_queue: FloatArray, snap_cap: FloatArray,
    r_exp: FloatArray, r_norm: FloatArray, r_unif: FloatArray, lat_cap: int,
) -> tuple[int, IntArray, IntArray, FloatArray, int]:
    np.random.seed(seed)
    pos = np.zeros(3, np.int64)
    n_st = st_conc.shape[0]
    n_ep = ep_op.shape[0]
    n_rep = 0
    for s in range(n_st):
        n_rep += st_nrep[s]
    rep_busy = np.zeros(n_rep, np.int64)
    rep_head = np.full(n_rep, -1, np.int64)
    rep_tail = np.full(n_rep, -1, np.int64)
    st_busy = np.zeros(n_st, np.float64)
    st_queued = np.zeros(n_st, np.float64)
    st_last = np.zeros(n_st, np.float64)
    a_busy = np.zeros(n_st, np.float64)
    a_queue = np.zeros(n_st, np.float64)
    a_cap = np.zeros(n_st, np.float64)
    st_rr = np.full(n_st, -1, np.int64)

    cap = 1024
    j_op = np.zeros(cap, np.int64)
    j_parent = np.zeros(cap, np.int64)
    j_ep = np.zeros(cap, np.int64)
    j_step = np.zeros(cap, np.int64)
    j_failed = np.zeros(cap, np.int64)
    j_rep = np.zeros(cap, np.int64)
    j_next = np.zeros(cap, np.int64)
    j_arr = np.zeros(cap, np.float64)
    free = np.arange(cap - 1, -1, -1).astype(np.int64)
    nfree = cap

    ht = np.zeros(1024, np.float64)
    hs = np.zeros(1024, np.int64)
    hk = np.zeros(1024, np.int64)
    ha = np.zeros(1024, np.int64)
    n = 0
    seq = 0

    lat_who = np.zeros(1 << 16, np.int64)
    lat_b = np.zeros(1 << 16, np.int64)
    lat_v = np.zeros(1 << 16, np.float64)
    n_lat = 0
    # latencies of the current bucket, at most lat_cap per group (station or entrypoint);
    # moved to lat_* when the bucket changes, so memory does not grow with the run
    n_grp = n_st + n_ep
    cur_v = np.zeros((n_grp, lat_cap), np.float64)
    cur_n = np.zeros(n_grp, np.int64)
    cur_b = 0

    act = np.zeros(256, np.int64)
    arg_stack = np.zeros(256, np.int64)

    for e in range(n_ep):
        if ep_rate[e] > 0:
            n = _push(ht, hs, hk, ha, n, _draw(r_exp, pos, 0) / ep_rate[e], seq, _ARRIVE, e)
            seq += 1
    for b in range(nb):
        if n + 1 >= ht.shape[0]:
            ht = _grow_f(ht)
            hs = _grow_i(hs)
            hk = _grow_i(hk)
            ha = _grow_i(ha)
        n = _push(ht, hs, hk, ha, n, min((b + 1) * width, duration), seq, _SAMPLE, b)
        seq += 1

    events = 0
    while n > 0:
        now = ht[0]
        if now > duration:
            break
        kind = hk[0]
        arg = ha[0]
        n = _pop(ht, hs, hk, ha, n)
        events += 1
        bk = min(int(now / width), nb - 1)
        if bk != cur_b:
            lat_who, lat_b, lat_v, n_lat = _seal_bucket(
                cur_b, cur_n, cur_v, lat_cap, lat_who, lat_b, lat_v, n_lat
            )
            cur_b = bk
        sp = 0
        if kind == _ARRIVE:
            e = arg
            ep_arr[e, bk] += 1
            if nfree == 0:
                j_op, j_parent, j_ep, j_step, j_failed, j_rep, j_next, j_arr, free, nfree = _grow_jobs(
                    j_op, j_parent, j_ep, j_step, j_failed, j_rep, j_next, j_arr, free
                )
            nfree -= 1
            j = free[nfree]
            o = ep_op[e]
            j_op[j] = o
            j_parent[j] = -1
            j_ep[j] = e
            j_step[j] = op_first[o]
            j_failed[j] = 0
            j_arr[j] = now
            act[0] = _A_SUBMIT
            arg_stack[0] = j
            sp = 1
            if n + 1 >= ht.shape[0]:
                ht = _grow_f(ht)
                hs = _grow_i(hs)
                hk = _grow_i(hk)
                ha = _grow_i(ha)
            n = _push(ht, hs, hk, ha, n, now + _draw(r_exp, pos, 0) / ep_rate[e], seq, _ARRIVE, e)
            seq += 1
        elif kind == _WORKED:
            j = arg
            pf = op_fail[j_op[j]]
            act[0] = _A_FAIL if (pf > 0 and _draw(r_unif, pos, 2) < pf) else _A_NEXT
            arg_stack[0] = j
            sp = 1
        else:
            for s in range(n_st):
                dt = now - st_last[s]
                a_busy[s] += dt * st_busy[s]
                a_queue[s] += dt * st_queued[s]
                a_cap[s] += dt * st_conc[s] * st_nrep[s]
                st_last[s] = now
                snap_busy[s, arg] = a_busy[s]
                snap_queue[s, arg] = a_queue[s]
                snap_cap[s, arg] = a_cap[s]
        while sp > 0:
            sp -= 1
            a = act[sp]
            j = arg_stack[sp]
            o = j_op[j]
            s = op_station[o]
            if a == _A_SUBMIT:
                st_arr[s, bk] += 1
                st_rr[s] = (st_rr[s] + 1) % st_nrep[s]
                r = st_rep0[s] + st_rr[s]
                j_rep[j] = r
                if rep_busy[r] < st_conc[s]:
                    act[sp] = _A_START
                    arg_stack[sp] = j
                    sp += 1
                else:
                    dt = now - st_last[s]
                    a_busy[s] += dt * st_busy[s]
                    a_queue[s] += dt * st_queued[s]
                    a_cap[s] += dt * st_conc[s] * st_nrep[s]
                    st_last[s] = now
                    j_next[j] = -1
                    if rep_tail[r] < 0:
                        rep_head[r] = j
                    else:
                        j_next[rep_tail[r]] = j
                    rep_tail[r] = j
                    st_queued[s] += 1
            elif a == _A_START:
                r = j_rep[j]
                dt = now - st_last[s]
                a_busy[s] += dt * st_busy[s]
                a_queue[s] += dt * st_queued[s]
                a_cap[s] += dt * st_conc[s] * st_nrep[s]
                st_last[s] = now
                rep_busy[r] += 1
                st_busy[s] += 1
                st_wsum[s, bk] += now - j_arr[j]
                st_wn[s, bk] += 1
                k = op_kind[o]
                if k == 0:
                    d = op_a[o] * _draw(r_exp, pos, 0)
                elif k == 1:
                    d = math.exp(op_a[o] + op_b[o] * _draw(r_norm, pos, 1))
                else:
                    d = op_a[o]
                if n + 1 >= ht.shape[0]:
                    ht = _grow_f(ht)
                    hs = _grow_i(hs)
                    hk = _grow_i(hk)
                    ha = _grow_i(ha)
                n = _push(ht, hs, hk, ha, n, now + d, seq, _WORKED, j)
                seq += 1
            elif a == _A_NEXT:
                if j_failed[j] != 0:
                    act[sp] = _A_FAIL
                    arg_stack[sp] = j
                    sp += 1
                elif j_step[j] < op_last[o]:
                    if nfree == 0:
                        j_op, j_parent, j_ep, j_step, j_failed, j_rep, j_next, j_arr, free, nfree = (
                            _grow_jobs(j_op, j_parent, j_ep, j_step, j_failed, j_rep, j_next, j_arr, free)
                        )
                    nfree -= 1
                    c = free[nfree]
                    co = call_target[j_step[j]]
                    j_step[j] += 1
                    j_op[c] = co
                    j_parent[c] = j
                    j_ep[c] = -1
                    j_step[c] = op_first[co]
                    j_failed[c] = 0
                    j_arr[c] = now
                    act[sp] = _A_SUBMIT
                    arg_stack[sp] = c
                    sp += 1
                else:
                    act[sp] = _A_OK
                    arg_stack[sp] = j
                    sp += 1
            else:
                ok = a == _A_OK
                r = j_rep[j]
                dt = now - st_last[s]
                a_busy[s] += dt * st_busy[s]
                a_queue[s] += dt * st_queued[s]
                a_cap[s] += dt * st_conc[s] * st_nrep[s]
                st_last[s] = now
                rep_busy[r] -= 1
                st_busy[s] -= 1
                if rep_head[r] >= 0:
                    nxt = rep_head[r]
                    rep_head[r] = j_next[nxt]
                    if rep_head[r] < 0:
                        rep_tail[r] = -1
                    st_queued[s] -= 1
                    act[sp] = _A_START
                    arg_stack[sp] = nxt
                    sp += 1
                lat = now - j_arr[j]
                if ok:
                    st_ok[s, bk] += 1
                    _keep(cur_v, cur_n, s, lat)
                else:
                    st_err[s, bk] += 1
                p = j_parent[j]
                if p < 0:
                    e = j_ep[j]
                    if ok:
                        ep_ok[e, bk] += 1
                        _keep(cur_v, cur_n, n_st + e, lat)
                    else:
                        ep_err[e, bk] += 1
                else:
                    if not ok:
                        j_failed[p] = 1
                    act[sp] = _A_NEXT
                    arg_stack[sp] = p
                    sp += 1
                free[nfree] = j
                nfree += 1
            if sp + 3 >= act.shape[0]:
                act = _grow_i(act)
                arg_stack = _grow_i(arg_stack)
    lat_who, lat_b, lat_v, n_lat = _seal_bucket(cur_b, cur_n, cur_v, lat_cap, lat_who, lat_b, lat_v, n_lat)
    return events, lat_who, lat_b, lat_v, n_lat


def run_compiled(model: Model, options: Any, labels: list[str], rec: Recorder) -> Recorder:
    """Fill ``rec`` by running the compiled engine (the caller checked :func:`unsupported`)."""
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
    st_rep0 = np.concatenate([[0], np.cumsum(st_nrep)[:-1]]).astype(np.int64)
    eps = [ep for ep in model.entrypoints if ep.operation in op_index]
    ep_op = np.array([op_index[ep.operation] for ep in eps], np.int64)
    ep_rate = np.array([ep.rate for ep in eps], np.float64)
    nb = rec.nb
    shape_s, shape_e = (n_st, nb), (len(eps), nb)
    st_arr, st_ok, st_err, st_wsum, st_wn = (np.zeros(shape_s) for _ in range(5))
    ep_arr, ep_ok, ep_err = (np.zeros(shape_e) for _ in range(3))
    snap_b, snap_q, snap_c = np.zeros(shape_s), np.zeros(shape_s), np.zeros(shape_s)
    gen = np.random.default_rng(options.seed)
    draws = _expected_draws(ep_rate, float(options.duration), op_first, op_last, targets, ep_op)
    r_exp = gen.standard_exponential(draws)
    r_norm = gen.standard_normal(draws if (op_kind == 1).any() else 0)
    r_unif = gen.random(draws if (op_fail > 0).any() else 0)
    events, who, bks, vals, n_lat = _kernel(
        options.seed, float(options.duration), rec.width, nb, ep_op, ep_rate,
        op_station, op_kind, op_a, op_b, op_fail, op_first, op_last,
        np.array([*targets, 0], np.int64), st_conc, st_rep0, st_nrep,
        st_arr, st_ok, st_err, st_wsum, st_wn, ep_arr, ep_ok, ep_err, snap_b, snap_q, snap_c,
        r_exp, r_norm, r_unif, LATENCY_SAMPLE,
    )
    rec.events = int(events)
    lat_lists = _group(who[:n_lat], bks[:n_lat], vals[:n_lat], n_st + len(eps), nb)
    for s, name in enumerate(services):
        series = rec.services[name]
        series.arrivals = st_arr[s].tolist()
        series.ok = st_ok[s].tolist()
        series.errors = st_err[s].tolist()
        series.wait_sum = st_wsum[s].tolist()
        series.wait_n = st_wn[s].tolist()
        series.latencies = lat_lists[s]
        busy, queue, capa = (np.diff(np.concatenate([[0.0], snap[s]])) for snap in (snap_b, snap_q, snap_c))
        widths = np.diff(np.minimum(np.arange(nb + 1) * rec.width, rec.duration))
        series.busy = (busy / widths).tolist()
        series.queue = (queue / widths).tolist()
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


MAX_PREDRAWN = 1 << 23
"""Random numbers drawn ahead per kind (64 MiB each at most); the kernel's own generator
continues after them."""


def _expected_draws(rates: FloatArray, duration: float, op_first: IntArray, op_last: IntArray,
                    targets: list[int], ep_op: IntArray) -> int:
    """Random numbers a run will likely need: arrivals plus one per operation visited."""
    memo: dict[int, float] = {}

    def visits(op: int, depth: int) -> float:
        if op in memo:
            return memo[op]
        if depth > 50:
            return 1.0
        v = 1.0 + sum(visits(targets[k], depth + 1) for k in range(op_first[op], op_last[op]))
        memo[op] = v
        return v

    needed = sum(float(r) * duration * (1.0 + visits(int(o), 0)) for r, o in zip(rates, ep_op, strict=True))
    return int(min(MAX_PREDRAWN, 1.2 * needed + 1024))


def _group(who: IntArray, bks: IntArray, vals: FloatArray, groups: int, nb: int) -> list[list[Latencies]]:
    """Latency records split into [group][bucket] arrays, in completion order."""
    out: list[list[Latencies]] = [[[] for _ in range(nb)] for _ in range(groups)]
    if who.size == 0:
        return out
    key = who * nb + bks
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    vals_sorted = vals[order]
    cuts = np.flatnonzero(np.diff(key_sorted)) + 1
    starts = np.concatenate([[0], cuts])
    for start, chunk in zip(starts.tolist(), np.split(vals_sorted, cuts), strict=True):
        k = int(key_sorted[start])
        out[k // nb][k % nb] = chunk
    return out
