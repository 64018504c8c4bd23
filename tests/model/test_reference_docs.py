from conftest import ROOT
from meshwright.model.reference import render


def test_model_reference_is_generated_from_code() -> None:
    committed = (ROOT / "docs" / "model-reference.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/model-reference.md is stale: run "
        "`.venv/bin/python -m meshwright.model.reference > docs/model-reference.md`"
    )


def test_reference_covers_every_policy() -> None:
    text = render()
    for name in ("Retries", "CircuitBreaker", "Bulkhead", "RateLimit", "ServiceTime", "Saga"):
        assert f"## {name}" in text
