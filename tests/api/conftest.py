"""Fixtures of the API tests: the south world of the web tests (which alice must
never see), north objects alice should see, and API clients."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from web.conftest import SOUTH_MARK, role_user, south  # noqa: F401

D = Decimal
NORTH_MARK = "Nnnorthvisible"


@pytest.fixture
def north(small_building, branches, out_dir):
    """small_building plus a finding and an issued invoice with its PDF and XML."""
    from meterbill.billing.models import Finding
    from meterbill.invoicing.models import Invoice, InvoiceLine, InvoiceSeries
    from meterbill.metering.models import Meter, Reading
    from meterbill.premises.models import Contract

    branch = branches["north"]
    period = small_building["period"]
    meter = Meter.objects.get(serial="W1")
    register = meter.registers.get()
    reading = Reading.objects.get(register=register, read_on=date(2026, 11, 30))
    finding = Finding.objects.create(
        period=period,
        subject=f"register:{register.pk}",
        register=register,
        reading=reading,
        rule="rollover",
        severity="review",
        message=f"{NORTH_MARK} rollover",
    )
    contract = Contract.objects.get(number="C1")
    series = InvoiceSeries.objects.create(branch=branch, prefix="N", year=2026)
    folder = out_dir / "N" / "2026-11"
    folder.mkdir(parents=True)
    (folder / "N2026-000001.pdf").write_bytes(b"%PDF-1.7 " + NORTH_MARK.encode())
    (folder / "N2026-000001.xml").write_bytes(f"<x>{NORTH_MARK}</x>".encode())
    invoice = Invoice.objects.create(
        branch=branch,
        state="issued",
        series=series,
        number=1,
        full_number="N2026-000001",
        idempotency_key="north:1",
        customer=contract.customer,
        contract=contract,
        apartment=contract.apartment,
        period=period,
        issue_date=date(2026, 12, 4),
        currency="RON",
        total_net=D("52.00"),
        total_vat=D("5.72"),
        total_gross=D("57.72"),
        pdf_file=str(folder / "N2026-000001.pdf"),
        xml_file=str(folder / "N2026-000001.xml"),
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        position=1,
        utility=small_building["utility"],
        description="Cold water",
        quantity=D(10),
        unit="m3",
        unit_code="MTQ",
        unit_price_net=D(5),
        net_amount=D(50),
        vat_category="S",
        vat_rate_percent=D(11),
        trace={"readings": [{"register": register.pk, "value": "110"}]},
    )
    return {
        "branch": branch,
        "residence": small_building["residence"],
        "apartment": small_building["apartments"][0],
        "customer": contract.customer,
        "contract": contract,
        "meter": meter,
        "register": register,
        "reading": reading,
        "period": period,
        "finding": finding,
        "invoice": invoice,
    }


@pytest.fixture
def api_for():
    """An API client authenticated with the user's token (created here)."""

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
