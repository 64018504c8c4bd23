"""Operations rules (MW6xx): replicas, resources, autoscaling, images, telemetry, capacity."""

from meshwright.check.operations.MW601 import SingleReplicaHighSlo
from meshwright.check.operations.MW602 import NoResourceRequests
from meshwright.check.operations.MW603 import NoMemoryLimit
from meshwright.check.operations.MW604 import AutoscaleMaxBelowMin
from meshwright.check.operations.MW605 import CertainOverload
from meshwright.check.operations.MW606 import UnpinnedImage
from meshwright.check.operations.MW607 import ReplicasOutsideAutoscale
from meshwright.check.operations.MW608 import SloWithoutMetrics
from meshwright.check.operations.MW609 import TracingDisabled
from meshwright.check.operations.MW610 import LimitBelowRequest
from meshwright.check.operations.MW611 import AutoscaleWithoutCpuRequest
from meshwright.check.operations.MW612 import ZeroReplicasWithTraffic
from meshwright.check.operations.MW613 import NoImage
from meshwright.check.operations.MW614 import SharedNamespace

RULES = (
    SingleReplicaHighSlo,
    NoResourceRequests,
    NoMemoryLimit,
    AutoscaleMaxBelowMin,
    CertainOverload,
    UnpinnedImage,
    ReplicasOutsideAutoscale,
    SloWithoutMetrics,
    TracingDisabled,
    LimitBelowRequest,
    AutoscaleWithoutCpuRequest,
    ZeroReplicasWithTraffic,
    NoImage,
    SharedNamespace,
)
