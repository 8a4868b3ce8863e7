"""Consumption-kind registers (interval or accumulation data): rows in the period
are summed."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal


def row(n: int, first: date, last: date, value: str) -> ReadingIn:
    return ReadingIn(n, last, D(value), kind="consumption", period_start=first)


def test_it_sums_the_rows_that_lie_inside_the_period():
    # given four rows: one in October, three in November, one in December; ×2
    reg = RegisterIn(
        11,
        "NMI1",
        8,
        D(2),
        [
            row(1, date(2026, 10, 21), date(2026, 10, 31), "50"),
            row(2, date(2026, 11, 1), date(2026, 11, 10), "12.5"),
            row(3, date(2026, 11, 11), date(2026, 11, 20), "7.25"),
            row(4, date(2026, 11, 21), date(2026, 11, 30), "3"),
            row(5, date(2026, 12, 1), date(2026, 12, 1), "99"),
        ],
        kind="consumption",
    )

    result = period_consumption(reg, date(2026, 11, 1), date(2026, 11, 30))

    # then (12.5 + 7.25 + 3) × 2 = 22.75 × 2 = 45.50 over the 30 days
    assert result.quantity == D("45.50")
    assert result.days == 30
    assert result.findings == []


def test_it_flags_a_consumption_register_with_no_data_in_the_period():
    # given rows only in October
    reg = RegisterIn(
        11,
        "NMI1",
        8,
        D(1),
        [row(1, date(2026, 10, 1), date(2026, 10, 31), "50")],
        kind="consumption",
    )

    result = period_consumption(reg, date(2026, 11, 1), date(2026, 11, 30))

    # then nothing is billed and the gap is reported
    assert result.quantity == 0
    assert [f.rule for f in result.findings] == ["missing_reading"]
