"""Consul config entries, written once and rendered twice: as Kubernetes custom resources
(``consul.hashicorp.com/v1alpha1``, camelCase ``spec``) and as the config-entry files
``consul config write`` reads on VMs (PascalCase, HCL and JSON).

An :class:`Entry` holds the config-entry body (``Kind``, ``Name`` and PascalCase fields, as
Consul's own documentation writes them); :meth:`Entry.resource` is the one conversion to the
custom resource, so both outputs always say the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from meshwright.emit.consul.hcl import hcl_document
from meshwright.emit.wiring import dns_name

Obj = dict[str, Any]

API_VERSION = "consul.hashicorp.com/v1alpha1"

KINDS = {
    "proxy-defaults": "ProxyDefaults",
    "service-defaults": "ServiceDefaults",
    "service-resolver": "ServiceResolver",
    "service-router": "ServiceRouter",
    "service-intentions": "ServiceIntentions",
}
"""Config-entry kind → custom resource kind, in the order entries must be written
(a router needs its service's protocol; intentions come last)."""

OPAQUE = {"Config"}
"""Fields whose keys are the proxy's own (``proxy-defaults`` ``Config``): kept as they are."""

WILDCARD_FILE = "all-services"
"""File and resource name of an entry named ``*`` (the deny-by-default intention)."""


def camel(key: str) -> str:
    """A config-entry field as the custom resource spells it: ``HTTP`` → ``http``,
    ``PathExact`` → ``pathExact``, ``MutualTLSMode`` → ``mutualTLSMode``."""
    return key.lower() if key.isupper() else key[:1].lower() + key[1:]


def _crd(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel(k): (v if k in OPAQUE else _crd(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_crd(v) for v in value]
    return value


@dataclass
class Entry:
    """One config entry with the comment lines written above it."""

    kind: str
    name: str
    body: Obj
    """Fields other than ``Kind`` and ``Name``, PascalCase."""
    comments: list[str] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        """``<order>-<kind>-<name>``: a shell glob writes entries in a valid order."""
        order = list(KINDS).index(self.kind) + 1
        name = WILDCARD_FILE if self.name == "*" else dns_name(self.name)
        return f"{order}-{self.kind}-{name}"

    def config_entry(self) -> Obj:
        """The entry as ``consul config write`` reads it."""
        return {"Kind": self.kind, "Name": self.name, **self.body}

    def json(self) -> str:
        return json.dumps(self.config_entry(), indent=2, ensure_ascii=False) + "\n"

    def hcl(self) -> str:
        head = "".join(f"# {c}\n" for c in self.comments)
        return head + hcl_document(self.config_entry())

    def resource(self, namespace: str) -> Obj:
        """The custom resource consul-k8s turns into this entry."""
        if self.kind == "service-intentions":
            spec: Obj = {"destination": {"name": self.name}, **_crd(self.body)}
        else:
            spec = _crd(self.body)
        name = WILDCARD_FILE if self.name == "*" else self.name
        return {
            "apiVersion": API_VERSION,
            "kind": KINDS[self.kind],
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec,
        }
