"""Interpolation: a later actual index exists, the estimate is the straight line
between the opening and it, at the period's end."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
METHODS = ("interpolation", "average_daily")


def register(*readings: ReadingIn) -> RegisterIn:
    return RegisterIn(7, "W7", 6, D(1), list(readings), estimation=METHODS)


def test_it_interpolates_between_the_opening_and_a_later_actual():
    # given 31 Oct 100.000 and the next actual only on 10 Dec 140.000
    reg = register(
        ReadingIn(1, date(2026, 9, 30), D("90")),
        ReadingIn(2, date(2026, 10, 31), D("100")),
        ReadingIn(3, date(2026, 12, 10), D("140")),
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then 31 Oct → 10 Dec is 40 days for 40 m3, 1 m3 a day; 31 Oct → 30 Nov is 30
    # days: 100 + 40 × 30 / 40 = 130.000
    assert result.estimate is not None
    assert (result.estimate.value, result.estimate.method) == (
        D("130"),
        "interpolation",
    )
    assert result.estimate.basis == (
        "interpolated between 2026-10-31 (100.000) and 2026-12-10 (140.000)"
    )
    assert result.quantity == D(30)
    # and the later reading is used, so it is not flagged outside_period
    assert [f.rule for f in result.findings] == ["missing_reading"]
    assert "by interpolation" in result.findings[0].message


def test_it_rounds_the_interpolated_index_to_three_decimals():
    # given 31 Oct 100 and 3 Dec 110: 33 days for 10 m3
    reg = register(
        ReadingIn(1, date(2026, 10, 31), D("100")),
        ReadingIn(2, date(2026, 12, 3), D("110")),
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then 100 + 10 × 30 / 33 = 109.0909… → 109.091 (half-up)
    assert result.estimate is not None and result.estimate.value == D("109.091")


def test_it_falls_back_when_the_later_reading_is_an_estimate_or_lower():
    # given a later reading that is an estimate: not an actual to interpolate to
    later = ReadingIn(3, date(2026, 12, 10), D("140"), status="estimated")
    reg = register(
        ReadingIn(1, date(2026, 9, 30), D("90")),
        ReadingIn(2, date(2026, 10, 31), D("100")),
        later,
    )

    estimated = period_consumption(reg, NOV_1, NOV_30).estimate
    # then average daily use: 10 m3 in the 31 days 30 Sep → 31 Oct, × 30 days =
    # 9.677… → 109.677
    assert estimated is not None
    assert (estimated.method, estimated.value) == ("average_daily", D("109.677"))

    # and a later actual below the opening (a misread or exchange) is not used either
    lower = replace(later, status="actual", value=D("95"))
    reg = register(*reg.readings[:2], lower)
    estimated = period_consumption(reg, NOV_1, NOV_30).estimate
    assert estimated is not None and estimated.method == "average_daily"
