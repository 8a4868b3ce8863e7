"""T4 (area C): Green Button files cut on the UTC day for a feed in US Eastern time
(each file runs 20:00 to 20:00 local) split every local day in two. The first file
stores its 20 hours of 2 June as the day's actual consumption reading; the second
file's 4 hours of the same day then "conflict with the stored actual reading
20.000000" and are quarantined. The day keeps 20 of its 24 kWh, it has no
intervals (the time-of-use contract is held for it), and the only way back is to
key 24 by hand in the review queue. A partial day at a file's edge should not
become the day's actual reading (or a later file should be able to complete it)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay, Meter, Reading, Register
from meterbill.premises.models import ServicePoint, Utility

D = Decimal
POINT = "RetailCustomer/9/UsagePoint/1"
R = f"https://dc.example/espi/1_1/resource/{POINT}"
# UTC-5, DST (UTC-4) from the second Sunday of March to the first of November.
EASTERN = (
    "<entry><content><e:LocalTimeParameters><e:dstEndRule>B40E2000</e:dstEndRule>"
    "<e:dstOffset>3600</e:dstOffset><e:dstStartRule>360E2000</e:dstStartRule>"
    "<e:tzOffset>-18000</e:tzOffset></e:LocalTimeParameters></content></entry>"
)


def utc_day(day: date) -> bytes:
    """The 24 hours of ``day`` in UTC, 1000 Wh each."""
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    readings = "".join(
        f"<e:IntervalReading><e:timePeriod><e:duration>3600</e:duration>"
        f"<e:start>{start + 3600 * h}</e:start></e:timePeriod>"
        f"<e:value>1000</e:value></e:IntervalReading>"
        for h in range(24)
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
<e:intervalLength>3600</e:intervalLength></e:ReadingType></content></entry>
<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>
<content><e:IntervalBlock>{readings}</e:IntervalBlock></content></entry>
</feed>""".encode()


@pytest.fixture
def register(org, branches):
    south = branches["south"]
    power = Utility.objects.create(
        organisation=org, code="power", name="Electricity", kind="electricity",
        unit="kWh", unit_code="KWH",
    )  # fmt: skip
    point = ServicePoint.objects.create(branch=south, identifier=POINT)
    meter = Meter.objects.create(
        branch=south, kind="service_point", utility=power, serial="G-1",
        service_point=point,
    )  # fmt: skip
    return Register.objects.create(meter=meter, code="01", unit="kWh")


def test_two_files_that_split_a_local_day_give_it_whole(register):
    # given the UTC days of 2 and 3 June 2026, one file each: local 2 June (EDT,
    # 04:00 UTC to 04:00 UTC) has 20 hours in the first file and 4 in the second
    for number, day in enumerate((date(2026, 6, 2), date(2026, 6, 3))):
        import_readings(
            utc_day(day),
            fmt="greenbutton",
            branch=register.meter.branch,
            filename=f"day{number}.xml",
            options=ImportOptions(today=date(2026, 12, 4)),
        )

    # then 2 June has its 24 kWh and its 24 hours of intervals
    assert Reading.objects.get(read_on=date(2026, 6, 2)).value == D(24)
    assert IntervalDay.objects.filter(day=date(2026, 6, 2)).count() == 1
