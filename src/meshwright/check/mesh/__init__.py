"""Mesh rules (MW7xx): what only becomes checkable once the mesh's files are generated —
mTLS identities, outlier detection against spare capacity, and policies the selected mesh
renders differently from the model (the mesh emitters' ``notes``).

Covered elsewhere, so not repeated here: mesh and application retries on one call (MW210
reports their product, ``callpolicy.semantics(call).max_tries``), and mesh retries without
a mesh (MW211). Istio's implicit default retries cannot stack on application retries in
what meshwright generates: every route it writes says ``retries`` explicitly
(``attempts: 0`` when the model has no mesh retries, see ``emit.istio.routes``).
"""

from meshwright.check.mesh.MW701 import MtlsOffWithMesh
from meshwright.check.mesh.MW702 import EjectionBeyondSpareCapacity
from meshwright.check.mesh.MW703 import PolicyTheMeshCannotExpress

RULES = (
    MtlsOffWithMesh,
    EjectionBeyondSpareCapacity,
    PolicyTheMeshCannotExpress,
)
