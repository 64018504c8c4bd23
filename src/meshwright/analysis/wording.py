"""Re-export of :mod:`meshwright.wording` (kept for the analysis and check modules)."""

from meshwright.wording import agree, number, plural, possessive

__all__ = ["agree", "number", "plural", "possessive"]
