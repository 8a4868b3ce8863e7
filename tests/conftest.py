"""Named fixtures shared by the Django tests: two branches of one organisation and a
small building whose numbers are worked out by hand in tests/billing/README.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from builders import make_contract, make_tariff

D = Decimal


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 is the product's hasher; tests only need a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def out_dir(settings, tmp_path):
    settings.OUT_DIR = tmp_path / "out"
    return settings.OUT_DIR


@pytest.fixture
def org(db):
    from meterbill.orgs.models import Organisation

    return Organisation.objects.create(
        name="Termo Test SRL",
        country="RO",
        currency="RON",
        vat_id="RO18547290",
        company_id="J40/1/2020",
        street="Strada Test 1",
        city="SECTOR1",
        postal_code="010101",
        subdivision="RO-B",
        iban="RO49AAAA1B31007593840000",
    )


@pytest.fixture
def branches(org):
    """hq → (north, south): two sibling branches under a head office."""
    from meterbill.orgs.models import Branch

    hq = Branch.objects.create(organisation=org, code="HQ", name="Head office")
    north = Branch.objects.create(organisation=org, code="N", name="North", parent=hq)
    south = Branch.objects.create(organisation=org, code="S", name="South", parent=hq)
    return {"hq": hq, "north": north, "south": south}


def make_user(username, branch, *roles):
    from meterbill.orgs.models import User

    user = User(username=username, branch=branch, roles=",".join(roles))
    user.set_password("pw-" + username)
    user.save()
    return user


@pytest.fixture
def alice(branches):
    """A billing operator in the north branch."""
    return make_user("alice", branches["north"], "billing_operator")


@pytest.fixture
def bob(branches):
    """A billing operator in the south branch."""
    return make_user("bob", branches["south"], "billing_operator")


@pytest.fixture
def small_building(org, branches):
    """Residence R1 in the north branch: three apartments with cold water.

    Persons 1, 2, 3. Tariff COLD: 5.00 RON/m3 net, fixed 2.00 RON/month, VAT 11%.
    Closing indexes on 30 Nov 2026 (opening 31 Oct 2026):
      apt 1: 100 → 110 (10 m3)   apt 2: 200 → 220 (20 m3)   apt 3: 300 → 330 (30 m3)
    Main meter: 1000 → 1066 (66 m3) → common 6 m3, by persons 1 / 2 / 3 m3.
    """
    from meterbill.billing.models import Period
    from meterbill.metering.models import Meter, Reading, Register
    from meterbill.premises.models import Apartment, ApartmentUtility, Residence

    north = branches["north"]
    cold, tariff = make_tariff(
        org,
        "cold",
        "COLD",
        kind="cold_water",
        unit="m3",
        unit_code="MTQ",
        unit_price="5.00",
        vat="11",
        fixed="2.00",
        name="Cold water",
    )
    res = Residence.objects.create(
        branch=north,
        code="R1",
        name="Residence 1",
        city="SECTOR1",
        country="RO",
        subdivision="RO-B",
    )
    period = Period.objects.create(
        branch=north,
        name="2026-11",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 11, 30),
    )
    apartments = []
    for n, (persons, opening, closing) in enumerate(
        [(1, 100, 110), (2, 200, 220), (3, 300, 330)], start=1
    ):
        apt = Apartment.objects.create(
            residence=res, number=str(n), area_m2=D(50), persons=persons
        )
        ApartmentUtility.objects.create(apartment=apt, utility=cold)
        make_contract(
            north,
            f"C{n}",
            f"K{n}",
            f"Customer {n}",
            [tariff],
            apartment=apt,
            country="RO",
            city="SECTOR1",
            street=f"Strada {n}",
        )
        meter = Meter.objects.create(
            branch=north, kind="apartment", utility=cold, serial=f"W{n}", apartment=apt
        )
        reg = Register.objects.create(meter=meter, unit="m3")
        Reading.objects.create(
            register=reg,
            read_on=date(2026, 9, 30),
            value=D(opening - 10),
            source="manual",
        )
        Reading.objects.create(
            register=reg, read_on=date(2026, 10, 31), value=D(opening), source="manual"
        )
        Reading.objects.create(
            register=reg, read_on=date(2026, 11, 30), value=D(closing), source="manual"
        )
        apartments.append(apt)
    main = Meter.objects.create(
        branch=north, kind="main", utility=cold, serial="MAIN", residence=res
    )
    main_reg = Register.objects.create(meter=main, unit="m3")
    Reading.objects.create(
        register=main_reg, read_on=date(2026, 10, 31), value=D(1000), source="manual"
    )
    Reading.objects.create(
        register=main_reg, read_on=date(2026, 11, 30), value=D(1066), source="manual"
    )
    return {
        "residence": res,
        "period": period,
        "apartments": apartments,
        "utility": cold,
        "tariff": tariff,
    }
