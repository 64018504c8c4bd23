"""Command groups that several feature packages add subcommands to.

``meshwright import`` gathers every way of bringing what exists into a model: running
systems (importers), contracts (contracts) and SLO documents (observability). Each package
registers its subcommands on :data:`IMPORT`; the CLI mounts the group once.
"""

from __future__ import annotations

import typer

IMPORT = typer.Typer(
    name="import",
    help=(
        "Bring what exists into the model: a running system (kubernetes, compose, istio, "
        "traces → a model directory), contracts (proto, openapi) or SLOs (openslo)."
    ),
    no_args_is_help=True,
)
"""`meshwright import …`."""
