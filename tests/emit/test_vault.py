"""The vault target: least-privilege policies and roles (HCL parsed back with python-hcl2),
Vault Secrets Operator resources valid against their schemas, and no secret value anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import kubernetes_validate
import pytest
from hcl2 import SerializationOptions

from cli_runner import run
from conftest import EXAMPLES
from emit.crd_schemas import validate_resource
from emit.helpers import check_golden
from meshwright.emit.registry import emit_all, emit_target
from meshwright.emit.yamltext import load_all
from meshwright.model import Model, load_model, load_text
from meshwright.model.types import SecretsDelivery

PLAIN = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


def parse(text: str) -> dict[str, Any]:
    """HCL as plain data (python-hcl2, quotes stripped), as Vault and Terraform read it."""
    return hcl2.loads(text, serialization_options=PLAIN)


def shop(delivery: SecretsDelivery | None = None) -> Model:
    """The shop example, with ``platform.secrets_delivery`` set to ``delivery``."""
    model = load_model(EXAMPLES / "shop").model
    if delivery is None:
        return model
    platform = model.platform.model_copy(update={"secrets_delivery": delivery})
    return model.model_copy(update={"platform": platform})


def files(delivery: SecretsDelivery | None = None) -> dict[str, str]:
    return {a.path: str(a.content) for a in emit_target("vault", shop(delivery))}


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


def test_external_secrets_resources_match_their_schemas() -> None:
    out = files(SecretsDelivery.external_secrets)
    others = sorted(p for p in out if not p.startswith("policies/"))
    assert others == ["kustomization.yaml", "main.tf", "secrets.yaml"]
    resources = load_all(out["secrets.yaml"])
    assert {r["kind"] for r in resources} == {"SecretStore", "ExternalSecret"}
    for obj in resources:
        validate_resource(obj)
    model = shop()
    stores = {
        r["metadata"]["name"]: r["spec"]["provider"]["vault"] for r in resources if r["kind"] == "SecretStore"
    }
    with_secrets = sorted(n for n, s in model.services.items() if s.secrets)
    # every shop secret is in the mount `secret`: one store per service
    assert sorted(stores) == [f"{n}-vault-secret" for n in with_secrets]
    assert stores["payment-vault-secret"]["auth"]["kubernetes"] == {
        "mountPath": "kubernetes",
        "role": "payment",
        "serviceAccountRef": {"name": "payment"},
    }
    assert stores["payment-vault-secret"]["version"] == "v2"
    card = next(r for r in resources if r["metadata"]["name"] == "payment-card-processor-api-key")
    assert card["spec"]["secretStoreRef"] == {"kind": "SecretStore", "name": "payment-vault-secret"}
    assert card["spec"]["target"] == {"name": "card-processor-api-key", "creationPolicy": "Owner"}
    assert card["spec"]["dataFrom"] == [{"extract": {"key": "shop/payment/card-processor"}}]
    externals = [r for r in resources if r["kind"] == "ExternalSecret"]
    assert len(externals) == sum(len(s.secrets) for s in model.services.values())


def test_a_service_with_secrets_in_two_mounts_gets_a_store_per_mount() -> None:
    model = load_text(
        "meshwright: 1\nsystem: s\nplatform: {secrets: vault, secrets_delivery: external-secrets}\n"
        "services: {a: {secrets: [db, {name: key, path: kv/team/a/key}]}}\n"
    ).model
    [text] = [str(f.content) for f in emit_target("vault", model) if f.path == "secrets.yaml"]
    resources = load_all(text)
    for obj in resources:
        validate_resource(obj)
    refs = {
        r["metadata"]["name"]: r["spec"]["secretStoreRef"]["name"]
        for r in resources
        if r["kind"] == "ExternalSecret"
    }
    assert refs == {"a-db": "a-vault-secret", "a-key": "a-vault-kv"}


def _deployments(model: Model) -> dict[str, dict[str, Any]]:
    return {
        obj["metadata"]["name"]: obj
        for a in emit_target("kubernetes", model)
        if a.path.startswith("base/")
        for obj in load_all(str(a.content))
        if obj.get("kind") == "Deployment"
    }


def test_vault_agent_annotations_replace_the_mounted_kubernetes_secrets() -> None:
    model = shop(SecretsDelivery.agent)
    assert sorted(files(SecretsDelivery.agent)) == sorted(
        [*(p for p in files() if p.startswith("policies/")), "main.tf"]
    ), "the agent needs policies and roles, and no operator resources"
    deployments = _deployments(model)
    for name, svc in model.services.items():
        pod = deployments[name]["spec"]["template"]
        kubernetes_validate.validate(deployments[name], kubernetes_validate.latest_version(), strict=True)
        volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
        assert not any("secret" in v for v in volumes.values()), "no Kubernetes Secret is mounted"
        annotations = pod["metadata"].get("annotations", {})
        if not svc.secrets:
            assert annotations == {} and "vault-token" not in volumes
            continue
        assert annotations["vault.hashicorp.com/agent-inject"] == "true"
        assert annotations["vault.hashicorp.com/role"] == name
        assert "serviceAccountToken" in volumes["vault-token"]["projected"]["sources"][0]
        assert pod["spec"]["automountServiceAccountToken"] is False
    payment = deployments["payment"]["spec"]["template"]["metadata"]["annotations"]
    key = "vault.hashicorp.com/agent-inject-secret-card-processor-api-key"
    assert payment[key] == "secret/data/shop/payment/card-processor"
    assert payment["vault.hashicorp.com/secret-volume-path-card-processor-api-key"] == (
        "/run/secrets/card-processor-api-key"
    )
    [container] = deployments["payment"]["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["CARD_PROCESSOR_API_KEY_FILE"] == "/run/secrets/card-processor-api-key"
    # the operator delivery (the default) keeps the mounted Secrets and no annotations
    default = _deployments(shop())["payment"]["spec"]["template"]
    assert "annotations" not in default["metadata"]
    assert any("secret" in v for v in default["spec"]["volumes"])


@pytest.mark.parametrize("delivery", ["external-secrets", "agent"])
def test_golden_files_of_each_delivery(delivery: str) -> None:
    model = shop(SecretsDelivery(delivery))
    check_golden(f"shop-{delivery}/vault", emit_target("vault", model))
    if delivery == "agent":
        payment = [a for a in emit_target("kubernetes", model) if a.path == "base/payment.yaml"]
        check_golden(f"shop-{delivery}/kubernetes", payment)


def test_secrets_delivery_needs_vault_and_a_known_value(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("meshwright: 1\nsystem: s\nplatform:\n  secrets: kubernetes\n  secrets_delivery: agent\n")
    done = run("validate", str(path))
    assert done.returncode == 2 and "secrets_delivery applies only to `secrets: vault`" in done.stderr
    assert f"{path}:5:21:" in done.stderr  # at secrets_delivery
    path.write_text("meshwright: 1\nsystem: s\nplatform:\n  secrets: vault\n  secrets_delivery: sidecar\n")
    done = run("validate", str(path))
    assert done.returncode == 2 and f"{path}:5:" in done.stderr
    assert "operator, external-secrets, agent" in done.stderr


MODEL_WITH_VALUES = """\
meshwright: 1
system: s
platform: {secrets: vault, secrets_delivery: DELIVERY}
services:
  a:
    secrets:
      - {name: db-password, value: hunter2-not-for-output}
      - {name: api-key, path: kv/team/a/api, value: sk-live-0123456789}
"""


@pytest.mark.parametrize("delivery", [d.value for d in SecretsDelivery])
def test_no_secret_value_is_ever_rendered(delivery: str) -> None:
    model = load_text(MODEL_WITH_VALUES.replace("DELIVERY", delivery)).model
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
