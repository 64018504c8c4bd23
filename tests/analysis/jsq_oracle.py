"""Exact join-the-shortest-queue over K replicas of c exponential servers, by solving the
truncated CTMC of the sorted queue lengths (an oracle for ``analysis.jsq``; small K only)."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.sparse import csr_matrix, lil_matrix
from scipy.sparse.linalg import spsolve


def exact_jsq(lam: float, mu: float, replicas: int, c: int, top: int) -> tuple[float, float]:
    """(P(an arrival waits), mean wait) of JSQ with Poisson arrivals ``lam``, ``replicas``
    replicas of ``c`` servers of rate ``mu``, at most ``top`` requests per replica. An
    arrival joins a replica with the fewest requests (the simulator's least requests); it
    waits when that replica has n ≥ c, for n − c + 1 completions at rate cμ (FIFO, no
    jockeying). By PASTA an arrival sees the stationary distribution."""
    states = list(itertools.combinations_with_replacement(range(top + 1), replicas))
    index = {s: i for i, s in enumerate(states)}
    n = len(states)
    q = lil_matrix((n, n))
    for s, i in index.items():
        if s[0] < top:
            q[i, index[tuple(sorted((s[0] + 1, *s[1:])))]] += lam
        for j in range(replicas):
            if s[j] > 0 and (j == 0 or s[j] != s[j - 1]):
                t = list(s)
                t[j] -= 1
                q[i, index[tuple(sorted(t))]] += s.count(s[j]) * min(s[j], c) * mu
    gen = q.tocsr()
    out = np.asarray(gen.sum(axis=1)).ravel()
    a = (gen - csr_matrix((out, (range(n), range(n))), shape=(n, n))).T.tolil()
    a[0, :] = 1.0  # replace one balance equation by Σ π = 1
    b = np.zeros(n)
    b[0] = 1.0
    pi = spsolve(a.tocsr(), b)
    p_wait = float(sum(p for s, p in zip(states, pi, strict=True) if s[0] >= c))
    wq = float(sum(p * max(0, s[0] - c + 1) for s, p in zip(states, pi, strict=True))) / (c * mu)
    return p_wait, wq
