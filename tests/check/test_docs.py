"""docs/rules/ is generated from the rules' code and must be kept in sync."""

from __future__ import annotations

from pathlib import Path

from meshwright.check.docs import pages

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


def test_committed_rule_docs_match_the_generator() -> None:
    expected = pages()
    committed = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(name for name in expected if committed.get(name) != expected[name])
    extra = sorted(set(committed) - set(expected))
    assert not stale and not extra, (
        f"docs/rules is out of date (changed: {stale}, unknown: {extra}); "
        "run `python -m meshwright.check.docs`"
    )


def test_every_rule_page_shows_both_examples() -> None:
    for name, text in pages().items():
        if name != "index.md":
            assert "## Anti-pattern" in text and "## Best practice" in text, name
