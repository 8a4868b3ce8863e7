"""Fixtures of the import tests: an electricity tariff, water meters in the north
branch, and small NEM12 files written here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from builders import make_tariff

D = Decimal
TODAY = date(2026, 12, 4)


def nem12(*channels: tuple[str, str, str, dict[str, str]]) -> str:
    """A NEM12 file of 30-minute channels: (NMI, suffix, unit, {YYYYMMDD: value of
    each of the 48 intervals})."""
    lines = ["100,NEM12,202601010000,MDA1,RET1"]
    for nmi, suffix, unit, days in channels:
        lines.append(f"200,{nmi},E1B1,1,{suffix},N1,MET1,{unit},30,")
        for day, value in days.items():
            values = ",".join([value] * 48)
            lines.append(f"300,{day},{values},A,,,20260102000000,")
    lines.append("900")
    return "\n".join(lines) + "\n"


@pytest.fixture
def power_tariff(org):
    """ELEC: 0.50 RON/kWh net, 10.00 RON/month fixed, VAT 19%."""
    _power, tariff = make_tariff(
        org,
        "electricity",
        "ELEC",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
        unit_price="0.50",
        vat="19",
        fixed="10.00",
        name="Electricity",
        valid_from=date(2000, 1, 1),
    )
    return tariff


@pytest.fixture
def water_meters(org, branches):
    """Meters W1 and W2 (one register "" in m3) and radio meter R1 (radio id
    12345678, register "" in m3) in the north branch."""
    from meterbill.metering.models import Meter, Register
    from meterbill.premises.models import Utility

    cold = Utility.objects.create(
        organisation=org, code="cold", name="Cold water", kind="cold_water", unit="m3"
    )
    registers = {}
    for serial, radio_id in (("W1", ""), ("W2", ""), ("R1", "12345678")):
        meter = Meter.objects.create(
            branch=branches["north"],
            kind="apartment",
            utility=cold,
            serial=serial,
            radio_id=radio_id,
        )
        registers[serial] = Register.objects.create(meter=meter, unit="m3")
    return registers
