"""A service point's index meter settles an over-estimate on a line of its own."""

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Period
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Meter, Reading, Register

D = Decimal


def test_the_settlement_is_a_line_of_its_own(service_point_contract, branches):
    # given D1's consumption meter replaced by an index meter E2 read 900 on 30 Sep
    # and 1000 on 31 Oct, with no reading on 30 Nov
    e1 = Meter.objects.get(serial="E1")
    point, utility = e1.service_point, e1.utility
    e1.delete()
    meter = Meter.objects.create(
        branch=branches["south"],
        kind="service_point",
        utility=utility,
        serial="E2",
        service_point=point,
    )
    reg = Register.objects.create(meter=meter, unit="kWh")
    for day, value in ((date(2026, 9, 30), 900), (date(2026, 10, 31), 1000)):
        Reading.objects.create(register=reg, read_on=day, value=value, source="manual")
    bill_period(service_point_contract["period"], issue_date=date(2026, 12, 4))
    # November estimates 100 kWh / 31 days × 30 days = 96.774 → 1096.774
    estimate = Reading.objects.get(register=reg, read_on=date(2026, 11, 30))
    assert estimate.value == D("1096.774")

    # when December is read at 1090 on 31 Dec
    december = Period.objects.create(
        branch=branches["south"],
        name="2026-12",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )
    Reading.objects.create(
        register=reg, read_on=date(2026, 12, 31), value=1090, source="manual"
    )
    bill_period(december, issue_date=date(2027, 1, 5))

    # then 1090 − 1096.774 = −6.774 kWh at 0.80 = −5.4192 → −5.42 on its own line,
    # no use after the actual (no "metered" line), fixed 10.00: net 4.58
    inv = Invoice.objects.get(period=december)
    assert [(x.description, x.quantity, x.net_amount) for x in inv.lines.all()] == [
        (
            "Electricity – settlement of the estimate of 30 Nov 2026: 1096.774 → "
            "actual 1090.000 read on 31 Dec 2026",
            D("-6.774"),
            D("-5.42"),
        ),
        ("Electricity – fixed charge", D(1), D("10.00")),
    ]
    assert inv.total_net == D("4.58")
