"""Main screens as a Romanian user: their labels, the model choices they show and
the texts that come from the engine are Romanian, with no English left in them."""

from __future__ import annotations

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice
from meterbill.orgs.models import User
from meterbill.premises.models import Customer

from .conftest import make_user


@pytest.fixture
def romanian(south, client_for):
    """An administrator of the south branch who reads Romanian."""
    user = make_user("ana", south["branch"], "administrator", "billing_operator")
    User.objects.filter(pk=user.pk).update(language="ro")
    user.refresh_from_db()
    return client_for(user)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _check(html: str, romanian: list[str], english: list[str]) -> None:
    assert '<html lang="ro">' in html
    assert [text for text in romanian if text not in html] == []
    assert [text for text in english if text in html] == []


@pytest.mark.django_db
def test_it_shows_the_dashboard_in_romanian(romanian):
    html = _page(romanian, "/dashboard/")

    _check(
        html,
        # navigation, the period's state (billing.Period.State), the next step
        ["Configurare", "Procese", "Deschisă", "Constatări blocante"],
        ["Configuration", "Jobs", ">Open<", "blocking finding"],
    )


@pytest.mark.django_db
def test_it_shows_an_invoice_and_its_actions_in_romanian(romanian, south):
    html = _page(romanian, f"/invoices/{south['invoice'].pk}/")

    _check(
        html,
        # Invoice.Kind, Invoice.State, the action buttons
        ["Factură S2026-000001", "Emisă", "Factură de stornare", "Înregistrează plata"],
        ["Credit note", "Record the payment", "Mark as sent", ">Issued<"],
    )


@pytest.mark.django_db
def test_it_shows_a_meter_in_romanian(romanian, south):
    html = _page(romanian, f"/meters/{south['meter'].pk}/")

    _check(
        html,
        # Meter.Kind, Reading.Source and Reading.Status
        ["Contor de apartament", "Introdusă manual", "Reală", "Ultimele citiri"],
        ["Apartment meter", "Keyed in", "Actual", "Last readings"],
    )


@pytest.mark.django_db
def test_it_shows_the_validation_severities_in_romanian(romanian, south):
    html = _page(romanian, f"/config/severities/{south['branch'].pk}/")

    _check(
        html,
        # a rule's description (engine text), a reading source, the severities
        [
            "Indexul nou este mai mic decât indexul vechi",
            "Terminal mobil",
            "implicit (blocare)",
        ],
        ["The closing index is below", ">device<", ">block<", "as the rule"],
    )


@pytest.mark.django_db
def test_it_words_a_romanian_customers_invoice_lines_and_portal_in_romanian(
    small_building, branches, client_for, out_dir
):
    # Customer K2 reads Romanian: its invoice lines are worded at issue in its
    # language, and its portal page is Romanian.
    Customer.objects.filter(code="K2").update(language="ro")
    user = make_user("carol", branches["north"], "customer")
    User.objects.filter(pk=user.pk).update(language="ro")
    Customer.objects.filter(code="K2").update(portal_user=user)
    bill_period(small_building["period"])
    invoice = Invoice.objects.get(customer__code="K2")

    operator = make_user("dan", branches["north"], "billing_operator")
    User.objects.filter(pk=operator.pk).update(language="ro")
    operator.refresh_from_db()

    lines = [line.description for line in invoice.lines.order_by("position")]
    portal = _page(client_for(user), "/portal/")
    invoice_page = _page(client_for(operator), f"/invoices/{invoice.pk}/")

    assert any("contor propriu" in text for text in lines), lines
    assert not any("own meter" in text for text in lines), lines
    _check(portal, ["Sold de plată", "Emisă"], ["Balance due", ">Issued<"])
    # the fixed charge's unit word (engine.pricing) is shown in Romanian
    _check(invoice_page, ["<td>lună</td>", "taxă fixă"], ["<td>month</td>"])
