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


def percents_apart(value: float, reference: float) -> tuple[str, str]:
    """Two percentages (0..100) with the fewest decimals (one at least) that show they
    differ: 99.8999 against 99.9 prints "99.8999" and "99.9000", never "99.9" twice."""
    for digits in range(1, 7):
        a, b = f"{value:.{digits}f}", f"{reference:.{digits}f}"
        if a != b:
            return a, b
    return f"{value:.6f}", f"{reference:.6f}"


def rates_apart(value: float, reference: float) -> tuple[str, str]:
    """Two rates as :func:`rate_text` writes them, with more decimals when that would print
    different rates alike: 3.1968/s against 3.1949/s prints "3.20/s" and "3.19/s", never
    "3.2/s" twice."""
    a, b = rate_text(value), rate_text(reference)
    digits = 1
    while a == b and value != reference and digits <= 6:
        a, b = f"{value:,.{digits}f}/s", f"{reference:,.{digits}f}/s"
        digits += 1
    return a, b


def percent_above(value: float, limit: float = 100.0) -> str:
    """A percentage (0..) without decimals, or with the fewest that show it is above
    ``limit`` when it is: 100.06 prints "100.06", never "100" (a utilisation over 100 %)."""
    text = f"{value:.0f}"
    if value > limit and float(text) <= limit:
        return percents_apart(value, limit)[0]
    return text


def rate_text(per_second: float) -> str:
    """A computed request rate for people, one format everywhere: ``1,250/s`` from 100/s
    up, ``3.2/s`` below (one decimal), ``0.05/s`` below 1/s (two significant digits)."""
    if per_second >= 100:
        return f"{per_second:,.0f}/s"
    if per_second >= 1:
        return f"{per_second:.1f}/s"
    return f"{per_second:.2g}/s"
