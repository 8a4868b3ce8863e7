"""A branch's severity overrides change what a finding does; off suppresses it."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def decreasing() -> RegisterIn:
    return RegisterIn(
        9,
        "W9",
        6,
        D(1),
        [ReadingIn(1, date(2026, 10, 31), D(500)), ReadingIn(2, NOV_30, D(480))],
    )


def rolling_over() -> RegisterIn:
    return RegisterIn(
        5,
        "W5",
        5,
        D(1),
        [ReadingIn(1, date(2026, 10, 31), D(99990)), ReadingIn(2, NOV_30, D(15))],
    )


def test_it_suppresses_a_rule_set_to_off():
    result = period_consumption(
        decreasing(), NOV_1, NOV_30, {"register_decrease": "off"}
    )

    # then no finding and nothing held; the misread still bills no quantity
    assert result.findings == []
    assert not result.held
    assert result.quantity == 0


def test_it_lowers_a_blocking_rule_to_a_warning():
    result = period_consumption(
        decreasing(), NOV_1, NOV_30, {"register_decrease": "warn"}
    )

    assert [(f.rule, f.severity) for f in result.findings] == [
        ("register_decrease", "warn")
    ]
    assert not result.held


def test_it_raises_a_warning_rule_to_block():
    result = period_consumption(rolling_over(), NOV_1, NOV_30, {"rollover": "block"})

    # then the rollover quantity (100000 − 99990 + 15 = 25) is computed but held
    assert result.quantity == D(25)
    assert [(f.rule, f.severity) for f in result.findings] == [("rollover", "block")]
    assert result.held
