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

from intervals_world import POINT, green_button, register_at
from meterbill.metering.imports import ImportOptions, ImportRefused, import_readings
from meterbill.metering.models import Reading

# A meter reading in kWh (Wh × 10³) of bulk quantities, one a day.
DAILY_TOTALS = (
    "<e:accumulationBehaviour>1</e:accumulationBehaviour><e:commodity>1</e:commodity>\n"
    "<e:flowDirection>1</e:flowDirection><e:intervalLength>86400</e:intervalLength>\n"
    "<e:kind>12</e:kind><e:powerOfTenMultiplier>3</e:powerOfTenMultiplier>\n"
    "<e:uom>72</e:uom>"
)


@pytest.fixture
def register(org, branches):
    return register_at(org, branches["south"], POINT, "G-1")


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
            green_button(readings, reading_type=DAILY_TOTALS).encode(),
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
