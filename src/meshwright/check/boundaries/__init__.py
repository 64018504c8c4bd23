"""Boundaries and data rules (MW1xx): contexts, coupling, shared data."""

from meshwright.check.boundaries.MW101 import SharedDatabase
from meshwright.check.boundaries.MW102 import SharedDatastoreInContext
from meshwright.check.boundaries.MW103 import SyncCallCycle
from meshwright.check.boundaries.MW104 import DeepSyncChain
from meshwright.check.boundaries.MW105 import EntangledContexts
from meshwright.check.boundaries.MW106 import ServiceWithoutContext
from meshwright.check.boundaries.MW107 import GodService
from meshwright.check.boundaries.MW108 import ContextCycle
from meshwright.check.boundaries.MW109 import ChattyCall
from meshwright.check.boundaries.MW110 import ContextWithoutOwner
from meshwright.check.boundaries.MW111 import UnreachableOperation

RULES = (
    SharedDatabase,
    SharedDatastoreInContext,
    SyncCallCycle,
    DeepSyncChain,
    EntangledContexts,
    ServiceWithoutContext,
    GodService,
    ContextCycle,
    ChattyCall,
    ContextWithoutOwner,
    UnreachableOperation,
)
