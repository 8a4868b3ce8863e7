"""allocator_fault for a late actual (metering.LateReading) that settles the
estimated opening index of the period: it is no reading of the period's rows, but
its device flags count all the same (T1 finding 24)."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_30, DEC_1, DEC_31 = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 31)


def settled_by(flags: frozenset[str]) -> RegisterIn:
    # 30 Nov was billed as an estimate of 109.677; the radio brought 110 late
    readings = [
        ReadingIn(1, date(2026, 10, 31), D(100), source="manual"),
        ReadingIn(2, NOV_30, D("109.677"), status="estimated", source="estimate"),
        ReadingIn(3, DEC_31, D(130), source="manual"),
    ]
    late = [ReadingIn(70, NOV_30, D(110), source="radio", flags=flags)]
    return RegisterIn(11, "W1", 5, D(1), readings, late_actuals=late)


def test_a_faulty_late_actual_raises_allocator_fault_on_the_estimate():
    result = period_consumption(settled_by(frozenset({"fault"})), DEC_1, DEC_31)

    # December bills 130 − 109.677 = 20.323, of which 110 − 109.677 = +0.323
    # settles the estimate; the finding points at the estimate (reading 2), the
    # late reading (70) being no Reading row
    assert result.quantity == D("20.323")
    assert result.settlement is not None
    assert result.settlement.difference == D("0.323")
    assert [(f.rule, f.reading_id, f.source) for f in result.findings] == [
        ("allocator_fault", 2, "radio")
    ]


def test_a_late_actual_without_a_fault_word_raises_nothing():
    result = period_consumption(settled_by(frozenset({"low_battery"})), DEC_1, DEC_31)

    assert [f.rule for f in result.findings] == []
