"""Wording of counts and names in messages: "1 replica", "2 replicas", "orders' SLO"."""

from __future__ import annotations


def number(n: float) -> str:
    """``n`` as written in a message: integers plainly, other numbers in ``:g`` form."""
    return str(n) if isinstance(n, int) else f"{n:g}"


def agree(n: float, one: str, many: str) -> str:
    """``one`` when ``n`` is exactly 1, else ``many`` (for nouns and verbs alike)."""
    return one if n == 1 else many


def plural(n: float, word: str, many: str | None = None) -> str:
    """"1 replica", "0 replicas", "2.5 times": the count and the word in agreement
    (``many`` for irregular plurals; default ``word + "s"``)."""
    return f"{number(n)} {agree(n, word, many if many is not None else word + 's')}"


def possessive(name: str) -> str:
    """"checkout's", "orders'": the possessive of a name (a trailing s takes the apostrophe only)."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"
