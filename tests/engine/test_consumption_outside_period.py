"""A reading dated after the period's end is not used for the period."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal


def test_it_flags_a_reading_after_the_period_and_estimates_instead():
    # given 30 Sep 90, 31 Oct 100, and the next reading only on 3 Dec (130)
    reg = RegisterIn(
        4,
        "W4",
        6,
        D(1),
        [
            ReadingIn(1, date(2026, 9, 30), D(90)),
            ReadingIn(2, date(2026, 10, 31), D(100)),
            ReadingIn(3, date(2026, 12, 3), D(130)),
        ],
    )

    result = period_consumption(reg, date(2026, 11, 1), date(2026, 11, 30))

    # then the 3 Dec reading is flagged outside_period and not used as closing;
    # the closing is estimated from 30 Sep → 31 Oct: 10 m3 / 31 days × 30 days
    # = 9.677419… → index 109.677
    assert result.closing is None
    rules = [(f.rule, f.reading_id) for f in result.findings]
    assert ("outside_period", 3) in rules
    assert result.estimate is not None and result.estimate.value == D("109.677")
    assert result.quantity == D("9.677")
