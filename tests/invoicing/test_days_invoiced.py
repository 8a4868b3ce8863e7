"""Which (register, day) pairs an issued invoice covers, for many pairs at once:
the same answer as ``invoice_using`` gives pair by pair, in two queries."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.queries import days_invoiced, invoice_using
from meterbill.metering.models import Register


def test_apartment_and_main_meter_days_of_an_issued_invoice(small_building):
    # given November invoiced for the three apartments of R1
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    assert Invoice.objects.filter(kind="invoice", state="issued").count() == 3
    w1 = Register.objects.get(meter__serial="W1")
    main = Register.objects.get(meter__serial="MAIN")
    keys = {
        (register.pk, day)
        for register in (w1, main)
        for day in (date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 30))
    } | {(w1.pk, date(2026, 12, 1)), (999_999, date(2026, 11, 15))}

    # when
    with CaptureQueriesContext(connection) as queries:
        covered = days_invoiced(keys)

    # then the November days of the apartment's meter and of the main meter,
    # which feeds every apartment's common share; not October, not December,
    # not a register that does not exist
    assert covered == {
        (w1.pk, date(2026, 11, 1)),
        (w1.pk, date(2026, 11, 30)),
        (main.pk, date(2026, 11, 1)),
        (main.pk, date(2026, 11, 30)),
    }
    assert len(queries) == 2
    registers = Register.objects.select_related("meter")
    for register_id, day in keys - {(999_999, date(2026, 11, 15))}:
        alone = invoice_using(registers.get(pk=register_id), day) is not None
        assert alone == ((register_id, day) in covered)


def test_a_cancelled_invoice_covers_nothing(small_building):
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    w1 = Register.objects.get(meter__serial="W1")
    apartment = small_building["apartments"][0]
    Invoice.objects.filter(apartment=apartment).update(state="cancelled")

    assert days_invoiced({(w1.pk, date(2026, 11, 30))}) == set()
    assert days_invoiced(set()) == set()
