"""Green Button channels by their ReadingType's accumulationBehaviour, and readings
that cross local midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from meterbill.metering.imports import ImportOptions, ImportRefused, import_readings
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


def feed(readings: str, accumulation: str = "", local: str = "") -> str:
    behaviour = (
        f"<e:accumulationBehaviour>{accumulation}</e:accumulationBehaviour>"
        if accumulation
        else ""
    )
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">
<entry><link rel="self" href="{R}"/><link rel="related" href="{R}/MeterReading"/>
<content><e:UsagePoint/></content></entry>
{local}
<entry><link rel="self" href="{R}/MeterReading/01"/>
<link rel="up" href="{R}/MeterReading"/><link rel="related" href="RT/1"/>
<content><e:MeterReading/></content></entry>
<entry><link rel="self" href="RT/1"/><content><e:ReadingType>
{behaviour}<e:powerOfTenMultiplier>0</e:powerOfTenMultiplier><e:uom>72</e:uom>
</e:ReadingType></content></entry>
<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>
<content><e:IntervalBlock>{readings}</e:IntervalBlock></content></entry>
</feed>"""


def reading(start: datetime, seconds: int, wh: str) -> str:
    return (
        f"<e:IntervalReading><e:timePeriod><e:duration>{seconds}</e:duration>"
        f"<e:start>{int(start.timestamp())}</e:start></e:timePeriod>"
        f"<e:value>{wh}</e:value></e:IntervalReading>"
    )


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


def run(register: Register, text: str):
    return import_readings(
        text.encode(),
        fmt="greenbutton",
        branch=register.meter.branch,
        filename="feed.xml",
        options=ImportOptions(today=date(2026, 12, 4)),
    )


def stored() -> list[tuple[str, date, Decimal]]:
    return list(
        Reading.objects.order_by("read_on").values_list("kind", "read_on", "value")
    )


def test_register_reads_are_index_readings_of_the_day_they_end(register):
    # given bulk quantities (1) of six-hour intervals from 2 June 00:00 UTC: the
    # register at 06:00, 12:00, 18:00, 24:00, then at 06:00 on 3 June
    june_2 = datetime(2026, 6, 2, tzinfo=UTC)
    readings = "".join(
        reading(june_2 + timedelta(hours=6 * i), 21600, str(1000000 + 6000 * i))
        for i in range(5)
    )

    run(register, feed(readings, accumulation="1"))

    # then each day keeps the register at its end (the last interval ending in
    # it): 1,018 kWh at the end of 2 June, 1,024 kWh at 06:00 on 3 June
    assert stored() == [
        ("index", date(2026, 6, 2), D("1018.000")),
        ("index", date(2026, 6, 3), D("1024.000")),
    ]


def test_a_kind_that_is_no_quantity_refuses_the_feed(register):
    # given a channel of cumulative (3) values, a demand register's kind
    june_2 = datetime(2026, 6, 2, tzinfo=UTC)

    with pytest.raises(ImportRefused) as refused:
        run(register, feed(reading(june_2, 3600, "5"), accumulation="3"))

    # then nothing is stored and the message names the field and its meaning
    assert not Reading.objects.exists()
    assert str(refused.value) == (
        "feed.xml:10: field accumulationBehaviour: '3' (cumulative) is neither a "
        "quantity consumed in the interval (4 deltaData) nor a register read "
        "(1 bulkQuantity, 9 summation)"
    )


def test_delta_data_is_consumption(register):
    june_2 = datetime(2026, 6, 2, tzinfo=UTC)

    run(register, feed(reading(june_2, 3600, "1500"), accumulation="4"))

    assert stored() == [("consumption", date(2026, 6, 2), D("1.500"))]


def test_a_reading_over_local_midnight_is_split_by_its_minutes(register):
    # given an hour from 18:00 UTC (23:30 to 00:30 in India) of 1001 Wh, and one
    # of 45 minutes from 18:15 UTC (23:45 to 00:30) of 7 Wh
    run(
        register,
        feed(
            reading(datetime(2026, 6, 2, 18, tzinfo=UTC), 3600, "1001")
            + reading(datetime(2026, 6, 3, 18, 15, tzinfo=UTC), 2700, "7"),
            local=INDIA,
        ),
    )

    # then 2 June takes half of the first, 500.5 rounded to whole Wh as the file
    # gives them (half to even: 500); 3 June the other 501 Wh and a third of the
    # second, 2.33 → 2; 4 June the other 5 Wh: 1008 Wh in all, as in the file
    assert stored() == [
        ("consumption", date(2026, 6, 2), D("0.500")),
        ("consumption", date(2026, 6, 3), D("0.503")),
        ("consumption", date(2026, 6, 4), D("0.005")),
    ]
