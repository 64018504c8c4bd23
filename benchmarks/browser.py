"""Open a report in the machine's Chromium through Playwright, never downloading a browser:
``/usr/bin/chromium``, headless, a fresh profile, every non-file request refused and
recorded. Shared by the report's browser tests and its benchmark."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def unavailable() -> str | None:
    """Why a browser test cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (CI installs Debian's chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


@dataclass
class Opened:
    page: Any
    load_seconds: float
    console_errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """Requests to anything but file: and data: URLs (each was aborted)."""


@contextmanager
def open_report(path: Path, width: int = 1400, height: int = 900) -> Iterator[Opened]:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="meshwright-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                viewport={"width": width, "height": height},
            )
            try:
                errors: list[str] = []
                refused: list[str] = []

                def route(r: Any) -> None:
                    url = r.request.url
                    if url.startswith(("file:", "data:")):
                        r.continue_()
                    else:
                        refused.append(url)
                        r.abort()

                context.route("**/*", route)
                page = context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                start = time.perf_counter()
                page.goto(path.resolve().as_uri(), wait_until="load")
                seconds = time.perf_counter() - start
                yield Opened(page, seconds, errors, refused)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
