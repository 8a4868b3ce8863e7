"""A meter exchanged mid-period is billed in both parts, once, without findings."""

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Meter, Reading, Register

EXCHANGED_ON, NOV_30 = date(2026, 11, 12), date(2026, 11, 30)


def test_the_bill_adds_the_old_and_the_new_meter(small_building):
    # given apartment 1's W1 (31 Oct 100) was removed on 12 Nov at 104, and W1B
    # installed the same day at 0 reads 6 on 30 Nov
    old = Meter.objects.get(serial="W1")
    Reading.objects.filter(register__meter=old, read_on=NOV_30).delete()
    old_register = old.registers.get()
    Reading.objects.create(
        register=old_register, read_on=EXCHANGED_ON, value=104, source="manual"
    )
    Meter.objects.filter(pk=old.pk).update(removed_on=EXCHANGED_ON)
    new = Meter.objects.create(
        branch=old.branch,
        kind="apartment",
        utility=old.utility,
        serial="W1B",
        apartment=old.apartment,
        installed_on=EXCHANGED_ON,
    )
    new_register = Register.objects.create(meter=new, unit="m3")
    Reading.objects.bulk_create(
        [
            Reading(
                register=new_register, read_on=EXCHANGED_ON, value=0, source="manual"
            ),
            Reading(register=new_register, read_on=NOV_30, value=6, source="manual"),
        ]
    )

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then apartment 1 is billed 104 − 100 = 4 on W1 and 6 − 0 = 6 on W1B: 10 m3,
    # as before the exchange, so the common part stays 66 − 60 = 6 m3
    line = Invoice.objects.get(apartment=small_building["apartments"][0]).lines.get(
        description="Cold water – own meter"
    )
    assert line.quantity == Decimal(10)
    parts = {c["meter"]: Decimal(c["quantity"]) for c in line.trace["consumption"]}
    assert parts == {"W1": 4, "W1B": 6}
    # and neither meter raises a finding (no decrease, no inactive meter)
    assert not Finding.objects.filter(
        register_id__in=[old_register.pk, new_register.pk]
    ).exists()
