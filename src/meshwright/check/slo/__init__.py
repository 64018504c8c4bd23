"""SLO rules (MW3xx): objectives that the design can and cannot meet."""

from meshwright.check.slo.MW301 import AvailabilityUnreachable
from meshwright.check.slo.MW302 import LatencyBelowCriticalPath
from meshwright.check.slo.MW303 import EntrypointWithoutSlo
from meshwright.check.slo.MW304 import NoErrorBudget
from meshwright.check.slo.MW305 import LatencyPercentilesOutOfOrder
from meshwright.check.slo.MW306 import ServiceTimeAboveLatencySlo
from meshwright.check.slo.MW307 import DependencySloWeaker
from meshwright.check.slo.MW308 import SloWithoutMetrics
from meshwright.check.slo.MW309 import BurnAlertsMissing
from meshwright.check.slo.MW310 import BurnAlertsSilencedByLowTraffic
from meshwright.check.slo.MW311 import MetricsPortSetInConfig

RULES = (
    AvailabilityUnreachable,
    LatencyBelowCriticalPath,
    EntrypointWithoutSlo,
    NoErrorBudget,
    LatencyPercentilesOutOfOrder,
    ServiceTimeAboveLatencySlo,
    DependencySloWeaker,
    SloWithoutMetrics,
    BurnAlertsMissing,
    BurnAlertsSilencedByLowTraffic,
    MetricsPortSetInConfig,
)
