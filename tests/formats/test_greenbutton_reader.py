import datetime
from decimal import Decimal

import pytest

from meterbill.formats import greenbutton
from meterbill.formats.errors import InvalidFormat

from .greenbutton_feed import JAN_1, feed, reading


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
