"""Scalar numerics the queueing solvers need, without importing SciPy.

``import scipy.optimize`` and ``scipy.special`` cost ~0.8 s of CPU at start-up (they pull in
SciPy's array-API layer, ``numpy.f2py``, ``numpy.testing``…), more than the whole
analysis of a 1,000-service model once its work is shared. The two functions every run
needs are written here, step for step as SciPy computes them, so the numbers are the
same to the last bit (``tests/analysis/test_roots.py`` compares them with SciPy's).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

EPS = 2.220446049250313e-16
"""Machine epsilon of float64."""


class RootError(RuntimeError):
    """The bracket has no sign change, or Brent's method did not converge."""


def brentq(
    f: Callable[[float], float], a: float, b: float, xtol: float = 2e-12,
    rtol: float = 4 * EPS, maxiter: int = 100,
) -> float:
    """A root of ``f`` in [a, b] by Brent's method, exactly as ``scipy.optimize.brentq``
    computes it (Charles Harris' ``brentq.c``: inverse quadratic / secant steps, else
    bisection; R. P. Brent, *Algorithms for Minimization without Derivatives*, 1973, ch. 4)."""
    if xtol <= 0.0:
        raise ValueError(f"xtol too small ({xtol:g} <= 0)")
    if rtol < 4 * EPS:
        raise ValueError(f"rtol too small ({rtol:g} < {4 * EPS:g})")
    xpre, xcur = float(a), float(b)
    xblk = fblk = spre = scur = 0.0
    fpre = float(f(xpre))
    fcur = float(f(xcur))
    if fpre == 0.0:
        return xpre
    if fcur == 0.0:
        return xcur
    if math.copysign(1.0, fpre) == math.copysign(1.0, fcur):
        raise RootError("f(a) and f(b) must have different signs")
    for _ in range(maxiter):
        if fpre != 0.0 and fcur != 0.0 and math.copysign(1.0, fpre) != math.copysign(1.0, fcur):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0.0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # interpolate
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:  # extrapolate
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):  # good short step
                spre, scur = scur, stry
            else:  # bisect
                spre = scur = sbis
        else:  # bisect
            spre = scur = sbis
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = float(f(xcur))
    raise RootError(f"failed to converge after {maxiter} iterations, value is {xcur!r}")


_LGAM_A = (8.11614167470508450300e-4, -5.95061904284301438324e-4, 7.93650340457716943945e-4,
           -2.77777777730099687205e-3, 8.33333333333331927722e-2)
_LGAM_B = (-1.37825152569120859100e3, -3.88016315134637840924e4, -3.31612992738871184744e5,
           -1.16237097492762307383e6, -1.72173700820839662146e6, -8.53555664245765465627e5)
_LGAM_C = (1.0, -3.51815701436523470549e2, -1.70642106651881159223e4, -2.20528590553854454839e5,
           -1.13933444367982507207e6, -2.53252307177582951285e6, -2.01889141433532773231e6)
_LS2PI = 0.91893853320467274178
"""log √(2π)."""
_MAXLGM = 2.556348e305


def _polevl(x: float, coef: tuple[float, ...]) -> float:
    """Horner's rule, as Cephes' ``polevl`` (``p1evl``: a leading 1.0 in ``coef``)."""
    ans = coef[0]
    for c in coef[1:]:
        ans = ans * x + c
    return ans


@lru_cache(maxsize=65536)
def lgam(x: float) -> float:
    """log Γ(x) for x > 0, as Cephes' ``lgam`` that ``scipy.special.gammaln`` evaluates
    (the recurrence to [2, 3) and a rational approximation below 13, Stirling's series
    above)."""
    if not x > 0.0 or math.isinf(x):
        raise ValueError(f"lgam needs a finite x > 0, not {x!r}")
    if x < 13.0:
        z, p, u = 1.0, 0.0, x
        while u >= 3.0:
            p -= 1.0
            u = x + p
            z *= u
        while u < 2.0:
            z /= u
            p += 1.0
            u = x + p
        if u == 2.0:
            return math.log(z)
        p -= 2.0
        x = x + p
        p = x * _polevl(x, _LGAM_B) / _polevl(x, _LGAM_C)
        return math.log(z) + p
    if x > _MAXLGM:
        return math.inf
    q = (x - 0.5) * math.log(x) - x + _LS2PI
    if x > 1.0e8:
        return q
    p = 1.0 / (x * x)
    if x >= 1000.0:
        q += ((7.9365079365079365079365e-4 * p - 2.7777777777777777777778e-3) * p
              + 0.0833333333333333333333) / x
    else:
        q += _polevl(p, _LGAM_A) / x
    return q


def gammaln(x: npt.ArrayLike) -> Any:
    """log Γ(x), elementwise for x > 0 (:func:`lgam`; SciPy's ``gammaln`` elsewhere): a
    float64 array of ``x``'s shape (typed ``Any`` like the SciPy ufunc it stands for)."""
    arr = np.asarray(x, dtype=np.float64)
    key = (arr.shape, arr.tobytes())
    hit = _GAMMALN.get(key)
    if hit is not None:
        return hit
    if arr.size == 0 or not bool(np.all((arr > 0.0) & np.isfinite(arr))):
        from scipy.special import gammaln as scipy_gammaln

        return np.asarray(scipy_gammaln(arr), dtype=np.float64)
    out = np.array([lgam(v) for v in arr.ravel().tolist()], dtype=np.float64).reshape(arr.shape)
    out.flags.writeable = False
    if len(_GAMMALN) >= 4096:
        _GAMMALN.clear()
    _GAMMALN[key] = out
    return out


_GAMMALN: dict[tuple[tuple[int, ...], bytes], npt.NDArray[np.float64]] = {}
"""Results by argument: the Erlang-k sums ask for log C(c, j), j = 1..c, once per solve of
every queue with c servers."""
