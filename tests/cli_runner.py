"""Run the meshwright command line as a user does: a subprocess with a plain environment."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m meshwright ARGS``, output captured, wide and colourless."""
    return subprocess.run(
        [sys.executable, "-m", "meshwright", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
