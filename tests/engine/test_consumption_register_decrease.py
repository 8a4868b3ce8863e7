"""A closing index below the opening that is no rollover: a misread, blocked."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal


def test_it_blocks_a_decreasing_index_and_bills_nothing_for_it():
    # given 500 on 31 Oct and 480 on 30 Nov on a 6-digit register (far from 10**6)
    reg = RegisterIn(
        9,
        "W9",
        6,
        D(1),
        [
            ReadingIn(1, date(2026, 10, 31), D(500)),
            ReadingIn(2, date(2026, 11, 30), D(480)),
        ],
    )

    result = period_consumption(reg, date(2026, 11, 1), date(2026, 11, 30))

    # then quantity 0 and a blocking register_decrease finding naming the reading
    assert result.quantity == 0
    [finding] = result.findings
    assert (finding.rule, finding.severity) == ("register_decrease", "block")
    assert (finding.register_id, finding.reading_id) == (9, 2)
    assert "500" in finding.message and "480" in finding.message
    assert result.held
