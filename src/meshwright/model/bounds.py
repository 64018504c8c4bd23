"""The largest value each count and size of a model may take, in one place.

A bound is far above any real system yet small enough that every stage (analysis,
simulation, emitted files) handles the value: ``replicas: 100000000000000000000`` is a
typo, and refusing it with a located error beats a crash in a queueing formula or a
Deployment no cluster can run. The loader names the bound and the field in its error.
"""

from __future__ import annotations

MAX_REPLICAS = 10_000
"""Replicas of one service (also autoscale.min / max, a scenario's crashed replicas)."""
MAX_CONCURRENCY = 100_000
"""Requests one replica serves at once."""
MAX_QUEUE = 10_000_000
"""Requests (or calls) waiting in one bounded queue."""
MAX_PARTITIONS = 10_000
"""Partitions of one topic."""
MAX_REPLICATION = 50
"""Copies of each partition of a topic."""
MAX_PER_REQUEST = 10_000.0
"""Calls one request makes to the same operation."""
MAX_ATTEMPTS = 100
"""Tries of one call, the first included."""
MAX_CALL_COUNT = 1_000_000
"""Thresholds counted in calls or requests: breaker error counts, bulkhead slots, bursts."""
MAX_FACTOR = 1_000.0
"""Multipliers: backoff growth, a scenario's slow-down and traffic spike."""
MAX_RATE = 100_000_000.0
"""Requests per second of one rate (an entrypoint, a limit)."""
MAX_DURATION = 3650 * 86400.0
"""Seconds of one duration: ten years."""
MAX_MEMORY = 64 * 1024**4
"""Bytes of one memory quantity: 64Ti."""
MAX_CPU = 1024.0
"""Cores of one CPU quantity."""
