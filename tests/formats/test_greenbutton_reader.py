import datetime
from decimal import Decimal

import pytest

from meterbill.formats import greenbutton
from meterbill.formats.errors import InvalidFormat

R = "https://dc.example/espi/1_1/resource/RetailCustomer/9/UsagePoint/1"
JAN_1 = 1293840000  # 2011-01-01 00:00 UTC


def feed(readings: str, multiplier: str = "0", uom: str = "72", local: str = "") -> str:
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">
<entry><link rel="self" href="{R}"/><link rel="related" href="{R}/MeterReading"/>
<content><e:UsagePoint/></content></entry>
{local}
<entry><link rel="self" href="{R}/MeterReading/01"/>
<link rel="up" href="{R}/MeterReading"/><link rel="related" href="RT/1"/>
<content><e:MeterReading/></content></entry>
<entry><link rel="self" href="RT/1"/><content><e:ReadingType>
<e:powerOfTenMultiplier>{multiplier}</e:powerOfTenMultiplier><e:uom>{uom}</e:uom>
<e:intervalLength>3600</e:intervalLength></e:ReadingType></content></entry>
<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>
<content><e:IntervalBlock>{readings}</e:IntervalBlock></content></entry>
</feed>"""


def reading(start: int, value: str, duration: int = 3600, quality: str = "") -> str:
    q = f"<e:ReadingQuality><e:quality>{quality}</e:quality></e:ReadingQuality>"
    return (
        f"<e:IntervalReading>{q if quality else ''}<e:timePeriod>"
        f"<e:duration>{duration}</e:duration><e:start>{start}</e:start>"
        f"</e:timePeriod><e:value>{value}</e:value></e:IntervalReading>"
    )


def test_it_sums_the_hours_of_a_day_into_one_consumption_row():
    data = feed(reading(JAN_1, "450") + reading(JAN_1 + 3600, "430"))

    result = greenbutton.read(data, filename="gb.xml")

    assert result.ok
    [row] = result.rows
    assert row.value == Decimal(880)
    assert row.unit == "Wh"
    assert row.read_on == row.period_start == datetime.date(2011, 1, 1)
    assert (row.meter_ref, row.register) == ("RetailCustomer/9/UsagePoint/1", "01")


def test_it_applies_the_power_of_ten_multiplier_exactly():
    data = feed(reading(JAN_1, "1234"), multiplier="-3")

    [row] = greenbutton.read(data).rows

    assert row.value == Decimal("1.234")


def test_it_splits_days_at_local_midnight_of_the_tz_offset():
    local = (
        "<entry><content><e:LocalTimeParameters><e:tzOffset>-28800</e:tzOffset>"
        "</e:LocalTimeParameters></content></entry>"
    )
    # 07:00 UTC is 23:00 on 31 December in UTC-8; 08:00 UTC is local midnight.
    readings = reading(JAN_1 + 7 * 3600, "1") + reading(JAN_1 + 8 * 3600, "2")

    rows = greenbutton.read(feed(readings, local=local)).rows

    assert [(r.read_on, r.value) for r in rows] == [
        (datetime.date(2010, 12, 31), Decimal(1)),
        (datetime.date(2011, 1, 1), Decimal(2)),
    ]


def test_it_gives_a_reading_longer_than_a_day_its_own_period_row():
    data = feed(reading(JAN_1, "12000", duration=31 * 86400), uom="169")

    [row] = greenbutton.read(data).rows

    assert (row.period_start, row.read_on) == (
        datetime.date(2011, 1, 1),
        datetime.date(2011, 1, 31),
    )
    assert row.unit == "therm"


def test_it_marks_a_day_of_mixed_qualities_as_variable():
    readings = reading(JAN_1, "1", quality="0") + reading(
        JAN_1 + 3600, "1", quality="8"
    )

    [row] = greenbutton.read(feed(readings)).rows

    assert row.quality == "V"


def test_it_reports_a_bad_value_and_drops_that_day():
    readings = (
        reading(JAN_1, "1") + reading(JAN_1 + 3600, "x1") + reading(JAN_1 + 86400, "5")
    )

    result = greenbutton.read(feed(readings), filename="gb.xml")

    [error] = result.errors
    assert (error.file, error.field) == ("gb.xml", "value")
    assert error.line is not None and error.line > 1
    assert [r.value for r in result.rows] == [5]


def test_it_rejects_a_file_that_is_not_an_atom_feed():
    with pytest.raises(InvalidFormat) as raised:
        greenbutton.read(b"<UsagePoint/>", filename="gb.xml")

    assert raised.value.field == "feed"


def test_it_rejects_a_doctype_with_entities():
    body = feed(reading(JAN_1, "&x;")).split("?>", 1)[1]

    with pytest.raises(InvalidFormat):
        greenbutton.read('<!DOCTYPE f [<!ENTITY x "1">]>' + body)
