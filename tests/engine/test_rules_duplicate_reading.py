"""duplicate_reading: two index readings of one register on one day that differ."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def register(*readings: tuple[int, date, str]) -> RegisterIn:
    return RegisterIn(
        3, "W3", 6, D(1), [ReadingIn(i, day, D(v)) for i, day, v in readings]
    )


def test_it_flags_two_closing_readings_that_differ():
    reg = register(
        (1, date(2026, 10, 31), "100"), (2, NOV_30, "110"), (3, NOV_30, "111")
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then the later one given (111) is used, 11 m3, and the finding names it
    assert result.quantity == D(11)
    assert [(f.rule, f.severity, f.reading_id) for f in result.findings] == [
        ("duplicate_reading", "review", 3)
    ]
    assert "110 and 111" in result.findings[0].message


def test_it_accepts_the_same_value_read_twice():
    reg = register(
        (1, date(2026, 10, 31), "100"), (2, NOV_30, "110"), (3, NOV_30, "110")
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    assert result.findings == []


def test_it_ignores_duplicates_on_days_the_period_does_not_use():
    # given two different readings on 30 Sep, before the opening reading of 31 Oct
    reg = register(
        (1, date(2026, 9, 30), "90"),
        (2, date(2026, 9, 30), "91"),
        (3, date(2026, 10, 31), "100"),
        (4, NOV_30, "110"),
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    assert result.findings == []
