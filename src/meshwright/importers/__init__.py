"""`meshwright import`: bring a running system into the model.

Each source has its own module (:mod:`kubernetes`, :mod:`compose`, :mod:`istio`,
:mod:`traces`); all of them feed one :class:`~meshwright.importers.builder.ModelBuilder`,
which accumulates services, datastores and call edges with their provenance (the strongest
source of an edge wins) and :mod:`~meshwright.importers.writer` writes the model directory
(``mesh.yaml`` + ``services/*.yaml``), every edge's provenance and every gap as a comment.
"""
