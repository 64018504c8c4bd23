"""Resilience rules (MW2xx): timeouts, retries, circuit breakers, bulkheads, fallbacks."""

from meshwright.check.resilience.MW201 import CallWithoutTimeout
from meshwright.check.resilience.MW202 import RetriesWithoutPerTryTimeout
from meshwright.check.resilience.MW203 import RetryNonIdempotent
from meshwright.check.resilience.MW204 import RetriesExceedTimeout
from meshwright.check.resilience.MW205 import TimeoutInversion
from meshwright.check.resilience.MW206 import RetryAmplification
from meshwright.check.resilience.MW207 import MissingCircuitBreaker
from meshwright.check.resilience.MW208 import FanOutWithoutBulkhead
from meshwright.check.resilience.MW209 import FallbackDependsOnFailedService
from meshwright.check.resilience.MW210 import MeshAndApplicationRetries
from meshwright.check.resilience.MW211 import MeshRetriesWithoutMesh
from meshwright.check.resilience.MW212 import RetriesWithoutBackoff
from meshwright.check.resilience.MW213 import TimeoutAboveLatencySlo
from meshwright.check.resilience.MW214 import BackoffWithoutJitter
from meshwright.check.resilience.MW215 import FallbackCycle

RULES = (
    CallWithoutTimeout,
    RetriesWithoutPerTryTimeout,
    RetryNonIdempotent,
    RetriesExceedTimeout,
    TimeoutInversion,
    RetryAmplification,
    MissingCircuitBreaker,
    FanOutWithoutBulkhead,
    FallbackDependsOnFailedService,
    MeshAndApplicationRetries,
    MeshRetriesWithoutMesh,
    RetriesWithoutBackoff,
    TimeoutAboveLatencySlo,
    BackoffWithoutJitter,
    FallbackCycle,
)
