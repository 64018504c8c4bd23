"""The summary's bucket percentiles are numpy's, to the last bit."""

from __future__ import annotations

import numpy as np

from meshwright.simulate.results import _pcts


def test_bucket_percentiles_equal_numpy_percentile() -> None:
    rng = np.random.default_rng(0)
    for n in [*range(1, 120), 1000, 10_000]:
        for x in (rng.lognormal(-3, 1, n), rng.integers(0, 4, n) * 0.01):
            before = x.copy()
            p50, p99 = np.percentile(x, [50, 99])
            assert _pcts(x) == (float(p50), float(p99))
            assert _pcts(list(x)) == (float(p50), float(p99))
            assert np.array_equal(x, before)  # the bucket is not reordered
    assert _pcts([]) == (None, None)
