"""The registry of validation rules and their severities.

A rule's severity is set per branch (and may be set per reading source); these are the
defaults. What a severity does in a bill run:

- ``block``: the apartment's (or contract's) invoice is held until the finding is
  resolved in the review queue;
- ``review``: billed, and the finding waits in the review queue;
- ``warn``: billed, and the finding is recorded as accepted with a warning;
- ``off``: the rule is not evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BLOCK, REVIEW, WARN, OFF = "block", "review", "warn", "off"
SEVERITIES = (BLOCK, REVIEW, WARN, OFF)


@dataclass(frozen=True)
class Rule:
    code: str
    default: str
    description: str


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "register_decrease",
            BLOCK,
            "The closing index is below the opening index and is not a rollover: "
            "a misread or an unrecorded meter exchange.",
        ),
        Rule(
            "rollover",
            WARN,
            "The index passed the register's capacity and started again from zero.",
        ),
        Rule(
            "missing_reading",
            WARN,
            "No closing reading in the period: the consumption is estimated.",
        ),
        Rule(
            "no_estimate",
            BLOCK,
            "No closing reading and too little history to estimate one.",
        ),
        Rule(
            "outside_period",
            WARN,
            "A reading is dated after the period's end; it is not used for this "
            "period.",
        ),
        Rule(
            "common_blocked",
            REVIEW,
            "A meter under the main meter has neither a usable reading nor an "
            "estimate; the common consumption is not split.",
        ),
        Rule(
            "negative_common",
            REVIEW,
            "The main meter measured less than the sum of the meters under it; the "
            "difference is not distributed.",
        ),
    )
}


def severity(rule: str, overrides: Mapping[str, str] | None = None) -> str:
    """The effective severity of ``rule`` given a branch's overrides."""
    if overrides and rule in overrides:
        return overrides[rule]
    return RULES[rule].default


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one register (or residence, for common consumption)."""

    rule: str
    severity: str
    message: str
    register_id: int | None = None
    reading_id: int | None = None

    @property
    def holds_invoice(self) -> bool:
        return self.severity == BLOCK
