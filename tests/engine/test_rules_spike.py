"""spike: one consumption row far above the median daily use of the register's rows."""

from datetime import date, timedelta
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_1, NOV_3, NOV_10 = date(2026, 11, 1), date(2026, 11, 3), date(2026, 11, 10)


def daily(values: list[str]) -> RegisterIn:
    # one row a day from 25 Oct: 7 October rows, then November's
    first = date(2026, 10, 25)
    readings = [
        ReadingIn(n, first + timedelta(days=n), D(v), kind="consumption")
        for n, v in enumerate(values)
    ]
    return RegisterIn(6, "E6", 8, D(1), readings, kind="consumption")


def test_it_flags_a_row_five_times_the_median():
    # given sixteen rows of 2 kWh (25 Oct – 9 Nov) and 10 Nov with 15 kWh: the
    # median of the seventeen is 2
    reg = daily(["2"] * 16 + ["15"])

    result = period_consumption(reg, NOV_1, NOV_10)

    # then 15 > 5 × 2 = 10 and 15 − 2 = 13 ≥ 1: a spike on the row of 10 Nov; the
    # period as a whole, 9 × 2 + 15 = 33 over 10 days = 3.3 a day, is under 3 × 2,
    # so no high_use
    assert [(f.rule, f.severity, f.reading_id) for f in result.findings] == [
        ("spike", "review", 16)
    ]
    assert result.quantity == D(33)


def test_it_accepts_a_row_under_the_factor():
    # given the same rows with 9 kWh on 10 Nov: 9 < 10
    reg = daily(["2"] * 16 + ["9"])

    result = period_consumption(reg, NOV_1, NOV_10)

    assert result.findings == []


def test_it_needs_enough_rows_for_a_median():
    # given only three rows (the default minimum is five) and no history
    reg = RegisterIn(
        6,
        "E6",
        8,
        D(1),
        [
            ReadingIn(n, date(2026, 11, n), D(v), kind="consumption")
            for n, v in ((1, "1"), (2, "1"), (3, "40"))
        ],
        kind="consumption",
    )

    result = period_consumption(reg, NOV_1, NOV_3)

    assert [f.rule for f in result.findings] == []
