"""A missing closing index is estimated by average daily use × days."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import (
    ReadingIn,
    RegisterIn,
    average_daily_use,
    period_consumption,
)

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def test_it_estimates_a_missing_closing_index_from_average_daily_use():
    # given readings on 31 Aug (100.000) and 31 Oct (120.000), none in November
    reg = RegisterIn(
        3,
        "W3",
        6,
        D(1),
        [
            ReadingIn(1, date(2026, 8, 31), D("100.000")),
            ReadingIn(2, date(2026, 10, 31), D("120.000")),
        ],
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then the rate is 20 m3 / 61 days (31 Aug → 31 Oct) = 0.327868852… m3/day;
    # 31 Oct → 30 Nov is 30 days: 30 × 20 / 61 = 9.836065573… → index 129.836
    assert result.estimate is not None
    assert result.estimate.value == D("129.836")
    assert result.estimate.read_on == NOV_30
    assert result.estimate.method == "average_daily"
    assert "2026-08-31" in result.estimate.basis
    assert result.quantity == D("9.836")
    assert result.days == 30
    # and the estimate is flagged, as a warning that does not hold the invoice
    assert [(f.rule, f.severity) for f in result.findings] == [
        ("missing_reading", "warn")
    ]
    assert not result.held


def test_it_uses_only_the_last_year_of_history():
    # given a reading 500 days back, and two within the year before the opening
    readings = [
        ReadingIn(1, date(2025, 6, 18), D(0)),
        ReadingIn(2, date(2026, 9, 30), D(400)),
        ReadingIn(3, date(2026, 10, 31), D(431)),
    ]

    rate = average_daily_use(readings, date(2026, 10, 31))

    # then only 30 Sep → 31 Oct counts: 31 m3 / 31 days = 1 m3/day
    assert rate is not None
    assert rate[0] == D(1)


def test_it_cannot_estimate_from_a_single_reading():
    # given only the opening index
    reg = RegisterIn(3, "W3", 6, D(1), [ReadingIn(1, date(2026, 10, 31), D(50))])

    result = period_consumption(reg, NOV_1, NOV_30)

    # then no estimate, quantity 0 and a blocking no_estimate finding
    assert result.estimate is None
    assert result.quantity == 0
    assert [(f.rule, f.severity) for f in result.findings] == [("no_estimate", "block")]
    assert result.held


def test_it_rounds_an_estimated_index_half_up_through_the_money_module():
    # given 100.0000 on 30 Sep and 100.0155 on 31 Oct: 0.0155 / 31 = 0.0005 m3/day
    reg = RegisterIn(
        3,
        "W3",
        6,
        D(1),
        [
            ReadingIn(1, date(2026, 9, 30), D("100.0000")),
            ReadingIn(2, date(2026, 10, 31), D("100.0155")),
        ],
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then 100.0155 + 30 × 0.0005 = 100.0305, exactly half a step of 0.001: rounded
    # half up (commercial rounding, engine.money) to 100.031, not half-even 100.030
    assert result.estimate is not None
    assert result.estimate.value == D("100.031")
