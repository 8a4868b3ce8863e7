"""The small building billed, with heat cost allocators and a heat provider bill
added, and its apartments laid out over a staircase and floors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

D = Decimal
OCT_31, NOV_30 = date(2026, 10, 31), date(2026, 11, 30)


def add_heat(small_building):
    """Heat for the small building: one allocator per apartment (KQ = KC = 1) with
    1, 2 and 3 units, and a provider bill of 100.00 RON net (VAT 21%).

    100.00 by units 1/2/3: 16.666…, 33.333…, 50.000 → floors 16.66 + 33.33 + 50.00 =
    99.99; the cent left goes to the largest remainder (apt 1): 16.67, 33.33, 50.00.
    """
    from meterbill.billing.models import ProviderBill
    from meterbill.metering.models import Meter, Reading, Register
    from meterbill.premises.models import (
        ApartmentUtility,
        Contract,
        ContractService,
        Provider,
        Utility,
    )
    from meterbill.tariffs.models import Tariff, TariffVersion

    res = small_building["residence"]
    org = res.branch.organisation
    heat = Utility.objects.create(
        organisation=org, code="heat", name="Heating", kind="heat", unit="kWh"
    )
    tariff = Tariff.objects.create(
        organisation=org, code="HEAT", name="Heating", utility=heat
    )
    TariffVersion.objects.create(
        tariff=tariff,
        valid_from=date(2026, 1, 1),
        currency="RON",
        unit_price_net=D("0.50"),
        vat_rate_percent=D("21"),
    )
    for units, apt in enumerate(small_building["apartments"], start=1):
        ApartmentUtility.objects.create(apartment=apt, utility=heat)
        contract = Contract.objects.get(apartment=apt)
        ContractService.objects.create(contract=contract, utility=heat, tariff=tariff)
        hca = Meter.objects.create(
            branch=res.branch,
            kind="hca",
            utility=heat,
            serial=f"HCA{apt.number}",
            apartment=apt,
            kq=D(1),
            kc=D(1),
        )
        reg = Register.objects.create(meter=hca, unit="units", digits=5)
        Reading.objects.create(register=reg, read_on=OCT_31, value=0, source="radio")
        Reading.objects.create(
            register=reg, read_on=NOV_30, value=D(units), source="radio"
        )
    provider = Provider.objects.create(organisation=org, name="Termo Provider SA")
    ProviderBill.objects.create(
        residence=res,
        period=small_building["period"],
        utility=heat,
        provider=provider,
        reference="TP-11",
        quantity=D("600"),
        amount_net=D("100.00"),
        vat_rate_percent=D("21"),
        currency="RON",
    )


@pytest.fixture
def billed_building(small_building):
    """The small building with heat, billed on 4 Dec 2026: three invoices."""
    from meterbill.billing.billrun import bill_period

    add_heat(small_building)
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    return small_building


@pytest.fixture
def laid_out(small_building):
    """Apartments renumbered over staircase A: apt 1 is no. 10 on floor 1, apt 2
    no. 9 on floor 1, apt 3 no. 12 on the ground floor. Delivery order: 12, 9, 10."""
    for apt, (number, floor) in zip(
        small_building["apartments"], [("10", 1), ("9", 1), ("12", 0)], strict=True
    ):
        apt.staircase, apt.number, apt.floor = "A", number, floor
        apt.save()
    return small_building
