"""T4 (area C): the MSCONS reader keeps one unit per metering location and
register, the unit of the *last* quantity read, and labels every day with it. An
interchange whose first message gives a day in Wh (``WHR``) and whose second
gives the next day in kWh stores the first day's 24,000 Wh as 24,000 kWh (a
thousand times the energy); a day's quantities in two units are added as they
are."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from intervals_world import (
    LOCATION,
    QUARTER,
    mscons_interchange,
    mscons_message,
    register_at,
)
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Reading

D = Decimal


def day_of_quarters(first: datetime, value: str) -> list[tuple[datetime, str]]:
    """96 quarter hours of ``value`` from ``first`` (UTC)."""
    return [(first + QUARTER * i, value) for i in range(96)]


@pytest.fixture
def register(org, branches):
    return register_at(org, branches["south"], LOCATION, "M-1", "AUA")


def test_each_message_keeps_its_own_unit(register):
    # given 2 June 2026 (German time: from 22:00 UTC the day before) in quarter
    # hours of 250 Wh, then 3 June in quarter hours of 0.25 kWh
    june_2 = datetime(2026, 6, 1, 22, tzinfo=UTC)
    text = mscons_interchange(
        mscons_message(1, day_of_quarters(june_2, "250"), "WHR"),
        mscons_message(2, day_of_quarters(june_2 + timedelta(days=1), "0.25")),
    )

    import_readings(
        text.encode(),
        fmt="mscons",
        branch=register.meter.branch,
        filename="units.edi",
        options=ImportOptions(today=date(2026, 12, 4)),
    )

    # then each day used 96 × 250 Wh = 96 × 0.25 kWh = 24 kWh
    assert sorted(Reading.objects.values_list("read_on", "value")) == [
        (date(2026, 6, 2), D(24)),
        (date(2026, 6, 3), D(24)),
    ]
