"""`meshwright publish etcd` against a real etcd (Debian's etcd-server) started on free
127.0.0.1 ports with a temporary data directory: publish, read back with etcdctl,
publish a changed model, and check that only the keys meshwright wrote were removed."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_runner import run
from meshwright.callpolicy import mesh_route_policy, semantics
from meshwright.emit.etcd import key_values
from meshwright.emit.registry import network_view
from meshwright.graph import edges
from meshwright.model import load_model

MODEL = """
meshwright: 1
system: keyed
platform: {discovery: etcd}
services:
  web:
    apis: [{name: Web, protocol: http, port: 8080, operations: {Home: {}}}]
    calls:
      - to: api.Get
        timeout: 900ms
        retries: {attempts: 2, per_try_timeout: 400ms}
        mesh_retries: {attempts: 3, per_try_timeout: 250ms, retry_on: [unavailable]}
      - to: legacy.Old
        timeout: 1s
  api:
    apis: [{name: pkg.Api, protocol: grpc, port: 7070, operations: {Get: {}}}]
  legacy:
    apis: [{name: Legacy, protocol: http, port: 8081, operations: {Old: {}}}]
entrypoints:
  - {operation: web.Home, rate: 10/s}
"""

CHANGED = (
    MODEL.replace("      - to: legacy.Old\n        timeout: 1s\n", "")
    .replace("  legacy:\n    apis: [{name: Legacy, protocol: http, port: 8081, operations: {Old: {}}}]\n", "")
    .replace("timeout: 900ms", "timeout: 700ms")
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def etcd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real etcd on free 127.0.0.1 ports; yields its client URL; stopped after the module."""
    binary = shutil.which("etcd") or "/usr/bin/etcd"
    if not Path(binary).exists():
        pytest.fail("etcd is not installed: these tests need Debian's etcd-server (/usr/bin/etcd)")
    data = tmp_path_factory.mktemp("etcd-data")
    client, peer = _free_port(), _free_port()
    url, peer_url = f"http://127.0.0.1:{client}", f"http://127.0.0.1:{peer}"
    proc = subprocess.Popen(
        [
            binary,
            "--name",
            "meshwright-test",
            "--data-dir",
            str(data / "member"),
            "--listen-client-urls",
            url,
            "--advertise-client-urls",
            url,
            "--listen-peer-urls",
            peer_url,
            "--initial-advertise-peer-urls",
            peer_url,
            "--initial-cluster",
            f"meshwright-test={peer_url}",
            "--log-level",
            "error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                    if json.loads(r.read()).get("health") == "true":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr and proc.poll() is not None else ""
                pytest.fail(f"etcd did not start on {url}: {err}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _etcdctl(url: str, *args: str) -> str:
    done = subprocess.run(
        ["etcdctl", "--endpoints", url, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={"ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _read_prefix(url: str, prefix: str) -> dict[str, str]:
    lines = _etcdctl(url, "get", "--prefix", prefix).splitlines()
    return dict(zip(lines[0::2], lines[1::2], strict=True))


def test_publish_reads_back_and_removes_only_its_own_stale_keys(etcd: str, tmp_path: Path) -> None:
    model = tmp_path / "mesh.yaml"
    model.write_text(MODEL, encoding="utf-8")
    _etcdctl(etcd, "put", "/other/keep", "foreign")
    _etcdctl(etcd, "put", "/meshwright/keyed/operator-note", "written by hand")

    done = run("publish", "etcd", str(model), "--endpoint", etcd, "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["deleted"] == []
    stored = _read_prefix(etcd, "/meshwright/keyed/")
    want = dict(key_values(network_view(load_model(model).model)))
    owned = json.loads(stored.pop("/meshwright/keyed/.owned"))
    assert stored.pop("/meshwright/keyed/operator-note") == "written by hand"
    assert stored == {k: v for k, v in want.items() if not k.endswith("/.owned")}
    assert sorted(owned) == sorted(stored) == sorted(report["put"])
    call = json.loads(stored["/meshwright/keyed/services/web/calls/Home/api.Get"])
    [edge] = [e for e in edges(load_model(model).model) if e.call.to == "api.Get"]
    policy = mesh_route_policy(edge.call)
    assert call["mesh"]["retries"] == policy.retries == 2
    assert call["mesh"]["timeout"] == policy.timeout == 0.4  # the application try's deadline
    assert call["timeout"] == semantics(edge.call).timeout == 0.9
    assert call["max_tries"] == semantics(edge.call).max_tries == 6
    endpoint = json.loads(stored["/meshwright/keyed/services/api/endpoints/pkg.Api"])
    assert endpoint == {
        "protocol": "grpc",
        "host": "api.keyed.svc.cluster.local",
        "port": 7070,
        "container_port": 7070,
        "operations": ["Get"],
    }

    model.write_text(CHANGED, encoding="utf-8")
    done = run("publish", "etcd", str(model), "--endpoint", etcd, "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert sorted(report["deleted"]) == sorted(
        [
            "/meshwright/keyed/services/legacy/runtime",
            "/meshwright/keyed/services/legacy/endpoints/Legacy",
            "/meshwright/keyed/services/web/calls/Home/legacy.Old",
        ]
    )
    stored = _read_prefix(etcd, "/meshwright/keyed/")
    assert not any("legacy" in k for k in stored)
    assert json.loads(stored["/meshwright/keyed/services/web/calls/Home/api.Get"])["timeout"] == 0.7
    assert stored["/meshwright/keyed/operator-note"] == "written by hand"
    assert _etcdctl(etcd, "get", "/other/keep").splitlines() == ["/other/keep", "foreign"]
    assert "/meshwright/keyed/operator-note" not in json.loads(stored["/meshwright/keyed/.owned"])

    # publishing the same model again changes nothing and deletes nothing
    again = json.loads(run("publish", "etcd", str(model), "--endpoint", etcd, "--format", "json").stdout)
    assert again["deleted"] == [] and _read_prefix(etcd, "/meshwright/keyed/") == stored


def test_unreachable_endpoint_is_a_clear_error(tmp_path: Path) -> None:
    model = tmp_path / "mesh.yaml"
    model.write_text(MODEL, encoding="utf-8")
    done = run("publish", "etcd", str(model), "--endpoint", f"http://127.0.0.1:{_free_port()}")
    assert done.returncode == 2
    assert "cannot reach etcd at http://127.0.0.1:" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    bad = run("publish", "etcd", str(model), "--endpoint", "127.0.0.1:2379")
    assert bad.returncode == 2 and "is not an http(s) URL" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:abc", "http://127.0.0.1:99999", "http://:2379"])
def test_endpoint_without_host_or_numeric_port_is_a_usage_error(tmp_path: Path, endpoint: str) -> None:
    model = tmp_path / "mesh.yaml"
    model.write_text(MODEL, encoding="utf-8")
    done = run("publish", "etcd", str(model), "--endpoint", endpoint, "--format", "json")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "not an http(s) URL" in json.loads(done.stdout)["errors"][0]["message"]


def test_a_server_that_does_not_speak_http_is_a_clear_error(tmp_path: Path) -> None:
    model = tmp_path / "mesh.yaml"
    model.write_text(MODEL, encoding="utf-8")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]

        def garbage() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"NOT-HTTP nonsense\r\n\r\n")

        thread = threading.Thread(target=garbage, daemon=True)
        thread.start()
        done = run("publish", "etcd", str(model), "--endpoint", f"http://127.0.0.1:{port}")
        thread.join(timeout=5)
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == 2 and "did not answer like etcd" in done.stderr
