"""Service point files (NEM12 here; Green Button and MSCONS match the same way)
after a meter exchange: each day goes to the meter installed on it, its reading
and its intervals; a day no meter of the service point was installed on is
rejected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay, Meter, Reading, Register
from meterbill.premises.models import ServicePoint

from .conftest import TODAY, nem12

D = Decimal
NMI = "6407000009"


@pytest.fixture
def exchanged(branches, power_tariff):
    """NMI 6407000009 (south): meter A installed 1 January 2026 and removed on
    15 October 2026, meter B installed that day; both with register E1 in kWh."""
    south = branches["south"]
    point = ServicePoint.objects.create(branch=south, identifier=NMI)
    registers = {}
    for serial, installed, removed in (
        ("A", date(2026, 1, 1), date(2026, 10, 15)),
        ("B", date(2026, 10, 15), None),
    ):
        meter = Meter.objects.create(
            branch=south,
            kind="service_point",
            utility_id=power_tariff.utility_id,
            serial=serial,
            service_point=point,
            installed_on=installed,
            removed_on=removed,
        )
        registers[serial] = Register.objects.create(meter=meter, code="E1", unit="kWh")
    return registers


def test_each_day_goes_to_the_meter_installed_on_it(branches, exchanged):
    # given 14, 15 and 16 October of 48 × 0.5 kWh, and a day of 2025
    days = {d: "0.5" for d in ("20261014", "20261015", "20261016", "20251231")}

    report = import_readings(
        nem12((NMI, "E1", "kWh", days)).encode(),
        fmt="nem12",
        branch=branches["south"],
        filename="exchange.csv",
        options=ImportOptions(today=TODAY),
    )

    # then 14 October is the removed meter's, the exchange day and after the new
    # meter's, each with its intervals
    by_register = sorted(
        Reading.objects.values_list("register__meter__serial", "read_on", "value")
    )
    assert by_register == [
        ("A", date(2026, 10, 14), D(24)),
        ("B", date(2026, 10, 15), D(24)),
        ("B", date(2026, 10, 16), D(24)),
    ]
    assert sorted(
        IntervalDay.objects.values_list("register__meter__serial", "day")
    ) == [
        ("A", date(2026, 10, 14)),
        ("B", date(2026, 10, 15)),
        ("B", date(2026, 10, 16)),
    ]
    # and the day before either meter is rejected, naming the service point
    [error] = report.rejected
    assert (error.field, error.message) == (
        "meter",
        "no meter of '6407000009' with register 'E1' is installed on 2025-12-31 "
        "(or several are)",
    )
