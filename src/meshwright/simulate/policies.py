"""Run-time state of the resilience policies: token buckets, circuit breakers, bulkheads
and retry budgets. Each is a small mutable object the engine asks and informs; the
policies' configuration comes from the model types."""

from __future__ import annotations

from collections import deque
from typing import Any

CLOSED, HALF_OPEN, OPEN = 0, 1, 2
"""Circuit-breaker states as recorded in the time series."""


class TokenBucket:
    """A token bucket of ``capacity`` tokens refilled at ``rate`` per second."""

    __slots__ = ("capacity", "last", "rate", "tokens")

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.last = 0.0

    def take(self, now: float) -> bool:
        """Take one token if there is one."""
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class _Window:
    """Counts of two kinds of events in a sliding window of whole-second slots."""

    __slots__ = ("a", "b", "slot", "width")

    def __init__(self, seconds: float) -> None:
        self.width = max(1, round(seconds))
        self.a = [0] * self.width
        self.b = [0] * self.width
        self.slot = 0

    def _advance(self, now: float) -> int:
        cur = int(now)
        if cur - self.slot >= self.width:
            self.a = [0] * self.width
            self.b = [0] * self.width
        else:
            for s in range(self.slot + 1, cur + 1):
                self.a[s % self.width] = 0
                self.b[s % self.width] = 0
        self.slot = max(self.slot, cur)
        return cur % self.width

    def add(self, now: float, a: int, b: int) -> None:
        i = self._advance(now)
        self.a[i] += a
        self.b[i] += b

    def totals(self, now: float) -> tuple[int, int]:
        self._advance(now)
        return sum(self.a), sum(self.b)


class CircuitBreakerState:
    """Closed → open after ``consecutive_errors`` failures in a row or an error rate at or
    above ``error_rate`` % over ``window`` (with at least ``min_requests``); open for
    ``open_for`` seconds; then half-open, letting ``half_open_requests`` probes through:
    all succeed → closed, one fails → open again."""

    __slots__ = (
        "consecutive",
        "consecutive_limit",
        "error_rate",
        "half_open_requests",
        "min_requests",
        "open_for",
        "opened_at",
        "opens",
        "probe_ok",
        "probes",
        "state",
        "window",
    )

    def __init__(self, config: Any) -> None:
        self.consecutive_limit: int | None = config.consecutive_errors
        self.error_rate: float | None = config.error_rate
        self.min_requests: int = config.min_requests
        self.open_for: float = config.open_for
        self.half_open_requests: int = config.half_open_requests
        self.window = _Window(config.window)
        self.state = CLOSED
        self.consecutive = 0
        self.opened_at = 0.0
        self.probes = 0
        self.probe_ok = 0
        self.opens = 0

    def allow(self, now: float) -> bool:
        """Whether a request may go through now (a half-open probe counts as taken)."""
        if self.state == CLOSED:
            return True
        if self.state == OPEN:
            if now - self.opened_at < self.open_for:
                return False
            self.state = HALF_OPEN
            self.probes = 0
            self.probe_ok = 0
        if self.probes < self.half_open_requests:
            self.probes += 1
            return True
        return False

    def current(self, now: float) -> int:
        """The state as seen at ``now`` (an expired open interval reads as half-open)."""
        if self.state == OPEN and now - self.opened_at >= self.open_for:
            return HALF_OPEN
        return self.state

    def record(self, now: float, ok: bool) -> None:
        """Inform the breaker of one request's outcome."""
        if self.state == HALF_OPEN:
            if not ok:
                self._open(now)
                return
            self.probe_ok += 1
            if self.probe_ok >= self.half_open_requests:
                self.state = CLOSED
                self.consecutive = 0
                self.window = _Window(self.window.width)
            return
        if self.state == OPEN:
            return
        self.consecutive = 0 if ok else self.consecutive + 1
        if self.consecutive_limit is not None and self.consecutive >= self.consecutive_limit:
            self._open(now)
            return
        if self.error_rate is not None:
            self.window.add(now, 1, 0 if ok else 1)
            total, errors = self.window.totals(now)
            if total >= self.min_requests and 100.0 * errors / total >= self.error_rate:
                self._open(now)

    def _open(self, now: float) -> None:
        self.state = OPEN
        self.opened_at = now
        self.opens += 1
        self.consecutive = 0


class BulkheadState:
    """At most ``max_concurrent`` calls in flight; up to ``max_queue`` more wait in FIFO order."""

    __slots__ = ("in_flight", "max_concurrent", "max_queue", "waiting")

    def __init__(self, max_concurrent: int, max_queue: int) -> None:
        self.max_concurrent = max_concurrent
        self.max_queue = max_queue
        self.in_flight = 0
        self.waiting: deque[Any] = deque()


class RetryBudgetState:
    """Retries allowed while retries in the last 10 s stay within ``ratio`` % of the calls
    in the same window, or within ``min_per_second`` × 10 (Finagle-style budget)."""

    WINDOW = 10.0

    __slots__ = ("min_per_second", "ratio", "window")

    def __init__(self, ratio: float, min_per_second: float) -> None:
        self.ratio = ratio / 100.0
        self.min_per_second = min_per_second
        self.window = _Window(self.WINDOW)

    def note_call(self, now: float) -> None:
        self.window.add(now, 1, 0)

    def try_retry(self, now: float) -> bool:
        """Spend one retry if the budget allows it."""
        calls, retries = self.window.totals(now)
        allowed = max(self.min_per_second * self.WINDOW, self.ratio * calls)
        if retries + 1 <= allowed:
            self.window.add(now, 0, 1)
            return True
        return False
