"""Where each secret of a service lives in Vault, and the Vault Agent injector annotations
that render those secrets into a pod: the one definition every Vault delivery reads.

Every secret lives in a KV version 2 engine at its ``path`` (default:
``secret/<system>/<service>/<secret>``), whose first segment is the engine's mount. The
pods read a secret under :data:`~meshwright.emit.conventions.SECRETS_DIR` ``/<secret>``
whichever way it is delivered.
"""

from __future__ import annotations

from dataclasses import dataclass

from meshwright.emit.conventions import SECRETS_DIR
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Model

AUTH_MOUNT = "kubernetes"
"""Mount path of Vault's Kubernetes auth method."""
AGENT_TOKEN_VOLUME = "vault-token"
"""The pod volume holding the projected ServiceAccount token the Vault Agent logs in with
(the application containers do not mount it: ``automountServiceAccountToken`` stays off)."""
AGENT = "vault.hashicorp.com/"
"""Prefix of the Vault Agent injector's annotations."""


@dataclass(frozen=True)
class SecretRef:
    """Where one secret of a service lives in Vault and lands in Kubernetes."""

    service: str
    name: str
    mount: str
    path: str
    """Path inside the mount (without ``data/``)."""

    @property
    def policy_path(self) -> str:
        """The KV v2 data path a read needs."""
        return f"{self.mount}/data/{self.path}"

    @property
    def kubernetes_secret(self) -> str:
        return dns_name(self.name)


def secret_refs(model: Model, service: str) -> list[SecretRef]:
    """The service's secrets with their Vault locations, in model order."""
    out = []
    for s in model.services[service].secrets:
        full = (s.path or f"secret/{model.system}/{service}/{s.name}").strip("/")
        mount, _, rest = full.partition("/")
        out.append(SecretRef(service, s.name, mount, rest or s.name))
    return out


def agent_annotations(model: Model, service: str) -> dict[str, str]:
    """The Vault Agent injector annotations of one service's pods (empty without secrets).

    The agent logs in with the service's Kubernetes auth role (named after the service) using
    the token in :data:`AGENT_TOKEN_VOLUME`, and renders each secret as the file
    ``<SECRETS_DIR>/<secret>/<secret>`` holding the secret's keys as JSON; it stays running
    beside the container, so a rotated value reaches the file.
    """
    refs = secret_refs(model, service)
    if not refs:
        return {}
    out = {
        f"{AGENT}agent-inject": "true",
        f"{AGENT}role": dns_name(service),
        f"{AGENT}auth-path": f"auth/{AUTH_MOUNT}",
        f"{AGENT}agent-service-account-token-volume-name": AGENT_TOKEN_VOLUME,
    }
    for ref in refs:
        name = ref.kubernetes_secret
        out[f"{AGENT}agent-inject-secret-{name}"] = ref.policy_path
        out[f"{AGENT}secret-volume-path-{name}"] = f"{SECRETS_DIR}/{name}"
        out[f"{AGENT}agent-inject-template-{name}"] = (
            f'{{{{- with secret "{ref.policy_path}" -}}}}{{{{ .Data.data | toJSON }}}}{{{{- end -}}}}'
        )
    return out
