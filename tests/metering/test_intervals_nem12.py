"""NEM12 300 records keep their intervals: stored in the register's unit beside the
daily reading, once, and only for the days whose reading is accepted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay, Meter, Reading, Register
from meterbill.premises.models import ServicePoint

D = Decimal
TODAY = date(2026, 12, 4)
# 5-minute intervals in Wh: 288 a day, the first 120 Wh, the others 10 Wh.
DAY = ",".join(["120"] + ["10"] * 287)
FILE = (
    "100,NEM12,202612010000,MDA1,RET1\n"
    "200,NMI0000007,E1,1,E1,N1,M7,Wh,5,\n"
    f"300,20261201,{DAY},A,,,20261202000000,\n"
    f"300,20261202,{DAY},A,,,20261203000000,\n"
    f"300,20261205,{DAY},A,,,20261206000000,\n"
    "900\n"
).encode()


@pytest.fixture
def register(branches, power_tariff):
    south = branches["south"]
    sp = ServicePoint.objects.create(branch=south, identifier="NMI0000007")
    meter = Meter.objects.create(
        branch=south,
        kind="service_point",
        utility_id=power_tariff.utility_id,
        serial="M7",
        service_point=sp,
    )
    return Register.objects.create(meter=meter, code="E1", unit="kWh")


def test_it_stores_the_days_in_kwh_and_leaves_out_a_rejected_day(register):
    # given a file of 1, 2 and 5 December 2026, the last after TODAY
    report = import_readings(
        FILE,
        fmt="nem12",
        branch=register.meter.branch,
        filename="five.csv",
        options=ImportOptions(today=TODAY),
    )

    # then 1 and 2 December are stored: 120 + 287 × 10 = 2990 Wh = 2.990 kWh
    assert (report.rows_imported, report.rows_rejected) == (2, 1)
    assert report.interval_days == 2
    assert set(Reading.objects.values_list("read_on", "value")) == {
        (date(2026, 12, 1), D("2.990")),
        (date(2026, 12, 2), D("2.990")),
    }
    day = IntervalDay.objects.get(day=date(2026, 12, 1))
    values = day.values.split(",")
    assert (day.minutes, len(values), values[:2]) == (5, 288, ["0.120", "0.010"])
    assert not IntervalDay.objects.filter(day=date(2026, 12, 5)).exists()


def test_importing_the_file_again_stores_no_second_day(register):
    options = ImportOptions(today=TODAY, again=True)
    branch = register.meter.branch
    import_readings(FILE, fmt="nem12", branch=branch, filename="a.csv", options=options)

    again = import_readings(
        FILE, fmt="nem12", branch=branch, filename="a.csv", options=options
    )

    assert (again.rows_duplicate, again.interval_days) == (2, 0)
    assert IntervalDay.objects.count() == 2
