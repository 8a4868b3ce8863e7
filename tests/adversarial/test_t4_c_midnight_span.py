"""T4 (area C): Green Button readings that do not start on the local hour (a feed
in India, UTC+05:30, with hourly readings on the UTC hour) have one reading a day
that runs over local midnight. The reader makes it "a row of its own" from one day
to the next, dated the next day, where it meets that day's daily row on the same
register, day and kind: the import counts one of them a duplicate and drops it.
An hour of energy a day is lost (115 of 120 kWh over five days) and the report
calls it a duplicate."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Reading, Register
from meterbill.premises.models import ServicePoint, Utility

D = Decimal
POINT = "RetailCustomer/9/UsagePoint/1"
R = f"https://dc.example/espi/1_1/resource/{POINT}"
# India Standard Time, no daylight saving.
INDIA = (
    "<entry><content><e:LocalTimeParameters><e:dstEndRule>FFFFFFFF</e:dstEndRule>"
    "<e:dstOffset>0</e:dstOffset><e:dstStartRule>FFFFFFFF</e:dstStartRule>"
    "<e:tzOffset>19800</e:tzOffset></e:LocalTimeParameters></content></entry>"
)


def feed(readings: str) -> str:
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">
<entry><link rel="self" href="{R}"/><link rel="related" href="{R}/MeterReading"/>
<content><e:UsagePoint/></content></entry>
{INDIA}
<entry><link rel="self" href="{R}/MeterReading/01"/>
<link rel="up" href="{R}/MeterReading"/><link rel="related" href="RT/1"/>
<content><e:MeterReading/></content></entry>
<entry><link rel="self" href="RT/1"/><content><e:ReadingType>
<e:powerOfTenMultiplier>0</e:powerOfTenMultiplier><e:uom>72</e:uom>
<e:intervalLength>3600</e:intervalLength></e:ReadingType></content></entry>
<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>
<content><e:IntervalBlock>{readings}</e:IntervalBlock></content></entry>
</feed>"""


@pytest.fixture
def register(org, branches):
    south = branches["south"]
    power = Utility.objects.create(
        organisation=org,
        code="power",
        name="Electricity",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
    )
    point = ServicePoint.objects.create(branch=south, identifier=POINT)
    meter = Meter.objects.create(
        branch=south, kind="service_point", utility=power, serial="G-1",
        service_point=point,
    )  # fmt: skip
    return Register.objects.create(meter=meter, code="01", unit="kWh")


def test_every_hour_of_a_feed_off_the_local_hour_is_stored(register):
    # given 120 hourly readings of 1000 Wh from 1 June 2026 00:00 UTC (05:30 IST)
    start = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())
    readings = "".join(
        f"<e:IntervalReading><e:timePeriod><e:duration>3600</e:duration>"
        f"<e:start>{start + 3600 * i}</e:start></e:timePeriod>"
        f"<e:value>1000</e:value></e:IntervalReading>"
        for i in range(120)
    )

    report = import_readings(
        feed(readings).encode(),
        fmt="greenbutton",
        branch=register.meter.branch,
        filename="india.xml",
        options=ImportOptions(today=date(2026, 12, 4)),
    )

    # then nothing is a duplicate (no hour is given twice) and the readings stored
    # add up to the 120 kWh of the file
    assert report.rows_duplicate == 0
    stored = Reading.objects.filter(register=register).values_list("value", flat=True)
    assert sum(stored) == D(120)
