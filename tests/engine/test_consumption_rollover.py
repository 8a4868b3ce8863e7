"""An index that passes 10**digits starts again from zero: a rollover."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal


def test_it_counts_through_a_rollover_at_ten_to_the_digits():
    # given a 5-digit register (capacity 10**5 = 100000) read 99990 then 15
    reg = RegisterIn(
        5,
        "HCA5",
        5,
        D(1),
        [
            ReadingIn(1, date(2026, 10, 31), D(99990)),
            ReadingIn(2, date(2026, 11, 30), D(15)),
        ],
    )

    result = period_consumption(reg, date(2026, 11, 1), date(2026, 11, 30))

    # then 100000 − 99990 + 15 = 25, with a rollover warning on the closing reading
    assert result.quantity == D(25)
    assert [(f.rule, f.severity, f.reading_id) for f in result.findings] == [
        ("rollover", "warn", 2)
    ]
    assert not result.held
