"""An estimate that closed a billed period stays its closing index: the next period
runs from it to the next actual index, so the difference settles in the next bill,
and the trace says how much."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
DEC_1, DEC_31 = date(2026, 12, 1), date(2026, 12, 31)
ESTIMATE = ReadingIn(2, date(2026, 11, 30), D("120.000"), status="estimated")


def test_the_next_bill_runs_from_the_estimate_to_the_late_actual():
    # given November billed 100 → estimate 120 (30 Nov); the actual read on 2 Dec
    # is 125, December's closing on 31 Dec 140
    reg = RegisterIn(
        1,
        "W1",
        6,
        D(1),
        [
            ReadingIn(1, date(2026, 10, 31), D("100.000")),
            ESTIMATE,
            ReadingIn(3, date(2026, 12, 2), D("125.000")),
            ReadingIn(4, DEC_31, D("140.000")),
        ],
    )

    result = period_consumption(reg, DEC_1, DEC_31)

    # then December bills 140 − 120 = 20: the 5 the estimate was short by
    # (125 − 120) plus the 15 used from 2 to 31 Dec; November's 20 plus December's
    # 20 = 40 = 140 − 100, nothing counted twice or lost
    assert result.opening is ESTIMATE
    assert result.quantity == D(20)
    assert result.settlement is not None
    assert result.settlement.difference == D(5)
    trace = result.trace()["settlement"]
    assert trace == {
        "estimate_on": "2026-11-30",
        "estimate": "120.000",
        "actual_on": "2026-12-02",
        "actual": "125.000",
        "difference": "5.000",
        "text": "estimate of 30 Nov 2026 120.000, actual 125.000 read on "
        "2 Dec 2026: +5.000 settled in this bill",
    }


def test_a_late_actual_of_the_estimates_own_day_is_named_in_the_trace():
    # given the actual of 30 Nov (118) arrived after November was invoiced: it is
    # stored apart (metering.LateReading) and the estimate stays
    late = ReadingIn(90, date(2026, 11, 30), D("118.000"), source="radio")
    reg = RegisterIn(
        1,
        "W1",
        6,
        D("1"),
        [
            ReadingIn(1, date(2026, 10, 31), D("100.000")),
            ESTIMATE,
            ReadingIn(4, DEC_31, D("140.000")),
        ],
        late_actuals=[late],
    )

    result = period_consumption(reg, DEC_1, DEC_31)

    # then December still runs 120 → 140 = 20, of which −2 settles the estimate
    # that was 2 too high (118 − 120)
    assert result.quantity == D(20)
    assert result.settlement is not None and result.settlement.actual is late
    assert result.trace()["settlement"]["text"] == (
        "estimate of 30 Nov 2026 120.000, actual 118.000 read on 30 Nov 2026: "
        "-2.000 settled in this bill"
    )


def test_no_settlement_when_the_opening_is_actual_or_no_actual_followed():
    actual_opening = RegisterIn(
        1,
        "W1",
        6,
        D(1),
        [
            ReadingIn(1, date(2026, 11, 30), D("120")),
            ReadingIn(2, DEC_31, D("140")),
        ],
    )
    estimates_only = RegisterIn(
        1,
        "W1",
        6,
        D(1),
        [ReadingIn(1, date(2026, 10, 31), D("100")), ESTIMATE],
    )

    assert period_consumption(actual_opening, DEC_1, DEC_31).settlement is None
    still_estimated = period_consumption(estimates_only, DEC_1, DEC_31)
    assert still_estimated.settlement is None
    assert "settlement" not in still_estimated.trace()
