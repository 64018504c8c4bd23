"""`make docs`: regenerate the documentation that is generated from the code.

    python -m meshwright.docs_gen [DOCS_DIR]     (default: docs)

Writes DOCS_DIR/rules/*.md (one page per review rule, and the index) and
DOCS_DIR/model-reference.md (every model field, its type, default and meaning). The
tests keep both in agreement with the code, so a stale page fails the suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

from meshwright.check import docs as rule_docs
from meshwright.model import reference


def generate(directory: Path) -> list[Path]:
    """Write every generated page under ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = rule_docs.write(directory / "rules")
    ref = directory / "model-reference.md"
    ref.write_text(reference.render(), encoding="utf-8")
    return [*written, ref]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    print(f"wrote {len(generate(target))} pages under {target}/")
