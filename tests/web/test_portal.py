"""The customer portal: own invoices, balance, consumption and a reading; nothing
of anyone else."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading
from meterbill.premises.models import Customer

from .conftest import make_user


@pytest.fixture
def portal(small_building, branches, client_for, out_dir):
    bill_period(small_building["period"])
    user = make_user("carol", branches["north"], "customer")
    Customer.objects.filter(code="K2").update(portal_user=user)
    return {
        "user": user,
        "client": client_for(user),
        "period": small_building["period"],
    }


@pytest.mark.django_db
def test_it_shows_the_customer_its_invoices_and_balance(portal):
    page = portal["client"].get("/portal/")

    assert page.status_code == 200
    assert b"Customer 2" in page.content
    own = Invoice.objects.get(customer__code="K2")
    assert own.full_number.encode() in page.content
    other = Invoice.objects.get(customer__code="K1")
    assert other.full_number.encode() not in page.content
    assert f"{own.total_gross} RON".encode() in page.content


@pytest.mark.django_db
def test_it_draws_the_consumption_per_period(portal):
    page = portal["client"].get("/portal/")

    # 20 m3 measured + 2 m3 common share (persons 2 of 6 × 6 m3).
    assert b"2026-11: 22 m3" in page.content
    assert page.content.count(b'class="bar"') == 1  # the fixed charge is no bar


@pytest.mark.django_db
def test_it_downloads_its_own_pdf_but_not_another_customers(portal):
    own = Invoice.objects.get(customer__code="K2")
    other = Invoice.objects.get(customer__code="K1")

    mine = portal["client"].get(f"/portal/invoices/{own.pk}/pdf/")
    theirs = portal["client"].get(f"/portal/invoices/{other.pk}/pdf/")

    assert mine.status_code == 200
    assert b"".join(mine.streaming_content).startswith(b"%PDF")
    assert theirs.status_code == 404


@pytest.mark.django_db
def test_it_keeps_the_customer_out_of_the_operators_screens(portal):
    own = Invoice.objects.get(customer__code="K2")

    assert portal["client"].get(f"/invoices/{own.pk}/pdf/").status_code == 403
    assert portal["client"].get("/dashboard/").status_code == 403


@pytest.mark.django_db
def test_it_saves_a_reading_from_the_portal(portal, small_building):
    from meterbill.billing.models import Period

    # November is billed; the customer reads for December's open period
    Period.objects.create(
        branch=portal["period"].branch,
        name="2026-12",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )
    register = Reading.objects.get(
        register__meter__serial="W2", read_on=date(2026, 11, 30)
    ).register

    response = portal["client"].post(
        "/portal/reading/",
        {"register": register.pk, "read_on": "2026-12-03", "value": "221.5"},
    )

    assert response.status_code == 302
    reading = Reading.objects.get(register=register, read_on=date(2026, 12, 3))
    assert (reading.value, reading.source) == (Decimal("221.5"), "portal")


def test_it_refuses_a_reading_of_a_billed_period(portal, small_building):
    from meterbill.billing.models import Period

    Period.objects.filter(pk=portal["period"].pk).update(state="open")
    register = Reading.objects.get(
        register__meter__serial="W2", read_on=date(2026, 11, 30)
    ).register

    portal["client"].post(
        "/portal/reading/",
        {"register": register.pk, "read_on": "2026-11-29", "value": "219.5"},
    )

    assert not Reading.objects.filter(register=register, read_on=date(2026, 11, 29))


@pytest.mark.django_db
def test_it_refuses_a_reading_for_a_meter_that_is_not_the_customers(portal):
    from meterbill.metering.models import Register

    Register.objects.get(meter__serial="W1")
    foreign = Register.objects.get(meter__serial="W1")

    portal["client"].post(
        "/portal/reading/",
        {"register": foreign.pk, "read_on": "2026-11-29", "value": "500"},
    )

    assert not Reading.objects.filter(
        register=foreign, read_on=date(2026, 11, 29)
    ).exists()


@pytest.mark.django_db
def test_it_gives_a_customer_without_a_linked_account_404(branches, client_for):
    user = make_user("dave", branches["north"], "customer")

    assert client_for(user).get("/portal/").status_code == 404


@pytest.mark.django_db
def test_a_cancelled_and_rebilled_invoice_is_owed_once(portal):
    # given the customer's invoice (gross G) cancelled by a credit note (−G) and
    # rebilled (+G'): the balance is G − G + G' = G', and the chart counts the
    # consumption once
    from meterbill.invoicing.corrections import rebill
    from meterbill.invoicing.queries import balance_of
    from meterbill.portal.views import consumption_chart

    original = Invoice.objects.get(customer__code="K2", kind="invoice")
    mine = Invoice.objects.filter(customer__code="K2")
    chart_before = consumption_chart(mine)

    credit, new = rebill(original, None, "persons corrected", date(2026, 12, 4))

    assert balance_of(mine.all()) == new.total_gross
    assert credit.total_gross == original.total_gross > Decimal(0)
    assert consumption_chart(mine.all()) == chart_before
    page = portal["client"].get("/portal/").content.decode()
    assert "−" in page  # the credit note is shown negative
