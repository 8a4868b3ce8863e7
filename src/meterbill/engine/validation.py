"""The registry of validation rules and their severities.

A rule's severity is set per branch (and may be set per reading source); these are the
defaults. What a severity does in a bill run:

- ``block``: the apartment's (or contract's) invoice is held until the finding is
  resolved in the review queue;
- ``review``: billed, and the finding waits in the review queue;
- ``warn``: billed, and the finding is recorded as accepted with a warning;
- ``off``: the rule is not evaluated.

A branch's overrides map a key to a severity. The key is a rule code (``"high_use"``)
or a rule code and a reading source (``"high_use@portal"``); for a finding about a
reading from that source the more specific key wins: ``rule@source``, then ``rule``,
then the rule's default. Findings about no reading (``missing_reading``,
``no_estimate``, residence findings) have no source and only see ``rule``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BLOCK, REVIEW, WARN, OFF = "block", "review", "warn", "off"
SEVERITIES = (BLOCK, REVIEW, WARN, OFF)
# The reading sources (metering.Reading.Source) a severity may be set for.
SOURCES = ("manual", "device", "radio", "file", "portal", "estimate")


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
        Rule(
            "negative_consumption",
            BLOCK,
            "A consumption row of the period is below zero (a reversed flow or a "
            "correction row): the register's total would be lowered by it.",
        ),
        Rule(
            "zero_consumption",
            WARN,
            "A meter measured no consumption in the period: a vacant apartment, a "
            "stopped meter or a reading copied from the last one.",
        ),
        Rule(
            "high_use",
            REVIEW,
            "The period's daily use is far above the register's average daily use "
            "over the last year (relative and absolute band, see RuleConfig).",
        ),
        Rule(
            "low_use",
            REVIEW,
            "The period's daily use is far below the register's average daily use "
            "over the last year (relative and absolute band, see RuleConfig).",
        ),
        Rule(
            "spike",
            REVIEW,
            "One consumption row of the period is far above the median daily use "
            "of the register's rows.",
        ),
        Rule(
            "duplicate_reading",
            REVIEW,
            "Two index readings of one register on one day have different values; "
            "the bill uses the later one given.",
        ),
        Rule(
            "inactive_meter",
            REVIEW,
            "Consumption on a meter removed before the period's end or installed "
            "after its start: an exchange to check against the other meter.",
        ),
        Rule(
            "prolonged_estimation",
            REVIEW,
            "The register's last closing indexes before the period were all "
            "estimated: an actual reading is due.",
        ),
        Rule(
            "branch_sum",
            REVIEW,
            "The branching counters under a meter add up to more or less than the "
            "meter itself, beyond the relative and absolute tolerance.",
        ),
        Rule(
            "tariff_missing",
            BLOCK,
            "A contract service's tariff has no version in force for part of the "
            "period; the finding names the days.",
        ),
        Rule(
            "tariff_error",
            BLOCK,
            "A tariff component could not be rated (a formula divided by zero, "
            "read a variable without a value, or a VAT rate is missing).",
        ),
        Rule(
            "tariff_needs_intervals",
            BLOCK,
            "The tariff has time-of-use or demand charges and the meter has no "
            "hourly consumption data for the period.",
        ),
        Rule(
            "allocator_fault",
            REVIEW,
            "A reading the period uses carries a fault, tamper or alarm flag from "
            "the device.",
        ),
    )
}


def severity(
    rule: str, overrides: Mapping[str, str] | None = None, source: str = ""
) -> str:
    """The effective severity of ``rule`` for a finding about a reading from
    ``source`` ("" when none): ``rule@source``, then ``rule``, then the default."""
    if overrides:
        if source and f"{rule}@{source}" in overrides:
            return overrides[f"{rule}@{source}"]
        if rule in overrides:
            return overrides[rule]
    return RULES[rule].default


def override_errors(overrides: Mapping[str, str]) -> list[str]:
    """What is wrong with a branch's overrides, one message per bad key; empty when
    every key names a known rule (and source) and every value a severity."""
    errors = []
    for key, value in overrides.items():
        rule, _at, source = key.partition("@")
        if rule not in RULES:
            errors.append(f"{key}: unknown rule {rule!r}")
        elif _at and source not in SOURCES:
            errors.append(f"{key}: unknown reading source {source!r}")
        elif value not in SEVERITIES:
            errors.append(f"{key}: unknown severity {value!r}")
    return errors


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one register (or residence, for common consumption)."""

    rule: str
    severity: str
    message: str
    register_id: int | None = None
    reading_id: int | None = None
    source: str = ""  # the reading's source, "" when the finding is about none

    @property
    def holds_invoice(self) -> bool:
        return self.severity == BLOCK
