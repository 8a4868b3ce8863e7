"""Severity resolution: rule@source, then rule, then the default; off suppresses."""

from datetime import date
from decimal import Decimal

import pytest

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption
from meterbill.engine.validation import RULES, override_errors, severity

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def decreasing(source: str) -> RegisterIn:
    readings = [
        ReadingIn(1, date(2026, 10, 31), D(500), source="manual"),
        ReadingIn(2, NOV_30, D(480), source=source),
    ]
    return RegisterIn(9, "W9", 6, D(1), readings)


BRANCH = {"register_decrease": "warn", "register_decrease@portal": "review"}


@pytest.mark.parametrize(
    ("overrides", "source", "expected"),
    [
        ({}, "portal", "block"),  # the default
        ({"register_decrease": "warn"}, "portal", "warn"),  # the branch's rule
        (BRANCH, "portal", "review"),  # rule@source beats rule
        (BRANCH, "radio", "warn"),  # another source falls back to rule
        ({"register_decrease@portal": "warn"}, "radio", "block"),  # … or default
        ({"register_decrease@portal": "warn"}, "", "block"),  # no source at all
    ],
)
def test_it_resolves_the_most_specific_severity(overrides, source, expected):
    assert severity("register_decrease", overrides, source) == expected


def test_it_applies_the_closing_readings_source_to_the_finding():
    result = period_consumption(decreasing("portal"), NOV_1, NOV_30, BRANCH)

    assert [(f.rule, f.severity, f.source) for f in result.findings] == [
        ("register_decrease", "review", "portal")
    ]
    assert not result.held


def test_it_suppresses_a_rule_for_one_source_only():
    overrides = {"register_decrease@radio": "off"}

    from_radio = period_consumption(decreasing("radio"), NOV_1, NOV_30, overrides)
    keyed_in = period_consumption(decreasing("manual"), NOV_1, NOV_30, overrides)

    assert from_radio.findings == []
    assert [(f.rule, f.severity) for f in keyed_in.findings] == [
        ("register_decrease", "block")
    ]


def test_it_suppresses_a_new_rule_set_to_off():
    readings = [ReadingIn(1, date(2026, 10, 31), D(7)), ReadingIn(2, NOV_30, D(7))]
    reg = RegisterIn(1, "W1", 6, D(1), readings)

    result = period_consumption(reg, NOV_1, NOV_30, {"zero_consumption": "off"})

    assert result.findings == []


def test_it_names_every_bad_override_key():
    overrides = {
        "high_use@portal": "block",
        "high_use@fax": "warn",
        "nonsense": "warn",
        "spike": "loud",
    }

    errors = override_errors(overrides)

    assert errors == [
        "high_use@fax: unknown reading source 'fax'",
        "nonsense: unknown rule 'nonsense'",
        "spike: unknown severity 'loud'",
    ]


def test_every_rule_fits_the_rule_setting_column_with_any_source():
    # billing.RuleSetting.rule is 32 characters; "prolonged_estimation@estimate" is 29
    longest = max(len(f"{code}@estimate") for code in RULES)

    assert longest <= 32
