"""Propose microservices from a monolith: `meshwright decompose`.

``read_inputs`` (traces) → ``decompose`` (class graph, clustering chosen by quality, user
constraints) → ``write_model`` (a meshwright model directory and ``partition.json``) and
``report_json`` / ``report_markdown`` (an explanation per service). ``metrics`` holds the
Mono2Micro paper's SM, ICP, IFN, NED and BCP.
"""

from meshwright.decompose.inputs import read_inputs
from meshwright.decompose.propose import Constraints, Decomposition, decompose
from meshwright.decompose.writer import write_model

__all__ = ["Constraints", "Decomposition", "decompose", "read_inputs", "write_model"]
