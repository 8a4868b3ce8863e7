"""Builders for the bill run tests: more buildings like the small one, a heated
building with allocators, and a direct (service point) contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from builders import make_contract, make_tariff

D = Decimal
OCT_31, NOV_30 = date(2026, 10, 31), date(2026, 11, 30)


def add_building(small_building, code: str, apartments: int):
    """Another cold-water residence in the small building's branch, tariff and period.

    Apartment i (1-based) has i % 3 + 1 persons and reads 100·i → 100·i + 10 (10 m3);
    the main meter reads 5000 → 5000 + 11·apartments: common 1 m3 per apartment.
    """
    from meterbill.metering.models import Meter, Reading, Register
    from meterbill.premises.models import (
        Apartment,
        ApartmentUtility,
        Contract,
        ContractService,
        Customer,
        Residence,
    )

    first = small_building["residence"]
    branch, cold = first.branch, small_building["utility"]
    res = Residence.objects.create(branch=branch, code=code, name=f"Residence {code}")
    made = []
    for i in range(1, apartments + 1):
        apt = Apartment.objects.create(
            residence=res, number=str(i), area_m2=D(40), persons=i % 3 + 1
        )
        ApartmentUtility.objects.create(apartment=apt, utility=cold)
        customer = Customer.objects.create(
            branch=branch, code=f"{code}-{i}", name=f"Customer {code}-{i}", country="RO"
        )
        contract = Contract.objects.create(
            branch=branch,
            number=f"{code}-C{i}",
            customer=customer,
            apartment=apt,
            valid_from=date(2020, 1, 1),
        )
        ContractService.objects.create(
            contract=contract, utility=cold, tariff=small_building["tariff"]
        )
        meter = Meter.objects.create(
            branch=branch,
            kind="apartment",
            utility=cold,
            serial=f"{code}-W{i}",
            apartment=apt,
        )
        reg = Register.objects.create(meter=meter, unit="m3")
        Reading.objects.bulk_create(
            [
                Reading(
                    register=reg, read_on=OCT_31, value=D(100 * i), source="manual"
                ),
                Reading(
                    register=reg, read_on=NOV_30, value=D(100 * i + 10), source="manual"
                ),
            ]
        )
        made.append(apt)
    main = Meter.objects.create(
        branch=branch, kind="main", utility=cold, serial=f"{code}-MAIN", residence=res
    )
    reg = Register.objects.create(meter=main, unit="m3")
    Reading.objects.bulk_create(
        [
            Reading(register=reg, read_on=OCT_31, value=D(5000), source="manual"),
            Reading(
                register=reg,
                read_on=NOV_30,
                value=D(5000 + 11 * apartments),
                source="manual",
            ),
        ]
    )
    return res, made


@pytest.fixture
def heated_building(org, branches):
    """Residence H1 (north): three apartments with one heat cost allocator each and
    a provider bill for heat of 1000.00 RON net, 21% VAT.

    Allocator units (31 Oct → 30 Nov) and EN 834 factors:
      apt 1: 0 → 100, KQ 1.10, KC 1.00 → 110.0 corrected units
      apt 2: 0 → 200, KQ 0.85, KC 0.95 → 161.5
      apt 3: 0 → 150, KQ 1.35, KC 1.00 → 202.5          total 474.0
    Shares of 100000 cents: 23206.75…, 34071.72…, 42721.51… → floors 99998; the two
    cents left go to the largest remainders (.75, .72): 232.07, 340.72, 427.21.
    """
    from meterbill.billing.models import Period, ProviderBill
    from meterbill.metering.models import Meter, Reading, Register
    from meterbill.premises.models import (
        Apartment,
        ApartmentUtility,
        Provider,
        Residence,
    )

    north = branches["north"]
    heat, tariff = make_tariff(
        org,
        "heat",
        "HEAT",
        kind="heat",
        unit="kWh",
        unit_code="KWH",
        unit_price="0.4950",
        vat="21",
        name="Heating",
    )
    res = Residence.objects.create(branch=north, code="H1", name="Heated 1")
    period = Period.objects.create(
        branch=north, name="2026-11", starts_on=date(2026, 11, 1), ends_on=NOV_30
    )
    apartments = []
    for n, (units, kq, kc) in enumerate(
        [(100, "1.10", "1.00"), (200, "0.85", "0.95"), (150, "1.35", "1.00")], start=1
    ):
        apt = Apartment.objects.create(
            residence=res, number=str(n), area_m2=D(50), persons=1
        )
        ApartmentUtility.objects.create(apartment=apt, utility=heat)
        make_contract(
            north,
            f"H-C{n}",
            f"H{n}",
            f"Heated {n}",
            [tariff],
            apartment=apt,
            country="RO",
        )
        hca = Meter.objects.create(
            branch=north,
            kind="hca",
            utility=heat,
            serial=f"HCA{n}",
            apartment=apt,
            kq=D(kq),
            kc=D(kc),
        )
        reg = Register.objects.create(meter=hca, unit="units", digits=5)
        Reading.objects.create(register=reg, read_on=OCT_31, value=0, source="radio")
        Reading.objects.create(
            register=reg, read_on=NOV_30, value=D(units), source="radio"
        )
        apartments.append(apt)
    provider = Provider.objects.create(organisation=org, name="Termo Provider SA")
    ProviderBill.objects.create(
        residence=res,
        period=period,
        utility=heat,
        provider=provider,
        quantity=D("48000"),
        amount_net=D("1000.00"),
        vat_rate_percent=D("21"),
        currency="RON",
    )
    return {"residence": res, "period": period, "apartments": apartments}


@pytest.fixture
def service_point_contract(org, branches):
    """Contract D1 (south) on service point NMI-1: electricity from interval totals.

    Consumption rows in November: 100.5 + 120.25 + 80 = 300.75 kWh (an October row
    and a December row lie outside). Tariff 0.80 RON/kWh, 10.00 RON/month, VAT 19%.
    """
    from meterbill.billing.models import Period
    from meterbill.metering.models import Meter, Reading, Register
    from meterbill.premises.models import ServicePoint

    south = branches["south"]
    power, tariff = make_tariff(
        org,
        "power",
        "POWER",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
        unit_price="0.80",
        vat="19",
        fixed="10.00",
        name="Electricity",
    )
    point = ServicePoint.objects.create(branch=south, identifier="NMI-1")
    contract = make_contract(
        south,
        "D-C1",
        "D1",
        "Direct Customer SRL",
        [tariff],
        service_point=point,
        valid_from=date(2025, 1, 1),
        kind="company",
        country="RO",
    )
    meter = Meter.objects.create(
        branch=south,
        kind="service_point",
        utility=power,
        serial="E1",
        service_point=point,
    )
    reg = Register.objects.create(meter=meter, unit="kWh")
    Reading.objects.bulk_create(
        Reading(
            register=reg,
            period_start=first,
            read_on=last,
            kind="consumption",
            value=D(value),
            source="file",
        )
        for first, last, value in [
            (date(2026, 10, 21), date(2026, 10, 31), "55"),
            (date(2026, 11, 1), date(2026, 11, 10), "100.5"),
            (date(2026, 11, 11), date(2026, 11, 20), "120.25"),
            (date(2026, 11, 21), date(2026, 11, 30), "80"),
            (date(2026, 12, 1), date(2026, 12, 10), "99"),
        ]
    )
    period = Period.objects.create(
        branch=south, name="2026-11", starts_on=date(2026, 11, 1), ends_on=NOV_30
    )
    return {"contract": contract, "period": period}
