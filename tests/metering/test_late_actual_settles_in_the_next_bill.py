"""A late actual for a day whose estimate an issued invoice used is stored, the
estimate stays, and the next bill settles the difference and says so."""

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Period
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import LateReading, Reading, Register

NOV_30, DEC_31 = date(2026, 11, 30), date(2026, 12, 31)


def test_the_late_actual_is_kept_and_settled_in_december(small_building, branches):
    # given apartment 1's 30 Nov index was estimated (109.677, average daily use)
    # and November is invoiced with it
    w1 = Register.objects.get(meter__serial="W1")
    Reading.objects.filter(register=w1, read_on=NOV_30).delete()
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    estimate = Reading.objects.get(register=w1, read_on=NOV_30)
    assert (estimate.status, estimate.value) == ("estimated", Decimal("109.677"))

    # when the actual of 30 Nov (112) arrives afterwards
    report = import_readings(
        b"meter,date,value\nW1,2026-11-30,112\n",
        fmt="csv",
        branch=branches["north"],
        filename="late.csv",
        options=ImportOptions(today=date(2026, 12, 10)),
    )

    # then it is stored as a late reading, not rejected, and the estimate stays
    assert (report.late_actuals, report.rows_rejected, report.rows_imported) == (
        1,
        0,
        0,
    )
    assert report.rows_read == 1
    late = LateReading.objects.get()
    assert (late.register_id, late.read_on, late.value, late.estimate_id) == (
        w1.pk,
        NOV_30,
        Decimal("112"),
        estimate.pk,
    )
    assert Reading.objects.get(register=w1, read_on=NOV_30).value == Decimal("109.677")

    # when December is billed with W1 at 125 on 31 Dec
    december = Period.objects.create(
        branch=branches["north"],
        name="2026-12",
        starts_on=date(2026, 12, 1),
        ends_on=DEC_31,
    )
    Reading.objects.create(register=w1, read_on=DEC_31, value=125, source="manual")
    bill_period(december, issue_date=date(2027, 1, 5))

    # then December runs from the estimate: 125 − 109.677 = 15.323 m3, of which
    # 112 − 109.677 = 2.323 settles November's estimate (November billed 9.677,
    # December 15.323: 25 = 125 − 100 in all)
    invoice = Invoice.objects.get(
        period=december, apartment=small_building["apartments"][0]
    )
    # on two lines: the use after the late actual, 125 − 112 = 13, and the
    # settlement, +2.323
    line = invoice.lines.get(description="Cold water – own meter")
    assert line.quantity == Decimal("13")
    settled = invoice.lines.get(description__contains="settlement of the estimate")
    assert settled.quantity == Decimal("2.323")
    [consumption] = line.trace["consumption"]
    assert consumption["settlement"]["text"] == (
        "estimate of 30 Nov 2026 109.677, actual 112.000 read on 30 Nov 2026: "
        "+2.323 settled in this bill"
    )
