"""Compile the simulator's numba kernel ahead of the first real run.

``python -m meshwright.simulate.warmup`` runs the compiled engine once on a one-service
model, so numba writes its cache (see :func:`meshwright.simulate.kernel.cache_dir`) and a
user's first ``meshwright simulate`` loads machine code instead of compiling for tens of
seconds. ``make demo`` and ``make venv`` run it right after installing.
"""

from __future__ import annotations

import sys
import time

from meshwright.model import load_text

_TINY = """\
meshwright: 1
system: warm-up
services:
  s:
    apis:
      - name: S
        protocol: http
        port: 8080
        operations:
          Get: {idempotent: true, service_time: {mean: 10ms}}
entrypoints:
  - {operation: s.Get, rate: 10/s}
"""


def warm_up() -> float:
    """Compile (or load from the cache) the kernel; returns the seconds it took."""
    from meshwright.simulate import kernel
    from meshwright.simulate.engine import SimOptions, run
    from meshwright.simulate.scenario import Scenario

    if not kernel.HAVE_NUMBA:  # pragma: no cover - numba is a dependency
        return 0.0
    t0 = time.perf_counter()
    model = load_text(_TINY, "warm-up.yaml").model
    run(model, Scenario(name="warm-up"), SimOptions(duration=2.0, engine="compiled"))
    return time.perf_counter() - t0


def main() -> int:
    seconds = warm_up()
    print(f"simulator kernel ready in {seconds:.1f} s (cache: {_cache()})", file=sys.stderr)
    return 0


def _cache() -> str:
    from meshwright.simulate.kernel import cache_dir

    return str(cache_dir())


if __name__ == "__main__":
    raise SystemExit(main())
