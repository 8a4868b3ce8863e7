"""high_use / low_use: the period's daily use against the register's average daily
use over the history, outside both the relative and the absolute band."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption
from meterbill.engine.rules import RuleConfig

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def register(oct_1: str, oct_31: str, nov_30: str) -> RegisterIn:
    readings = [
        ReadingIn(1, date(2026, 10, 1), D(oct_1)),
        ReadingIn(2, date(2026, 10, 31), D(oct_31)),
        ReadingIn(3, NOV_30, D(nov_30), source="portal"),
    ]
    return RegisterIn(4, "E4", 6, D(1), readings)


def rules(result) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in result.findings]


def test_it_flags_use_above_three_times_the_history():
    # given 1000 → 1300 over October's 30 days: 10 kWh a day of history;
    # November 1300 → 2260: 960 / 30 = 32 a day
    reg = register("1000", "1300", "2260")

    result = period_consumption(reg, NOV_1, NOV_30)

    # then 32 > 3 × 10 = 30, and 32 − 10 = 22 ≥ 1 a day: high_use, for review
    assert rules(result) == [("high_use", "review")]
    assert "32.000 a day" in result.findings[0].message
    assert "10.000" in result.findings[0].message


def test_it_accepts_use_just_inside_the_relative_band():
    # given 10 a day of history and 1300 → 2170: 870 / 30 = 29 a day < 30
    reg = register("1000", "1300", "2170")

    result = period_consumption(reg, NOV_1, NOV_30)

    assert result.findings == []


def test_it_flags_use_below_a_fifth_of_the_history():
    # given 10 a day of history and 1300 → 1355: 55 / 30 = 1.833 a day
    reg = register("1000", "1300", "1355")

    result = period_consumption(reg, NOV_1, NOV_30)

    # then 1.833 < 0.2 × 10 = 2 and 10 − 1.833 = 8.167 ≥ 1: low_use
    assert rules(result) == [("low_use", "review")]


def test_it_ignores_a_large_ratio_on_a_small_difference():
    # given 100 → 106 in October: 0.2 a day; November 106 → 130: 24 / 30 = 0.8 a day
    reg = register("100", "106", "130")

    result = period_consumption(reg, NOV_1, NOV_30)

    # then 0.8 is 4 × 0.2, but 0.8 − 0.2 = 0.6 < 1 unit a day: no finding
    assert result.findings == []


def test_it_uses_the_absolute_band_it_is_given():
    reg = register("100", "106", "130")
    config = RuleConfig(min_daily_difference=D("0.5"))

    result = period_consumption(reg, NOV_1, NOV_30, config=config)

    # then 0.6 ≥ 0.5: high_use
    assert rules(result) == [("high_use", "review")]


def test_it_does_not_compare_against_too_short_a_history():
    # given the history is 10 days (21 Oct → 31 Oct) and the default minimum is 28
    readings = [
        ReadingIn(1, date(2026, 10, 21), D(1200)),
        ReadingIn(2, date(2026, 10, 31), D(1300)),
        ReadingIn(3, NOV_30, D(2260)),
    ]
    reg = RegisterIn(4, "E4", 6, D(1), readings)

    result = period_consumption(reg, NOV_1, NOV_30)

    assert result.findings == []


def test_it_compares_consumption_rows_per_day_covered():
    # given October as one 31-day row of 310 (10 a day) and November as one 30-day
    # row of 1200 (40 a day)
    readings = [
        ReadingIn(
            1, date(2026, 10, 31), D(310), "consumption", "actual", date(2026, 10, 1)
        ),
        ReadingIn(2, NOV_30, D(1200), "consumption", "actual", NOV_1),
    ]
    reg = RegisterIn(5, "E5", 8, D(1), readings, kind="consumption")

    result = period_consumption(reg, NOV_1, NOV_30)

    # then 40 > 3 × 10 and 40 − 10 = 30 ≥ 1: high_use
    assert rules(result) == [("high_use", "review")]
