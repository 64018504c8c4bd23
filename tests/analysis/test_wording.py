"""Counts and names in messages."""

from __future__ import annotations

from meshwright.analysis.wording import agree, plural, possessive


def test_plural_agrees_with_the_count() -> None:
    assert plural(1, "replica") == "1 replica"
    assert plural(0, "replica") == "0 replicas"
    assert plural(2.5, "time") == "2.5 times"
    assert plural(1.0, "try", "tries") == "1 try"
    assert plural(3, "try", "tries") == "3 tries"
    assert agree(1, "is", "are") == "is" and agree(2, "is", "are") == "are"


def test_possessive_of_a_name_ending_in_s() -> None:
    assert possessive("orders") == "orders'"
    assert possessive("checkout") == "checkout's"
