"""The corpus's Green Button year and MSCONS month imported from the CLI, read in
place: daily readings, days of intervals (with the days the clocks change) and a
stored value checked against the file."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from intervals_world import TOU_RATE, add_power, import_urdb
from meterbill.metering.models import IntervalDay, Meter, Reading, Register
from meterbill.premises.models import ServicePoint, Utility

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))
COASTAL = (
    CORPUS
    / "greenbutton/electricity"
    / "Coastal_Multi_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_5.xml"
)
MSCONS = CORPUS / "mscons/MSCONS_TL_Multiple_LOC_SAMPLE.txt"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus"),
]
D = Decimal


@pytest.fixture
def registers(org, branches):
    """In the south branch, a kWh register per service point of the two files:
    usage point RetailCustomer/5/UsagePoint/1 (meter reading 01), and metering
    locations 51481308448 and 51481308456 (register AUA)."""
    power = Utility.objects.create(
        organisation=org,
        code="power",
        name="Electricity",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
    )
    out = {}
    for identifier, code in (
        ("RetailCustomer/5/UsagePoint/1", "01"),
        ("51481308448", "AUA"),
        ("51481308456", "AUA"),
    ):
        sp = ServicePoint.objects.create(
            branch=branches["south"], identifier=identifier
        )
        meter = Meter.objects.create(
            branch=branches["south"],
            kind="service_point",
            utility=power,
            serial=f"M-{identifier[-2:]}",
            service_point=sp,
        )
        out[identifier] = Register.objects.create(meter=meter, code=code, unit="kWh")
    return out


def import_file(path: Path, fmt: str) -> str:
    out = StringIO()
    call_command(
        "import_readings", str(path), format=fmt, branch="S", today="2026-12-04",
        stdout=out,
    )  # fmt: skip
    return out.getvalue()


def test_a_green_button_year_becomes_365_days_of_hours(registers):
    out = import_file(COASTAL, "greenbutton")

    register = registers["RetailCustomer/5/UsagePoint/1"]
    assert "imported:             365" in out
    assert "interval days:        365" in out
    # the file's Wh in kWh: 14019 Wh on 1 January, 4425305 Wh over the year
    assert Reading.objects.get(register=register, read_on=date(2011, 1, 1)).value == (
        D("14.019")
    )
    assert sum(Reading.objects.values_list("value", flat=True)) == D("4425.305")
    # the first hour of the year is 450 Wh; 13 March has 23 hours, 6 November 25
    first = IntervalDay.objects.get(register=register, day=date(2011, 1, 1))
    assert first.values.split(",")[0] == "0.450"
    lengths = {
        d.day: (len(d.values.split(",")), d.shift_at)
        for d in IntervalDay.objects.filter(shift_at__isnull=False)
    }
    assert lengths == {date(2011, 3, 13): (23, 2), date(2011, 11, 6): (25, 2)}


def test_an_mscons_month_becomes_days_of_quarter_hours(registers):
    out = import_file(MSCONS, "mscons")

    # two metering locations × 31 days of March 2022
    assert "imported:              62" in out
    assert "interval days:         62" in out
    # 19 March at 51481308456: 1117.90 kWh; its 55th quarter hour (13:30) 72.6 kWh
    register = registers["51481308456"]
    day = IntervalDay.objects.get(register=register, day=date(2022, 3, 19))
    assert day.values.split(",")[54] == "72.6"
    assert Reading.objects.get(register=register, read_on=day.day).value == (
        D("1117.90")
    )
    # 27 March 2022: clocks forward at 02:00, 92 quarter hours on both locations
    march_27 = IntervalDay.objects.filter(day=date(2022, 3, 27))
    assert [(len(d.values.split(",")), d.shift_at) for d in march_27] == [(92, 8)] * 2


@pytest.mark.parametrize(
    ("path", "fmt", "identifier", "code", "name"),
    [
        (
            COASTAL,
            "greenbutton",
            "RetailCustomer/5/UsagePoint/1",
            "01",
            "Usage point RetailCustomer/5/UsagePoint/1",
        ),
        (MSCONS, "mscons", "51481308456", "AUA", "Location 51481308456"),
    ],
)
def test_register_new_onboards_the_points_of_green_button_and_mscons(
    org, branches, tmp_path, path, fmt, identifier, code, name
):
    from meterbill.premises.models import Contract

    add_power()
    import_urdb(tmp_path, TOU_RATE, valid_from="2010-01-01")
    out = StringIO()
    call_command(
        "import_readings", str(path), format=fmt, branch="S", today="2026-12-04",
        register_new=True, tariff="TOU", customer_prefix="GB-", stdout=out,
    )  # fmt: skip

    point = ServicePoint.objects.get(branch=branches["south"], identifier=identifier)
    assert point.name == name
    register = Register.objects.get(meter__service_point=point, code=code)
    assert register.role == Register.Role.CONSUMPTION
    contract = Contract.objects.get(service_point=point)
    assert contract.services.get().tariff.code == "TOU"
    assert IntervalDay.objects.filter(register=register).exists()
    assert "new points:      " in out.getvalue()
