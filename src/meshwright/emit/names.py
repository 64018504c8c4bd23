"""Generated names must stay distinct: two model names that map to one DNS label would
silently overwrite each other's objects, containers, files and address variables.

Model names become DNS-1123 labels (:func:`meshwright.emit.wiring.dns_name`: lower case,
other characters ``-``), so ``a_b`` and ``A-B`` are one name once generated. Services,
datastores and the broker share one namespace (Kubernetes pod labels, compose services,
``<NAME>_ADDR`` variables); secrets have their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from meshwright.emit import infra
from meshwright.emit.wiring import dns_name, uses_broker
from meshwright.errors import Diagnostic, Location, ModelError
from meshwright.model.loader import LoadedModel
from meshwright.model.source import PathKey
from meshwright.model.types import Model

HINT = "rename one of them: generated names are lower case, with '-' for any other character"


@dataclass(frozen=True)
class Clash:
    """A model element whose generated name is already taken by an earlier one."""

    path: PathKey
    message: str
    key: bool = False
    """Locate the mapping key at ``path`` (the name to change), not its value."""


@dataclass(frozen=True)
class _Owner:
    kind: str
    name: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind} '{self.name}'" + (f" ({self.detail})" if self.detail else "")


def name_clashes(model: Model) -> list[Clash]:
    """Every element whose generated name another element already has, in model order."""
    hosts: dict[str, _Owner] = {}
    clashes: list[Clash] = []

    def claim(label: str, owner: _Owner, path: PathKey) -> None:
        first = hosts.setdefault(label, owner)
        if first == owner:
            return  # the same element again (a shared datastore declared by each of its users)
        clashes.append(Clash(path, f"{owner} and {first} are both generated as '{label}'", key=True))

    broker = model.platform.broker  # first: the broker's name is not the user's to change
    if infra.broker(broker) is not None and any(uses_broker(model, s) for s in model.services.values()):
        claim(broker.value, _Owner("broker", broker.value), ("platform", "broker"))
    for sname in model.services:
        claim(dns_name(sname), _Owner("service", sname), ("services", sname))
    for sname, svc in model.services.items():
        for ds_name, ds in svc.datastores.items():
            if infra.datastore(ds.kind) is not None:
                owner = _Owner("datastore", ds_name, ds.kind.lower())
                claim(dns_name(ds_name), owner, ("services", sname, "datastores", ds_name))

    secrets: dict[str, str] = {}
    for sname, svc in model.services.items():
        for i, secret in enumerate(svc.secrets):
            first_secret = secrets.setdefault(dns_name(secret.name), secret.name)
            if first_secret != secret.name:
                clashes.append(Clash(("services", sname, "secrets", i),
                                     f"secret '{secret.name}' and secret '{first_secret}' are both "
                                     f"generated as '{dns_name(secret.name)}'"))
    return clashes


def ensure_distinct_names(loaded: LoadedModel) -> None:
    """Raise a located :class:`ModelError` (nothing generated) when generated names clash."""
    clashes = name_clashes(loaded.model)
    if clashes:
        raise ModelError(
            [
                Diagnostic(loaded.locate(*c.path, key=c.key), c.message, HINT, "name-clash", c.path)
                for c in clashes
            ],
            outcome="nothing was generated",
        )


def refuse_clashes(model: Model) -> None:
    """The same check for callers holding only a model (no source positions)."""
    clashes = name_clashes(model)
    if clashes:
        diagnostics = [Diagnostic(Location(f"<{model.system}>"), c.message, HINT, "name-clash", c.path)
                       for c in clashes]
        raise ModelError(diagnostics, outcome="nothing was generated")
