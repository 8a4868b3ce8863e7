"""T1 finding 19: two different late actuals for one estimated day. The first is
stored as a LateReading; the second is rejected naming the first (which one
settles is for a person to decide), and the same one again is a duplicate."""

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import LateReading, Reading, Register, RejectedRow

NOV_30, DEC_10 = date(2026, 11, 30), date(2026, 12, 10)


def _import(branches, data: bytes, filename: str):
    return import_readings(
        data,
        fmt="csv",
        branch=branches["north"],
        filename=filename,
        options=ImportOptions(today=DEC_10),
    )


def test_a_second_different_late_actual_is_rejected(small_building, branches):
    # given W1's 30 Nov index was estimated (109.677) and invoiced, and its
    # actual of 30 Nov (112) came late
    w1 = Register.objects.get(meter__serial="W1")
    Reading.objects.filter(register=w1, read_on=NOV_30).delete()
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    first = _import(branches, b"meter,date,value\nW1,2026-11-30,112\n", "late1.csv")
    assert first.late_actuals == 1

    # when another file brings 111 for the same day, then 112 again
    second = _import(branches, b"meter,date,value\nW1,2026-11-30,111\n", "late2.csv")
    again = _import(branches, b"meter,date,value\nW1,2026-11-30,112.0\n", "late3.csv")

    # then 111 is rejected on its line, naming the stored 112; 112 is a duplicate
    assert (second.late_actuals, second.rows_rejected) == (0, 1)
    [error] = second.rejected
    assert (error.line, error.field) == (2, "value")
    assert error.message.startswith(
        "111 conflicts with the late actual reading 112.000000 of 2026-11-30"
    )
    assert RejectedRow.objects.filter(batch_id=second.batch_id).count() == 1
    assert (again.late_actuals, again.rows_duplicate, again.rows_rejected) == (0, 1, 0)
    assert list(LateReading.objects.values_list("value", flat=True)) == [Decimal(112)]
