"""Builders shared by the correction and advance tests (no tests here): the small
building billed for November 2026, and a gas service point with a year of monthly
readings whose consumption follows 1 m3/day + 0.5 m3 per heating degree day
(base 18 °C) exactly."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from builders import make_contract, make_tariff

D = Decimal

# Month (year, month) → constant daily mean temperature, °C, December 2025 to
# November 2026. Per day: 1 + 0.5 × max(0, 18 − T) m3.
GAS_TEMPERATURES = {
    (2025, 12): 0,
    (2026, 1): -2,
    (2026, 2): 2,
    (2026, 3): 6,
    (2026, 4): 12,
    (2026, 5): 16,
    (2026, 6): 22,
    (2026, 7): 25,
    (2026, 8): 24,
    (2026, 9): 19,
    (2026, 10): 12,
    (2026, 11): 6,
}


def bill_small_building(small_building):
    """The small building billed for 2026-11 on 4 December 2026: invoices
    N-2026-000001..3; apartment 2's is net 112.00, VAT 12.32, gross 124.32."""
    from meterbill.billing.billrun import bill_period
    from meterbill.invoicing.models import Invoice

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    by_apartment = {
        inv.apartment_id: inv for inv in Invoice.objects.select_related("series")
    }
    return {
        **small_building,
        "invoices": [by_apartment[a.pk] for a in small_building["apartments"]],
    }


def make_gas_point(org, branches):
    """Contract G1 on service point SP1 (south branch): gas at 2.00 RON/m3 net,
    fixed 10.00 RON/month, VAT 21 %; index readings on the last day of each month
    from 30 Nov 2025 (1000 m3) to 30 Nov 2026 (2758 m3); period 2026-12; daily
    temperatures December 2025 – November 2026."""
    from meterbill.billing.models import Period
    from meterbill.metering.models import Meter, Reading, Register
    from meterbill.premises.models import (
        ServicePoint,
    )

    south = branches["south"]
    gas, tariff = make_tariff(
        org,
        "gas",
        "GAS",
        kind="gas",
        unit="m3",
        unit_code="MTQ",
        unit_price="2.00",
        vat="21",
        fixed="10.00",
        name="Gas",
        valid_from=date(2025, 1, 1),
    )
    point = ServicePoint.objects.create(branch=south, identifier="SP1", country="RO")
    contract = make_contract(
        south,
        "G1",
        "G1",
        "Gas Customer",
        [tariff],
        service_point=point,
        country="RO",
        city="SECTOR1",
        street="Strada Gazului 1",
    )
    meter = Meter.objects.create(
        branch=south,
        kind="service_point",
        utility=gas,
        serial="G1",
        service_point=point,
    )
    register = Register.objects.create(meter=meter, unit="m3")

    index = D(1000)
    readings = [Reading(register=register, read_on=date(2025, 11, 30), value=index)]
    temperatures: dict[date, Decimal] = {}
    for (year, month), celsius in GAS_TEMPERATURES.items():
        days = calendar.monthrange(year, month)[1]
        index += (1 + D("0.5") * max(0, 18 - celsius)) * days
        readings.append(
            Reading(register=register, read_on=date(year, month, days), value=index)
        )
        for day in range(1, days + 1):
            temperatures[date(year, month, day)] = D(celsius)
    Reading.objects.bulk_create(readings)
    period = Period.objects.create(
        branch=south,
        name="2026-12",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )
    return {
        "contract": contract,
        "register": register,
        "period": period,
        "temperatures": temperatures,
        "last_index": index,
    }
