"""T4 (area C): Green Button files cut on the UTC day for a feed in US Eastern time
(each file runs 20:00 to 20:00 local) split every local day in two. The first file
stores its 20 hours of 2 June as the day's actual consumption reading; the second
file's 4 hours of the same day then "conflict with the stored actual reading
20.000000" and are quarantined. The day keeps 20 of its 24 kWh, it has no
intervals (the time-of-use contract is held for it), and the only way back is to
key 24 by hand in the review queue. A partial day at a file's edge should not
become the day's actual reading (or a later file should be able to complete it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from intervals_world import POINT, every_hour_of, green_button, register_at
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay, Reading

D = Decimal
# UTC-5, DST (UTC-4) from the second Sunday of March to the first of November.
EASTERN = (
    "<entry><content><e:LocalTimeParameters><e:dstEndRule>B40E2000</e:dstEndRule>"
    "<e:dstOffset>3600</e:dstOffset><e:dstStartRule>360E2000</e:dstStartRule>"
    "<e:tzOffset>-18000</e:tzOffset></e:LocalTimeParameters></content></entry>"
)


@pytest.fixture
def register(org, branches):
    return register_at(org, branches["south"], POINT, "G-1")


def test_two_files_that_split_a_local_day_give_it_whole(register):
    # given the UTC days of 2 and 3 June 2026, one file each: local 2 June (EDT,
    # 04:00 UTC to 04:00 UTC) has 20 hours in the first file and 4 in the second
    for number, day in enumerate((date(2026, 6, 2), date(2026, 6, 3))):
        import_readings(
            green_button(every_hour_of([day]), local=EASTERN).encode(),
            fmt="greenbutton",
            branch=register.meter.branch,
            filename=f"day{number}.xml",
            options=ImportOptions(today=date(2026, 12, 4)),
        )

    # then 2 June has its 24 kWh and its 24 hours of intervals
    assert Reading.objects.get(read_on=date(2026, 6, 2)).value == D(24)
    assert IntervalDay.objects.filter(day=date(2026, 6, 2)).count() == 1
