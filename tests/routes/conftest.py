"""Fixtures of the route tests: a building with staircases, floors and allocators, a
meter in the south branch, and device result files written by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

D = Decimal


@pytest.fixture
def staircase_building(org, branches, small_building):
    """Residence R2 in the north branch, apartments created out of walking order.

    Staircase B: apt 10 (floor 1).  Staircase A: apts 2 and 10 (floor 1), 1a (floor 0),
    1 (floor 0). Each has a cold-water meter; apt A/2 also a heat cost allocator; one
    meter removed before the period and one installed after it are not on the route.
    """
    from meterbill.metering.models import Meter, Register
    from meterbill.premises.models import Apartment, Residence, Utility

    north = branches["north"]
    cold = small_building["utility"]
    heat = Utility.objects.create(
        organisation=org, code="heat", name="Heat", kind="heat", unit="units"
    )
    res = Residence.objects.create(branch=north, code="R2", name="Residence 2")
    layout = [
        ("B", 1, "11"),
        ("A", 1, "10"),
        ("A", 1, "2"),
        ("A", 0, "1a"),
        ("A", 0, "1"),
    ]
    apartments = {}
    for staircase, floor, number in layout:
        apt = Apartment.objects.create(
            residence=res,
            number=number,
            staircase=staircase,
            floor=floor,
            area_m2=D(40),
        )
        apartments[number] = apt
        meter = Meter.objects.create(
            branch=north,
            kind="apartment",
            utility=cold,
            serial=f"C-{number}",
            apartment=apt,
        )
        Register.objects.create(meter=meter, unit="m3")
    hca = Meter.objects.create(
        branch=north, kind="hca", utility=heat, serial="H-2", apartment=apartments["2"]
    )
    Register.objects.create(meter=hca, unit="units")
    old = Meter.objects.create(
        branch=north,
        kind="apartment",
        utility=cold,
        serial="C-OLD",
        apartment=apartments["1"],
        removed_on=date(2026, 10, 15),
    )
    Register.objects.create(meter=old, unit="m3")
    new = Meter.objects.create(
        branch=north,
        kind="apartment",
        utility=cold,
        serial="C-NEW",
        apartment=apartments["1"],
        installed_on=date(2026, 12, 5),
    )
    Register.objects.create(meter=new, unit="m3")
    return res


@pytest.fixture
def south_meter(org, branches, small_building):
    """A cold-water meter S1 in the south branch (bob's), outside alice's subtree."""
    from meterbill.metering.models import Meter, Register

    meter = Meter.objects.create(
        branch=branches["south"],
        kind="apartment",
        utility=small_building["utility"],
        serial="S1",
    )
    Register.objects.create(meter=meter, unit="m3")
    return meter


DEVICE_CSV = (
    "meter_serial,register,value,read_at,reader_id,photo_ref,note,skipped_reason\n"
    "W1,1,105.5,2026-11-29T09:15:00+02:00,alice,p-w1.jpg,,\n"
    "W2,1,250,2026-11-29T09:20:00+02:00,alice,p-w2.jpg,new meter?,\n"
    "W3,1,,2026-11-29T09:25:00+02:00,alice,,dog in the hall,no access\n"
    "X9,1,12,2026-11-29T09:30:00+02:00,alice,,,\n"
    "W1,7,12,2026-11-29T09:31:00+02:00,alice,,,\n"
)


@pytest.fixture
def device_csv(tmp_path):
    """A device's result: two readings, one skipped stop, two unknown registers."""
    path = tmp_path / "device-north.csv"
    path.write_text(DEVICE_CSV, encoding="utf-8")
    return path
