"""A partial day whose reading an issued invoice billed is not completed by a later
file: the file's row is rejected, the billed reading stays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from builders import make_contract, make_tariff
from meterbill.billing.billrun import bill_period
from meterbill.billing.periods import open_period
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay, Meter, Reading, Register
from meterbill.premises.models import ServicePoint

D = Decimal
POINT = "RetailCustomer/9/UsagePoint/1"
R = f"https://dc.example/espi/1_1/resource/{POINT}"
# UTC-5, DST (UTC-4) from the second Sunday of March to the first of November.
EASTERN = (
    "<entry><content><e:LocalTimeParameters><e:dstEndRule>B40E2000</e:dstEndRule>"
    "<e:dstOffset>3600</e:dstOffset><e:dstStartRule>360E2000</e:dstStartRule>"
    "<e:tzOffset>-18000</e:tzOffset></e:LocalTimeParameters></content></entry>"
)


def feed(first: datetime, hours: int) -> bytes:
    """``hours`` hourly readings of 1000 Wh from ``first`` (UTC)."""
    start = int(first.timestamp())
    readings = "".join(
        f"<e:IntervalReading><e:timePeriod><e:duration>3600</e:duration>"
        f"<e:start>{start + 3600 * h}</e:start></e:timePeriod>"
        f"<e:value>1000</e:value></e:IntervalReading>"
        for h in range(hours)
    )
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">
<entry><link rel="self" href="{R}"/><link rel="related" href="{R}/MeterReading"/>
<content><e:UsagePoint/></content></entry>
{EASTERN}
<entry><link rel="self" href="{R}/MeterReading/01"/>
<link rel="up" href="{R}/MeterReading"/><link rel="related" href="RT/1"/>
<content><e:MeterReading/></content></entry>
<entry><link rel="self" href="RT/1"/><content><e:ReadingType>
<e:powerOfTenMultiplier>0</e:powerOfTenMultiplier><e:uom>72</e:uom>
</e:ReadingType></content></entry>
<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>
<content><e:IntervalBlock>{readings}</e:IntervalBlock></content></entry>
</feed>""".encode()


def run(branch, data: bytes, name: str):
    return import_readings(
        data,
        fmt="greenbutton",
        branch=branch,
        filename=name,
        options=ImportOptions(today=date(2026, 12, 4)),
    )


def test_a_billed_partial_day_is_not_completed(org, branches):
    # given usage point POINT on a flat 0.50/kWh contract, June 2026 billed from
    # a feed of 1 June 00:00 EDT (04:00 UTC) to 30 June 20:00 EDT: 30 June has 20
    # of its 24 hours
    south = branches["south"]
    _power, tariff = make_tariff(
        org, "electricity", "ELEC", kind="electricity", unit="kWh",
        unit_code="KWH", unit_price="0.50", vat="19", name="Electricity",
        valid_from=date(2000, 1, 1),
    )  # fmt: skip
    point = ServicePoint.objects.create(branch=south, identifier=POINT)
    meter = Meter.objects.create(
        branch=south, kind="service_point", utility_id=tariff.utility_id,
        serial="G-1", service_point=point,
    )  # fmt: skip
    register = Register.objects.create(meter=meter, code="01", unit="kWh")
    make_contract(south, "T-1", "T1", "Flat Customer", [tariff], service_point=point)
    june = datetime(2026, 6, 1, 4, tzinfo=UTC)
    run(south, feed(june, 29 * 24 + 20), "june.xml")
    period = open_period(south, "2026-06", date(2026, 6, 1), date(2026, 6, 30))
    bill_period(period, issue_date=date(2026, 7, 2))
    # 29 × 24 + 20 = 716 kWh × 0.50
    assert Invoice.objects.get().total_net == D("358.00")

    # when July's feed brings 30 June's last four hours
    report = run(south, feed(june + timedelta(days=29, hours=20), 28), "july.xml")

    # then 30 June keeps its billed 20 kWh and partial intervals; the row is
    # rejected, 1 July is stored
    assert Reading.objects.get(register=register, read_on=date(2026, 6, 30)).value == 20
    assert IntervalDay.objects.get(day=date(2026, 6, 30)).values.endswith(",,,,")
    [error] = report.rejected
    assert (error.field, error.message) == (
        "value",
        "completes the partial day 2026-06-30 whose reading 20.000000 an issued "
        "invoice billed; correct it through the review queue",
    )
    assert Reading.objects.get(register=register, read_on=date(2026, 7, 1)).value == 24
