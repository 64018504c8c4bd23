"""The generator-matrix E_k/M/c solver that ``analysis.queueing`` used before its closed
forms: kept only as the oracle of tests/analysis/test_queueing_exact.py (slow: it builds
the quasi-birth–death generator state by state and solves it with LAPACK / SuperLU)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.linalg import spsolve

from meshwright.analysis.queueing import (
    NEGLIGIBLE,
    NO_WAIT,
    UNSTABLE_WAIT,
    Solution,
    WaitDistribution,
    _bounded,
    erlang_c,
    erlang_k_root,
)

DENSE_STATES = 64
Floats = npt.NDArray[np.float64]


def _solve(q: Floats | sparse.csr_matrix, norm_row: Floats) -> Floats:
    """π with π·Q = 0 and norm_row·π = 1 (the last balance equation replaced)."""
    n = norm_row.shape[0]
    b = np.zeros(n)
    b[-1] = 1.0
    if isinstance(q, np.ndarray):
        a = q.T.copy()
        a[-1, :] = norm_row
        return np.asarray(np.linalg.solve(a, b), dtype=np.float64)
    at = sparse.lil_matrix(q.T)
    at[n - 1, :] = norm_row
    return np.asarray(spsolve(at.tocsr(), b), dtype=np.float64)


class _Generator:
    """A generator matrix under construction: dense when small, else sparse."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.dense = np.zeros((n, n)) if n <= DENSE_STATES else None
        self.entries: dict[tuple[int, int], float] = {}

    def add(self, i: int, j: int, v: float) -> None:
        if self.dense is not None:
            self.dense[i, j] += v
        else:
            self.entries[(i, j)] = self.entries.get((i, j), 0.0) + v

    def matrix(self) -> Floats | sparse.csr_matrix:
        if self.dense is not None:
            return self.dense
        keys = list(self.entries)
        rows = [i for i, _ in keys]
        cols = [j for _, j in keys]
        return sparse.csr_matrix((list(self.entries.values()), (rows, cols)), shape=(self.n, self.n))


def _erlang_k_generator(k: int, c: int, mu: float, nu: float, levels: int, bounded: bool) -> _Generator:
    """Generator of the E_k/M/c queue on levels 0..levels−1 (number in the replica) ×
    arrival phases 0..k−1 (state j·k + p). An arrival at the top level is rejected when
    ``bounded`` (the phase restarts, the level stays), else it leaves the block: the caller
    adds the tail above."""
    q = _Generator(levels * k)
    top = levels - 1
    for j in range(levels):
        down = min(j, c) * mu
        for p in range(k):
            i = j * k + p
            out = nu + down
            if p < k - 1:
                q.add(i, i + 1, nu)
            elif j < top:
                q.add(i, (j + 1) * k, nu)
            elif bounded and k > 1:
                q.add(i, j * k, nu)
            elif bounded:
                out = down  # a rejected arrival leaves the state unchanged
            if j > 0:
                q.add(i, i - k, down)
            q.add(i, i, -out)
    return q


def oracle_round_robin_queue(
    lam: float, mu: float, replicas: int, c: int, limit: int | None, shortcut: bool = True
) -> Solution:
    """One replica of ``replicas`` under round robin of a Poisson stream at ``lam``: the
    E_k/M/c queue (k = replicas) with λ' = lam/k, exactly (see the module docstring)."""
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
    nu = k * lam_r
    if shortcut and limit is not None and rho < 1.0:
        free = oracle_round_robin_queue(lam, mu, replicas, c, None)
        if free.wait.p_wait * (1.0 - free.wait.rate / (c * mu)) ** limit < NEGLIGIBLE:
            return free  # the queue never gets near its limit
    if limit is None:
        sigma = erlang_k_root(k, c, rho)
        levels = c + 1
        qm = _erlang_k_generator(k, c, mu, nu, levels, bounded=False)
        # levels above c: π_{c+m} = π_c[k−1] σ^{m−1} r, r_p = (ν/a)^(p+1), a = ν + cμ(1 − σ)
        a = nu + c * mu * (1.0 - sigma)
        r = (nu / a) ** np.arange(1, k + 1)
        last = c * k + k - 1
        for p in range(k):
            qm.add(last, c * k + p, c * mu * float(r[p]))
        norm_row = np.ones(levels * k)
        norm_row[last] += float(r.sum()) / (1.0 - sigma)
        pi = _solve(qm.matrix(), norm_row)
        p_wait = min(1.0, max(0.0, k * pi[last] / (1.0 - sigma)))
        if p_wait < NEGLIGIBLE:  # below the linear solve's round-off
            return Solution(NO_WAIT)
        return Solution(WaitDistribution(p_wait, c * mu * (1.0 - sigma)))
    levels = c + limit + 1
    qm = _erlang_k_generator(k, c, mu, nu, levels, bounded=True)
    pi = _solve(qm.matrix(), np.ones(levels * k))
    at_arrival = np.clip(k * pi[k - 1 :: k], 0.0, None)  # level seen by an arrival
    at_arrival /= at_arrival.sum()
    return _bounded(at_arrival, c, mu)
