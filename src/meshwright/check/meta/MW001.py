from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class SuppressionWithoutReason(Rule):
    """A suppression gives no reason.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        suppress: {MW602: ""}
    ```

    **Best practice**

    ```yaml
    services:
      cart:
        suppress: {MW602: "sized by the platform team's LimitRange"}
    ```
    """

    code = "MW001"
    name = "meta.suppression-without-reason"
    severity = Severity.error
    rationale = (
        "A suppression accepts a known risk. Without the reason, the next reader cannot tell a "
        "deliberate decision from a way to silence the review, and nobody re-examines it when "
        "the reason stops being true."
    )
    fix = 'Write why the finding is accepted: `suppress: {MW602: "sized by the LimitRange"}`.'

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for path, code, reason in ctx.suppressions:
            if not reason.strip():
                yield Hit(path, f"suppression of {code} has no reason")
