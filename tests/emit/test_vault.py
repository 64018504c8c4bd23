"""The vault target: least-privilege policies and roles (HCL parsed back with python-hcl2),
Vault Secrets Operator resources valid against their schemas, and no secret value anywhere."""

from __future__ import annotations

from typing import Any

import hcl2
from hcl2 import SerializationOptions

from conftest import EXAMPLES
from emit.crd_schemas import validate_resource
from meshwright.emit.registry import emit_all, emit_target
from meshwright.emit.yamltext import load_all
from meshwright.model import load_model, load_text

PLAIN = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


def parse(text: str) -> dict[str, Any]:
    """HCL as plain data (python-hcl2, quotes stripped), as Vault and Terraform read it."""
    return hcl2.loads(text, serialization_options=PLAIN)


def files() -> dict[str, str]:
    return {a.path: str(a.content) for a in emit_target("vault", load_model(EXAMPLES / "shop").model)}


def test_each_policy_reads_only_its_services_secrets() -> None:
    out = files()
    model = load_model(EXAMPLES / "shop").model
    with_secrets = sorted(n for n, s in model.services.items() if s.secrets)
    assert sorted(p for p in out if p.startswith("policies/")) == [f"policies/{n}.hcl" for n in with_secrets]
    notification = parse(out["policies/notification.hcl"])
    paths: dict[str, Any] = {k: v for block in notification["path"] for k, v in block.items()}
    assert paths == {
        "secret/data/shop/notification/notification-db-password": {"capabilities": ["read"]},
        "secret/data/shop/notification/email-provider": {"capabilities": ["read"]},
    }
    for name in with_secrets:
        policy = parse(out[f"policies/{name}.hcl"])
        for block in policy["path"]:
            for path, rules in block.items():
                assert rules == {"capabilities": ["read"]}
                assert "*" not in path and "+" not in path


def test_terraform_binds_one_role_per_service_account() -> None:
    tf = parse(files()["main.tf"])
    roles = {
        name: body
        for block in tf["resource"]
        for kind, named in block.items()
        if kind == "vault_kubernetes_auth_backend_role"
        for name, body in named.items()
    }
    payment = roles["payment"]
    assert payment["bound_service_account_names"] == ["payment"]
    assert payment["bound_service_account_namespaces"] == ["shop"]
    assert payment["token_policies"] == ["${vault_policy.payment.name}"]


def test_operator_resources_match_their_schemas() -> None:
    resources = load_all(files()["secrets.yaml"])
    assert {r["kind"] for r in resources} == {"VaultAuth", "VaultStaticSecret"}
    for obj in resources:
        validate_resource(obj)
    card = next(r for r in resources if r["metadata"]["name"] == "payment-card-processor-api-key")
    assert card["spec"]["mount"] == "secret" and card["spec"]["path"] == "shop/payment/card-processor"
    assert card["spec"]["destination"] == {"name": "card-processor-api-key", "create": True}


MODEL_WITH_VALUES = """\
meshwright: 1
system: s
platform: {secrets: vault}
services:
  a:
    secrets:
      - {name: db-password, value: hunter2-not-for-output}
      - {name: api-key, path: kv/team/a/api, value: sk-live-0123456789}
"""


def test_no_secret_value_is_ever_rendered() -> None:
    model = load_text(MODEL_WITH_VALUES).model
    values = [s.value for svc in model.services.values() for s in svc.secrets if s.value]
    assert len(values) == 2
    every_file = emit_all(model)
    assert any(a.path.startswith("vault/") for a in every_file)
    for artifact in every_file:
        text = artifact.content if isinstance(artifact.content, str) else artifact.content.decode()
        for value in values:
            assert value not in text, artifact.path
    policy = parse(next(str(a.content) for a in every_file if a.path == "vault/policies/a.hcl"))
    assert {k for block in policy["path"] for k in block} == {
        "secret/data/s/a/db-password",
        "kv/data/team/a/api",
    }


def test_other_secret_stores_get_no_vault_files() -> None:
    model = load_text("meshwright: 1\nsystem: s\nservices: {a: {secrets: [x]}}\n").model
    assert emit_target("vault", model) == []
