"""A retrial queue as an oracle for retries of refusals (test helper, not the analysis):
one M/M/c/K queue and an orbit of refused requests that retry after an exponential delay.

State (n, j_1, …, j_{a−1}): n requests at the queue (≤ K = c + limit), j_i refused
requests waiting to make their (i + 1)-th try. Fresh arrivals at λ; completions at
min(n, c)μ; each orbit member retries at rate 1/delay and, refused again, moves on to the
next try or — after the last one — fails. Orbit sizes are truncated at ``orbit`` (the
mass there is negligible at the loads tested). Solved densely; returns P(a call fails).
Unlike ``queueing.refusal_memory`` (a Poisson-fed chain: the retries' load is spread
evenly in time), the retries here arrive when the queue was recently full."""

from __future__ import annotations

import itertools

import numpy as np


def retrial_failure(lam: float, mu: float, servers: int, places: int, attempts: int, delay: float,
                    orbit: int = 10) -> float:
    theta = 1.0 / delay
    dims = attempts - 1
    states = [(n, *js) for n in range(places + 1) for js in itertools.product(range(orbit), repeat=dims)]
    idx = {s: i for i, s in enumerate(states)}
    q = np.zeros((len(states), len(states)))
    fail = np.zeros(len(states))
    for s, i in idx.items():
        n, js = s[0], list(s[1:])

        def add(t: tuple[int, ...], rate: float, i: int = i) -> None:
            if t in idx:
                q[i, idx[t]] += rate

        if n < places:
            add((n + 1, *js), lam)
        elif dims:
            add((n, *[j + (k == 0) for k, j in enumerate(js)]), lam)
        else:
            fail[i] += lam
        if n > 0:
            add((n - 1, *js), min(n, servers) * mu)
        for k, j in enumerate(js):
            if j == 0:
                continue
            less = [x - (m == k) for m, x in enumerate(js)]
            if n < places:
                add((n + 1, *less), j * theta)
            elif k + 1 < dims:
                add((n, *[x + (m == k + 1) for m, x in enumerate(less)]), j * theta)
            else:
                add((n, *less), j * theta)
                fail[i] += j * theta
    np.fill_diagonal(q, -q.sum(axis=1))
    a = q.T.copy()
    a[0, :] = 1.0
    rhs = np.zeros(len(states))
    rhs[0] = 1.0
    pi = np.linalg.solve(a, rhs)
    return float(pi @ fail) / lam
