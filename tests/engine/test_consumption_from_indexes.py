"""Consumption of an index register: closing − opening, times the multiplier."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def register(*readings: tuple[date, str], multiplier: str = "1") -> RegisterIn:
    rows = [ReadingIn(n, day, D(value)) for n, (day, value) in enumerate(readings, 1)]
    return RegisterIn(7, "W7", 6, D(multiplier), rows)


def test_it_takes_the_newest_reading_before_the_period_as_opening():
    # given readings on 30 Sep, 31 Oct (opening) and 30 Nov (closing)
    reg = register(
        (date(2026, 9, 30), "90.5"),
        (date(2026, 10, 31), "100.250"),
        (date(2026, 11, 30), "112.750"),
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then 112.750 − 100.250 = 12.500 m3 over 30 days, no findings
    assert result.quantity == D("12.500")
    assert result.opening is not None and result.opening.read_on == date(2026, 10, 31)
    assert result.closing is not None and result.closing.read_on == NOV_30
    assert result.days == 30
    assert result.findings == []


def test_it_applies_the_meter_multiplier():
    # given a current-transformer meter with multiplier 40
    reg = register(
        (date(2026, 10, 31), "1000.1"), (date(2026, 11, 30), "1002.6"), multiplier="40"
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then (1002.6 − 1000.1) × 40 = 2.5 × 40 = 100
    assert result.quantity == D("100.0")


def test_it_ignores_rejected_readings():
    # given a rejected closing reading beside an actual one earlier in the period
    reg = RegisterIn(
        7,
        "W7",
        6,
        D(1),
        [
            ReadingIn(1, date(2026, 10, 31), D(100)),
            ReadingIn(2, date(2026, 11, 20), D(104)),
            ReadingIn(3, date(2026, 11, 30), D(999), status="rejected"),
        ],
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then the newest usable reading (20 Nov, 104) closes: 4 m3
    assert result.quantity == D(4)
    assert result.closing is not None and result.closing.reading_id == 2
