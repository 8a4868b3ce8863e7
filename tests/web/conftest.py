"""Fixtures of the web tests: a south-branch world that alice (north) must never
see, and a client per user."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client

D = Decimal
SOUTH_MARK = "Zzsouthsecret"  # appears in every south object's name


def make_user(username, branch, *roles):
    from meterbill.orgs.models import User

    user = User(username=username, branch=branch, roles=",".join(roles))
    user.set_password("pw-" + username)
    user.save()
    return user


@pytest.fixture
def south(org, branches, out_dir):
    """Bob's branch: a residence with one apartment, meter, readings, a period with
    an open finding, an issued invoice with its PDF and XML on disk, a bill run and an
    audit event."""
    from meterbill.audit import trail
    from meterbill.billing.models import BillRun, Finding, Period
    from meterbill.invoicing.models import Invoice, InvoiceLine, InvoiceSeries
    from meterbill.metering.models import Meter, Reading, Register
    from meterbill.premises.models import (
        Apartment,
        Contract,
        Customer,
        Residence,
        Utility,
    )

    branch = branches["south"]
    water = Utility.objects.create(
        organisation=org, code="sw", name="Water", kind="cold_water", unit="m3"
    )
    res = Residence.objects.create(branch=branch, code="S1", name=f"{SOUTH_MARK} R")
    apt = Apartment.objects.create(
        residence=res, number="7", area_m2=D(40), owner_name=f"{SOUTH_MARK} Owner"
    )
    customer = Customer.objects.create(
        branch=branch, code="SK1", name=f"{SOUTH_MARK} Customer"
    )
    contract = Contract.objects.create(
        branch=branch,
        number="SC1",
        customer=customer,
        apartment=apt,
        valid_from=date(2020, 1, 1),
    )
    meter = Meter.objects.create(
        branch=branch, kind="apartment", utility=water, serial="SW1", apartment=apt
    )
    register = Register.objects.create(meter=meter, unit="m3")
    opening = Reading.objects.create(
        register=register, read_on=date(2026, 10, 31), value=D(500), source="manual"
    )
    closing = Reading.objects.create(
        register=register, read_on=date(2026, 11, 30), value=D(450), source="manual"
    )
    period = Period.objects.create(
        branch=branch,
        name="2026-11",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 11, 30),
    )
    finding = Finding.objects.create(
        period=period,
        subject=f"register:{register.pk}",
        register=register,
        reading=closing,
        rule="register_decrease",
        severity="block",
        message=f"{SOUTH_MARK} decrease",
    )
    run = BillRun.objects.create(period=period, status="done")
    series = InvoiceSeries.objects.create(branch=branch, prefix="S", year=2026)
    folder = out_dir / "S" / "2026-11"
    folder.mkdir(parents=True)
    (folder / "S2026-000001.pdf").write_bytes(b"%PDF-1.7 " + SOUTH_MARK.encode())
    (folder / "S2026-000001.xml").write_bytes(f"<x>{SOUTH_MARK}</x>".encode())
    invoice = Invoice.objects.create(
        branch=branch,
        state="issued",
        series=series,
        number=1,
        full_number="S2026-000001",
        idempotency_key="south:1",
        customer=customer,
        contract=contract,
        apartment=apt,
        period=period,
        bill_run=run,
        issue_date=date(2026, 12, 4),
        currency="RON",
        total_net=D("100.00"),
        total_vat=D("11.00"),
        total_gross=D("111.00"),
        pdf_file=str(folder / "S2026-000001.pdf"),
        xml_file=str(folder / "S2026-000001.xml"),
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        position=1,
        utility=water,
        description=f"{SOUTH_MARK} water",
        quantity=D(20),
        unit="m3",
        unit_code="MTQ",
        unit_price_net=D(5),
        net_amount=D(100),
        vat_category="S",
        vat_rate_percent=D(11),
    )
    event = trail.record(
        "test.south", branch=branch, object_type="x", after={"mark": SOUTH_MARK}
    )
    return {
        "branch": branch,
        "residence": res,
        "apartment": apt,
        "customer": customer,
        "meter": meter,
        "register": register,
        "reading": closing,
        "opening": opening,
        "period": period,
        "finding": finding,
        "bill_run": run,
        "invoice": invoice,
        "contract": contract,
        "event": event,
    }


@pytest.fixture
def client_for():
    """A logged-in client for a user (force_login: the login view has its own
    tests, and django-axes needs a request that Client.login does not pass)."""

    def make(user, **kwargs) -> Client:
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def role_user(branches):
    """A user of the north branch with the given role."""

    def make(role: str, branch: str = "north"):
        return make_user(f"{role}-{branch}", branches[branch], role)

    return make


@pytest.fixture
def browser(live_server):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes around it are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from .browser import ARGS, CHROMIUM, SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()
        # While Playwright's loop runs, the ORM keeps its connections apart from
        # the thread's usual ones (asgiref's Local follows the context): closed
        # here, or the test database could not be dropped at the end of the run.
        connections.close_all()


@pytest.fixture
def page(browser):
    """A desktop-sized page."""
    return browser.new_page(viewport={"width": 1280, "height": 900})
