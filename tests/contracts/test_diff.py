"""`meshwright diff OLD NEW`: each kind of breaking change, located, and exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from cli_runner import run
from conftest import EXAMPLES


def edited(tmp_path: Path, file: str, edits: dict[str, str], *more: tuple[str, dict[str, str]]) -> Path:
    """A copy of the shop example with regex edits applied to ``file`` (and ``more`` files)."""
    root = tmp_path / "new"
    shutil.copytree(EXAMPLES / "shop", root)
    for name, changes in ((file, edits), *more):
        path = root / name
        text = path.read_text(encoding="utf-8")
        for pattern, replacement in changes.items():
            text, n = re.subn(pattern, replacement, text, count=1)
            assert n == 1, pattern
        path.write_text(text, encoding="utf-8")
    return root


def kinds(old: Path, new: Path) -> dict[str, str]:
    done = run("diff", str(old), str(new), "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    changes = json.loads(done.stdout)["breaking"]
    assert (done.returncode == 1) == bool(changes)
    return {c["subject"]: c["kind"] for c in changes}


def test_same_model_has_no_breaking_change() -> None:
    done = run("diff", str(EXAMPLES / "shop"), str(EXAMPLES / "shop"))
    assert done.returncode == 0, done.stderr
    assert "no breaking contract change" in done.stdout


def test_changed_port_is_breaking_and_located(tmp_path: Path) -> None:
    text = (EXAMPLES / "shop" / "services" / "fraud.yaml").read_text()
    port = re.search(r"port: (\d+)", text)
    assert port is not None
    new = edited(tmp_path, "services/fraud.yaml", {rf"port: {port[1]}": "port: 1234"})
    done = run("diff", str(EXAMPLES / "shop"), str(new))
    assert done.returncode == 1
    assert re.search(r"fraud\.yaml:\d+:\d+: breaking \[changed-port\]", done.stdout), done.stdout


@pytest.mark.parametrize(
    ("file", "edits", "subject", "kind"),
    [
        ("services/fraud.yaml", {r"protocol: grpc": "protocol: http"}, "fraud.", "changed-protocol"),
        ("services/fraud.yaml", {r"idempotent: true": "idempotent: false"}, "fraud.", "no-longer-idempotent"),
        (
            "mesh.yaml",
            {r"order-confirmed: \{partitions: 16": "order-confirmed: {partitions: 8"},
            "order-confirmed",
            "fewer-partitions",
        ),
        (
            "mesh.yaml",
            {r"14d, key: order_id\}\n  order-cancelled": "14d, key: id}\n  order-cancelled"},
            "order-confirmed",
            "changed-key",
        ),
        (
            "services/shipping.yaml",
            {r"publishes: \[shipment-created\]": "publishes: []"},
            "shipment-created",
            "topic-without-producer",
        ),
        (
            "services/orders.yaml",
            {r"required: \[order_id\]\n": "required: []\n"},
            "orders.CreateOrder",
            "removed-required-field",
        ),
        (
            "services/orders.yaml",
            {
                r"required: \[order_id\], properties: \{order_id: \{type: string\}\}": (
                    "required: [order_id, tenant], "
                    "properties: {order_id: {type: string}, tenant: {type: string}}"
                )
            },
            "orders.GetOrder",
            "new-required-field",
        ),
        (
            "mesh.yaml",
            {r"required: \[order_id, carrier, tracking_id\]": "required: [order_id, carrier]"},
            "shipment-created",
            "removed-required-field",
        ),
    ],
)
def test_each_breaking_kind(
    tmp_path: Path, file: str, edits: dict[str, str], subject: str, kind: str
) -> None:
    found = kinds(EXAMPLES / "shop", edited(tmp_path, file, edits))
    assert any(s.startswith(subject) and k == kind for s, k in found.items()), found


def test_removed_operation_and_adding_one_is_not_breaking(tmp_path: Path) -> None:
    new = edited(
        tmp_path,
        "services/orders.yaml",
        {r"GetOrder:": "GetOrderV2:", r"operations: \[GetOrder\]": "operations: [GetOrderV2]"},
        ("services/web-bff.yaml", {r"to: orders\.GetOrder": "to: orders.GetOrderV2"}),
    )
    found = kinds(EXAMPLES / "shop", new)
    assert found.get("orders.GetOrder") == "removed-operation"
    assert found.get("orders.GetOrderV2") is None
    assert kinds(new, EXAMPLES / "shop").get("orders.GetOrderV2") == "removed-operation"
