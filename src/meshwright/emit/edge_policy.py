"""The one definition of the edge, shared by every gateway target (Istio's Gateway, the
Kubernetes Gateway API): which services are public, how long the edge waits for a
public API, and the token bucket that enforces a ``rate_limit``.

- Public services: ``expose: public`` with a networked API, in model order.
- Edge timeout of an API: the longest worst case of its operations
  (:func:`meshwright.analysis.timeouts.worst_case_time`, the call budgets of
  :mod:`meshwright.callpolicy`), rounded up to the millisecond: the edge never gives up on a
  request the service may still legitimately answer, and never waits longer than that.
  External requests are not retried at the edge (no modelled call describes them).
- Token bucket of a rate limit: ``bucket`` tokens at most (the burst, else one second of
  rate), refilled with ``tokens_per_fill`` tokens every ``fill_interval``, the smallest
  whole-token refill that gives exactly the rate with an interval of at least 50 ms
  (Envoy's lower bound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from meshwright.analysis.timeouts import worst_case_time
from meshwright.model.types import Api, Model, RateLimit

MIN_FILL_MS = 50
"""Envoy's shortest token-bucket fill interval (milliseconds)."""


def public_services(model: Model) -> list[str]:
    """Services with ``expose: public`` and a networked API, in model order."""
    return [n for n, s in model.services.items() if s.expose == "public" and s.network_apis()]


def edge_timeout(model: Model, service: str, api: Api) -> float | None:
    """Seconds the edge waits for a request to ``api`` of ``service``: the longest worst
    case of the API's operations, rounded up to the millisecond; None for an API without
    operations (nothing bounds it)."""
    if not api.operations:
        return None
    worst = max(worst_case_time(model, f"{service}.{op}") for op in api.operations)
    return max(0.001, math.ceil(round(worst * 1000, 6)) / 1000)


@dataclass(frozen=True)
class TokenBucket:
    """An Envoy token bucket: ``max_tokens``, refilled by ``tokens_per_fill`` every
    ``fill_ms`` milliseconds; ``exact`` when that refill equals the rate."""

    max_tokens: int
    tokens_per_fill: int
    fill_ms: int
    exact: bool

    @property
    def rate(self) -> float:
        """Tokens per second this bucket refills."""
        return self.tokens_per_fill * 1000 / self.fill_ms


def token_bucket(rate: float, bucket: int) -> TokenBucket:
    """The bucket admitting ``rate`` per second with ``bucket`` tokens at most."""
    for tokens in range(1, 100_001):
        ms = tokens * 1000 / rate
        if ms >= MIN_FILL_MS and abs(ms - round(ms)) < 1e-6:
            return TokenBucket(max(bucket, 1), tokens, round(ms), True)
    tokens = max(1, round(rate))
    return TokenBucket(max(bucket, 1), tokens, 1000, False)


def bucket_of(limit: RateLimit, share: float = 1.0) -> TokenBucket:
    """The token bucket of ``limit``, or of its ``share`` (one pod's part of a service limit)."""
    return token_bucket(limit.rate * share, max(1, math.ceil(limit.bucket * share)))


def fill_interval(ms: int) -> str:
    """A duration Envoy and Istio read: ``1s``, ``250ms``."""
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"
