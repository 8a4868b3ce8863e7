"""Catalogue entries for the English texts that screens show from the pure engine
(which imports no Django, so it has no gettext): the validation rules' descriptions,
the names of the distribution keys, the unit words of invoice lines, and the keys
and rule texts of the line traces.

Screens translate them when shown (``{% translate rule.description %}``,
``key_label``, ``{% translate line.unit %}``, ``trace_label``, ``trace_text``). A
text the engine changes or adds without an entry here stays English on the screen;
tests/web/test_i18n_catalogue.py and tests/web/test_trace_words.py name any such
text.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, gettext_noop

# meterbill.engine.validation.RULES, by code: the descriptions as the engine words them.
RULE_DESCRIPTIONS = {
    "register_decrease": gettext_noop(
        "The closing index is below the opening index and is not a rollover: a "
        "misread or an unrecorded meter exchange."
    ),
    "rollover": gettext_noop(
        "The index passed the register's capacity and started again from zero."
    ),
    "missing_reading": gettext_noop(
        "No closing reading in the period: the consumption is estimated."
    ),
    "no_estimate": gettext_noop(
        "No closing reading and too little history to estimate one."
    ),
    "outside_period": gettext_noop(
        "A reading is dated after the period's end; it is not used for this period."
    ),
    "common_blocked": gettext_noop(
        "A meter under the main meter has neither a usable reading nor an estimate; "
        "the common consumption is not split."
    ),
    "negative_common": gettext_noop(
        "The main meter measured less than the sum of the meters under it; the "
        "difference is not distributed."
    ),
    "negative_consumption": gettext_noop(
        "A consumption row of the period is below zero (a reversed flow or a "
        "correction row): the register's total would be lowered by it."
    ),
    "zero_consumption": gettext_noop(
        "A meter measured no consumption in the period: a vacant apartment, a "
        "stopped meter or a reading copied from the last one."
    ),
    "high_use": gettext_noop(
        "The period's daily use is far above the register's average daily use over "
        "the last year (relative and absolute band, see RuleConfig)."
    ),
    "low_use": gettext_noop(
        "The period's daily use is far below the register's average daily use over "
        "the last year (relative and absolute band, see RuleConfig)."
    ),
    "spike": gettext_noop(
        "One consumption row of the period is far above the median daily use of the "
        "register's rows."
    ),
    "duplicate_reading": gettext_noop(
        "Two index readings of one register on one day have different values; the "
        "bill uses the later one given."
    ),
    "inactive_meter": gettext_noop(
        "Consumption on a meter removed before the period's end or installed after "
        "its start: an exchange to check against the other meter."
    ),
    "prolonged_estimation": gettext_noop(
        "The register's last closing indexes before the period were all estimated: "
        "an actual reading is due."
    ),
    "branch_sum": gettext_noop(
        "The branching counters under a meter add up to more or less than the meter "
        "itself, beyond the relative and absolute tolerance."
    ),
    "tariff_missing": gettext_noop(
        "A contract service's tariff has no version in force for part of the period; "
        "the finding names the days."
    ),
    "tariff_error": gettext_noop(
        "A tariff component could not be rated (a formula divided by zero, read a "
        "variable without a value, or a VAT rate is missing)."
    ),
    "tariff_needs_intervals": gettext_noop(
        "The tariff has time-of-use or demand charges and the meter has no hourly "
        "consumption data for the period."
    ),
    "allocator_fault": gettext_noop(
        "A reading the period uses carries a fault, tamper or alarm flag from the "
        "device."
    ),
}

# meterbill.engine.allocation.KEYS: how a key is named in a choice list.
KEY_NAMES = {
    "allocator_units": gettext_noop("allocator units"),
    "area": gettext_noop("area"),
    "consumption": gettext_noop("consumption"),
    "custom": gettext_noop("custom"),
    "equal": gettext_noop("equal"),
    "heated_area": gettext_noop("heated area"),
    "person_days": gettext_noop("person days"),
    "persons": gettext_noop("persons"),
    "quota": gettext_noop("quota"),
}

# The unit words of meterbill.engine.pricing and meterbill.engine.contract_charges
# (UNITS_BY_CODE) that invoice lines carry; the other units are symbols (m3, kWh).
UNIT_WORDS = (
    gettext_noop("month"),
    gettext_noop("unit"),
    gettext_noop("piece"),
    gettext_noop("day"),
)


def key_label(key: str) -> str | Promise:
    """The key's name in the user's language (lazy: choice lists are built once)."""
    return gettext_lazy(KEY_NAMES.get(key, key.replace("_", " ")))


# The keys of the line traces that meterbill.engine writes (components.py,
# components_batch.py, pricing.py), as a screen names them. A formula's trace and
# its text share a name ("formula: variables", "formula: round(...)").
TRACE_KEYS = {
    "rule": gettext_noop("rule"),
    "component": gettext_noop("component"),
    "quantity": gettext_noop("quantity"),
    "months": gettext_noop("months"),
    "count": gettext_noop("count"),
    "block_from": gettext_noop("block from"),
    "block_to": gettext_noop("block up to"),
    "month": gettext_noop("month"),
    "days": gettext_noop("days"),
    "subtotal": gettext_noop("subtotal"),
    "minimum": gettext_noop("minimum"),
    "maximum": gettext_noop("maximum"),
    "formula": gettext_noop("formula"),
    "formula_trace": gettext_noop("formula"),
    "quantity_formula": gettext_noop("quantity formula"),
    "quantity_trace": gettext_noop("quantity formula"),
    "trace": gettext_noop("formula"),
    "period": gettext_noop("time-of-use period"),
    "tier": gettext_noop("tier"),
    "kwh": gettext_noop("energy (kWh)"),
    "exact_amount": gettext_noop("exact amount"),
    "demand": gettext_noop("demand"),
    "peak_kw": gettext_noop("peak (kW)"),
    "peak_days": gettext_noop("days of the peak"),
    "share_of_days": gettext_noop("share of the days"),
    "own_quantity": gettext_noop("own quantity"),
    "common_quantity": gettext_noop("common quantity"),
    "source": gettext_noop("source"),
    "tariff": gettext_noop("tariff"),
    "part": gettext_noop("part of the period"),
}

# The fixed texts of the traces' "rule" (and "demand") the engine writes, in
# components.py, components_batch.py and contract_charges.py.
TRACE_TEXTS = frozenset(
    (
        gettext_noop("quantity × unit price"),
        gettext_noop("quantity × excise rate per unit"),
        gettext_noop("fixed charge per month × months × apartments"),
        gettext_noop("fixed charge per month × months × meters"),
        gettext_noop("quantity split by days × the month's price"),
        gettext_noop("formula"),
        gettext_noop("minimum per month × months − lines so far"),
        gettext_noop("maximum per month × months − lines so far"),
        gettext_noop("URDB time-of-use energy (SAM utilityrate5)"),
        gettext_noop("URDB demand charge (SAM utilityrate5)"),
        gettext_noop("late-payment penalty"),
        gettext_noop("fee per month × months (partial months by days)"),
        gettext_noop("one-off item"),
        gettext_noop("flat"),
    )
)

# The rule texts made from a pattern: the English pattern, and the catalogue text
# with the pattern's number as %(n)s, by the pattern's word.
TRACE_PATTERNS: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (
        re.compile(
            r"block (?P<n>\d+) \((?P<word>incremental|all_units)\), limits × months"
        ),
        {
            "incremental": gettext_noop("block %(n)s (incremental), limits × months"),
            "all_units": gettext_noop("block %(n)s (all units), limits × months"),
        },
    ),
    (
        re.compile(r"(?P<word>period) (?P<n>\d+)"),
        {"period": gettext_noop("period %(n)s")},
    ),
)


def trace_label(key: str) -> str:
    """A trace key's name in the active language (an unknown key: its words)."""
    if key in TRACE_KEYS:
        return gettext(TRACE_KEYS[key])
    return key.replace("_", " ")


def trace_text(text: str) -> str:
    """A rule text of a trace in the active language; a text not known here is
    shown as it is."""
    if text in TRACE_TEXTS:
        return gettext(text)
    for pattern, wordings in TRACE_PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return gettext(wordings[found["word"]]) % {"n": found["n"]}
    return text
