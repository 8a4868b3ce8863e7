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

from intervals_world import POINT, green_button, interval_readings, register_at
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Reading

D = Decimal
# India Standard Time, no daylight saving.
INDIA = (
    "<entry><content><e:LocalTimeParameters><e:dstEndRule>FFFFFFFF</e:dstEndRule>"
    "<e:dstOffset>0</e:dstOffset><e:dstStartRule>FFFFFFFF</e:dstStartRule>"
    "<e:tzOffset>19800</e:tzOffset></e:LocalTimeParameters></content></entry>"
)


@pytest.fixture
def register(org, branches):
    return register_at(org, branches["south"], POINT, "G-1")


def test_every_hour_of_a_feed_off_the_local_hour_is_stored(register):
    # given 120 hourly readings of 1000 Wh from 1 June 2026 00:00 UTC (05:30 IST)
    start = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())
    readings = interval_readings(start, 120)

    report = import_readings(
        green_button(readings, local=INDIA).encode(),
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
