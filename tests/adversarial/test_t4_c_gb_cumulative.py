"""T4 (area C): the Green Button reader ignores the ReadingType's
``accumulationBehaviour``. A meter reading of bulk quantities (1, the register's
running total: 1000, 1024, 1048, 1072 kWh at the end of four days) is read as if
each value were the day's delta (4, ``deltaData``): four days of 1,000 kWh and
more are stored as consumption, and billed, where the meter turned 24 kWh a day.
Such a channel should become index readings (or be refused naming the field), not
consumption."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from meterbill.metering.imports import ImportOptions, ImportRefused, import_readings
from meterbill.metering.models import Meter, Reading, Register
from meterbill.premises.models import ServicePoint, Utility

POINT = "RetailCustomer/9/UsagePoint/1"
R = f"https://dc.example/espi/1_1/resource/{POINT}"


def feed(readings: str) -> str:
    """One usage point; its meter reading in kWh (Wh × 10³) of bulk quantities."""
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">
<entry><link rel="self" href="{R}"/><link rel="related" href="{R}/MeterReading"/>
<content><e:UsagePoint/></content></entry>
<entry><link rel="self" href="{R}/MeterReading/01"/>
<link rel="up" href="{R}/MeterReading"/><link rel="related" href="RT/1"/>
<content><e:MeterReading/></content></entry>
<entry><link rel="self" href="RT/1"/><content><e:ReadingType>
<e:accumulationBehaviour>1</e:accumulationBehaviour><e:commodity>1</e:commodity>
<e:flowDirection>1</e:flowDirection><e:intervalLength>86400</e:intervalLength>
<e:kind>12</e:kind><e:powerOfTenMultiplier>3</e:powerOfTenMultiplier>
<e:uom>72</e:uom></e:ReadingType></content></entry>
<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>
<content><e:IntervalBlock>{readings}</e:IntervalBlock></content></entry>
</feed>"""


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


def test_a_running_total_is_not_billed_as_consumption(register):
    # given the register's total at the end of 2, 3, 4 and 5 June 2026 (UTC days)
    start = int(datetime(2026, 6, 2, tzinfo=UTC).timestamp())
    readings = "".join(
        f"<e:IntervalReading><e:timePeriod><e:duration>86400</e:duration>"
        f"<e:start>{start + 86400 * day}</e:start></e:timePeriod>"
        f"<e:value>{1000 + 24 * day}</e:value></e:IntervalReading>"
        for day in range(4)
    )

    try:
        import_readings(
            feed(readings).encode(),
            fmt="greenbutton",
            branch=register.meter.branch,
            filename="totals.xml",
            options=ImportOptions(today=date(2026, 12, 4)),
        )
    except ImportRefused:
        pass  # refusing the channel is fine

    # then no day is stored as 1,000 kWh or more of consumption (the meter turned
    # 24 kWh a day)
    assert not Reading.objects.filter(kind="consumption", value__gte=1000).exists()
