from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class UnknownSuppressedRule(Rule):
    """A suppression names a rule code that does not exist.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        suppress: {MW999: "typo: meant MW602"}
    ```

    **Best practice**

    ```yaml
    services:
      cart:
        suppress: {MW602: "sized by the platform team's LimitRange"}
    ```
    """

    code = "MW002"
    name = "meta.unknown-suppressed-rule"
    severity = Severity.warning
    rationale = (
        "A suppression of a code that no rule has suppresses nothing: it is usually a typo, "
        "and the finding it meant to accept is still reported."
    )
    fix = "Use a code from `meshwright rules`, or remove the suppression."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        from meshwright.check.registry import all_rules

        known = {r.code for r in all_rules()}
        for path, code, _ in ctx.suppressions:
            if code not in known:
                yield Hit(path, f"suppression names unknown rule {code}")
