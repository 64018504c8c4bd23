"""Shared test helpers."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

# Every run explores the same examples (a new random failure would block a landing for a
# reason unrelated to the change, and CI may not set CI=1); MESHWRIGHT_EXPLORE=1 explores
# new ones, as a local search for gaps.
settings.register_profile("ci", derandomize=True, deadline=None)
if not os.environ.get("MESHWRIGHT_EXPLORE"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write dedented text to a file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
        return path

    return _write
