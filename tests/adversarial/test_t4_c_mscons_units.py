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

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Reading, Register
from meterbill.premises.models import ServicePoint, Utility

D = Decimal
LOCATION = "51238696788"
QUARTER = timedelta(minutes=15)


def message(number: int, first: datetime, value: str, unit: str) -> list[str]:
    """A message for LOCATION, register AUA: 96 quarter hours from ``first``."""
    body = [
        f"UNH+{number}+MSCONS:D:04B:UN:2.4b",
        f"BGM+Z45+M{number}+9",
        f"LOC+172+{LOCATION}",
        "LIN+1",
        "PIA+5+AUA:Z08",
    ]
    for start in (first + QUARTER * i for i in range(96)):
        body += [
            f"QTY+220:{value}:{unit}",
            f"DTM+163:{start:%Y%m%d%H%M}?+00:303",
            f"DTM+164:{start + QUARTER:%Y%m%d%H%M}?+00:303",
        ]
    return [*body, f"UNT+{len(body) + 1}+{number}"]


@pytest.fixture
def register(org, branches):
    south = branches["south"]
    power = Utility.objects.create(
        organisation=org, code="power", name="Electricity", kind="electricity",
        unit="kWh", unit_code="KWH",
    )  # fmt: skip
    point = ServicePoint.objects.create(branch=south, identifier=LOCATION)
    meter = Meter.objects.create(
        branch=south, kind="service_point", utility=power, serial="M-1",
        service_point=point,
    )  # fmt: skip
    return Register.objects.create(meter=meter, code="AUA", unit="kWh")


def test_each_message_keeps_its_own_unit(register):
    # given 2 June 2026 (German time: from 22:00 UTC the day before) in quarter
    # hours of 250 Wh, then 3 June in quarter hours of 0.25 kWh
    june_2 = datetime(2026, 6, 1, 22, tzinfo=UTC)
    segments = [
        "UNB+UNOC:3+SENDER:500+RECEIVER:500+260701:1200+REF1",
        *message(1, june_2, "250", "WHR"),
        *message(2, june_2 + timedelta(days=1), "0.25", "KWH"),
        "UNZ+2+REF1",
    ]
    text = "UNA:+.? '" + "'".join(segments) + "'"

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
