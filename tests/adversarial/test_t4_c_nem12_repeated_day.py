"""T4 (area C): a NEM12 file that gives the same NMI, suffix and day twice (a
meter data provider re-sending a day in the same file, or two 200 blocks of one
data stream) must import as before: the repeat is a duplicate, as the docs say
("repeating an earlier row of the same file, is a duplicate"). Since the days of
intervals are stored, both copies of the day reach the IntervalDay insert and the
unique constraint (register, day) aborts the whole import with an IntegrityError
("meterbill: unexpected error" on the CLI)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from builders import make_tariff
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay, Meter, Reading, Register
from meterbill.premises.models import ServicePoint

D = Decimal
NMI = "6407000002"
HALF_HOURS = ",".join(["0.5"] * 48)  # 24 kWh a day


@pytest.fixture
def register(org, branches):
    _power, tariff = make_tariff(
        org,
        "electricity",
        "ELEC",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
        unit_price="0.50",
        vat="19",
        name="Electricity",
        valid_from=date(2000, 1, 1),
    )
    south = branches["south"]
    point = ServicePoint.objects.create(branch=south, identifier=NMI)
    meter = Meter.objects.create(
        branch=south,
        kind="service_point",
        utility_id=tariff.utility_id,
        serial="M-2",
        service_point=point,
    )
    return Register.objects.create(meter=meter, code="E1", unit="kWh")


def test_a_day_given_twice_in_one_file_is_a_duplicate(register):
    # given a file whose 300 record of 2 November 2026 comes twice, same values
    text = (
        "100,NEM12,202612010000,MDA1,RET1\n"
        f"200,{NMI},E1,1,E1,N1,M-2,kWh,30,\n"
        f"300,20261101,{HALF_HOURS},A,,,20261201000000,\n"
        f"300,20261102,{HALF_HOURS},A,,,20261201000000,\n"
        f"300,20261102,{HALF_HOURS},A,,,20261201000000,\n"
        "900\n"
    )

    report = import_readings(
        text.encode(),
        fmt="nem12",
        branch=register.meter.branch,
        filename="twice.csv",
        options=ImportOptions(today=date(2026, 12, 4)),
    )

    # then two days of 48 × 0.5 = 24 kWh, the repeat a duplicate, one day of
    # intervals each
    assert (report.rows_imported, report.rows_duplicate) == (2, 1)
    assert report.interval_days == 2
    assert sorted(Reading.objects.values_list("read_on", "value")) == [
        (date(2026, 11, 1), D(24)),
        (date(2026, 11, 2), D(24)),
    ]
    assert IntervalDay.objects.filter(register=register).count() == 2
