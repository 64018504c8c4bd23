"""Meta rules (MW0xx): about the review itself, such as suppressions."""

from meshwright.check.meta.MW001 import SuppressionWithoutReason
from meshwright.check.meta.MW002 import UnknownSuppressedRule

RULES = (SuppressionWithoutReason, UnknownSuppressedRule)
