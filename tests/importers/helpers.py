"""Helpers of the import tests: run the CLI, import into a temporary directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
OB_RELEASE = DATA / "online-boutique" / "release" / "kubernetes-manifests.yaml"
OB_SHARED = ROOT / "tests" / "data" / "online-boutique"
ROBOT_SHOP = DATA / "robot-shop"
TRACES = DATA / "traces"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it (kubectl stays on PATH for Kustomize directories)."""
    env = {"COLUMNS": "200", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "meshwright", *args], capture_output=True, text=True,
                          cwd=cwd, check=False, env=env)


def import_json(*args: str) -> dict[str, Any]:
    """Run `meshwright import ... --format json`; the summary."""
    r = run("import", *args, "--format", "json")
    assert r.returncode == 0, r.stderr + r.stdout
    data: dict[str, Any] = json.loads(r.stdout)
    return data


def runs_every_stage(model_dir: Path, tmp: Path) -> None:
    """validate, check, analyze, simulate and emit all run on the model at once."""
    for command in (["validate"], ["check", "--fail-on", "never"], ["analyze"],
                    ["simulate", "--duration", "1m"]):
        r = run(*command, str(model_dir))
        assert r.returncode == 0, (command, r.stderr[-2000:])
        assert "Traceback" not in r.stderr
    r = run("emit", "all", str(model_dir), "-o", str(tmp / "emitted"))
    assert r.returncode == 0, r.stderr[-2000:]
