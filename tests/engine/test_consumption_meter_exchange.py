"""A meter exchanged mid-period: the old meter counts to its final index, the new
one from its initial index; the utility's consumption is both parts."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
EXCHANGED_ON = date(2026, 11, 12)


def old_meter(*readings: ReadingIn, digits: int = 6) -> RegisterIn:
    return RegisterIn(1, "OLD", digits, D(1), list(readings), removed_on=EXCHANGED_ON)


def new_meter(*readings: ReadingIn) -> RegisterIn:
    return RegisterIn(2, "NEW", 6, D(1), list(readings), installed_on=EXCHANGED_ON)


def test_it_bills_both_parts_of_an_exchanged_meter_once():
    # given the old meter: 31 Oct 400, final index 412 on 12 Nov (removed then);
    # the new meter: initial index 0 on 12 Nov, 18 on 30 Nov
    old = old_meter(
        ReadingIn(1, date(2026, 10, 31), D(400)),
        ReadingIn(2, EXCHANGED_ON, D(412)),
    )
    new = new_meter(
        ReadingIn(3, EXCHANGED_ON, D(0)),
        ReadingIn(4, NOV_30, D(18)),
    )

    parts = [period_consumption(r, NOV_1, NOV_30) for r in (old, new)]

    # then 412 − 400 = 12 on the old meter, 18 − 0 = 18 on the new: 30 in all, no
    # register_decrease (412 → 0 is two meters), no inactive_meter, no estimate
    assert [p.quantity for p in parts] == [D(12), D(18)]
    assert sum(p.quantity for p in parts) == D(30)
    assert [p.findings for p in parts] == [[], []]
    assert [p.estimate for p in parts] == [None, None]
    assert parts[1].opening is not None and parts[1].opening.reading_id == 3


def test_it_keeps_the_rollover_of_the_old_meter_before_its_exchange():
    # given a 5-digit old meter at 99 990 on 31 Oct that rolled over to 10 by its
    # removal on 12 Nov, and a new meter from 0 to 35
    old = old_meter(
        ReadingIn(1, date(2026, 10, 31), D(99_990)),
        ReadingIn(2, EXCHANGED_ON, D(10)),
        digits=5,
    )
    new = new_meter(
        ReadingIn(3, EXCHANGED_ON, D(0)),
        ReadingIn(4, NOV_30, D(35)),
    )

    old_part = period_consumption(old, NOV_1, NOV_30)
    new_part = period_consumption(new, NOV_1, NOV_30)

    # then the old meter: 100 000 − 99 990 + 10 = 20, a rollover (warn); the new:
    # 35; together 55
    assert old_part.quantity == D(20)
    assert [f.rule for f in old_part.findings] == ["rollover"]
    assert new_part.quantity == D(35)
    assert new_part.findings == []
    assert old_part.quantity + new_part.quantity == D(55)


def test_it_estimates_a_missing_final_index_to_the_removal_day_only():
    # given no final index: the old meter was read 30 Sep 369 and 31 Oct 400
    # (31 in 31 days) and removed on 12 Nov
    old = old_meter(
        ReadingIn(1, date(2026, 9, 30), D(369)),
        ReadingIn(2, date(2026, 10, 31), D(400)),
    )

    result = period_consumption(old, NOV_1, NOV_30)

    # then 31 / 31 = 1 a day, 31 Oct → 12 Nov is 12 days: 412.000 on 12 Nov, not
    # 430 on 30 Nov (the new meter counts those days)
    assert result.estimate is not None
    assert (result.estimate.read_on, result.estimate.value) == (EXCHANGED_ON, D(412))
    assert result.quantity == D(12)
    assert [f.rule for f in result.findings] == ["missing_reading"]


def test_it_leaves_out_readings_of_the_old_meter_after_its_removal():
    # given a reading of the removed meter on 20 Nov that equals its final index
    # (a reader copied it): nothing was consumed after the removal
    old = old_meter(
        ReadingIn(1, date(2026, 10, 31), D(400)),
        ReadingIn(2, EXCHANGED_ON, D(412)),
        ReadingIn(3, date(2026, 11, 20), D(412)),
    )

    result = period_consumption(old, NOV_1, NOV_30)

    assert result.closing is not None and result.closing.reading_id == 2
    assert result.quantity == D(12)
    assert result.findings == []
