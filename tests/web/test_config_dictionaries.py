"""Utilities, providers and VAT rates from the browser: field errors, audit events
with before and after, deletes refused while something uses the object."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from .conftest import make_user

UTILITY = {
    "code": "gas",
    "name": "Gas",
    "kind": "gas",
    "unit": "m3",
    "unit_code": "MTQ",
    "quantity_decimals": "3",
}


@pytest.fixture
def admin(branches):
    return make_user("ada", branches["north"], "administrator")


@pytest.mark.django_db
def test_it_creates_a_utility_and_records_it(admin, client_for):
    from meterbill.audit.models import AuditEvent
    from meterbill.premises.models import Utility

    client = client_for(admin)

    response = client.post("/config/utilities/new/", UTILITY)

    assert response.status_code == 302
    gas = Utility.objects.get(code="gas")
    assert (gas.unit_code, gas.quantity_decimals) == ("MTQ", 3)
    event = AuditEvent.objects.get(action="utility.add")
    assert event.before is None
    assert event.after["code"] == "gas"
    assert event.branch_id == admin.branch_id


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "Gas!", "1 to 32 of a-z"),
        ("unit_code", "m3", "UN/ECE Recommendation 20"),
        ("quantity_decimals", "7", "less than or equal to 6"),
        ("kind", "steam", "Select a valid choice"),
        ("name", "   ", "This field is required"),
    ],
)
def test_it_refuses_a_bad_utility_value_on_its_field(
    admin, client_for, field, value, message
):
    client = client_for(admin)

    response = client.post("/config/utilities/new/", {**UTILITY, field: value})

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    # the error element's id is the one the input's aria-describedby names
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert re.search(f'aria-describedby="[^"]*id_{field}_error"', html)


@pytest.mark.django_db
def test_it_refuses_a_second_utility_with_the_same_code(
    admin, client_for, small_building
):
    client = client_for(admin)

    response = client.post("/config/utilities/new/", {**UTILITY, "code": "cold"})

    assert response.status_code == 422
    assert response.context["form"].errors["code"] == ["cold exists already."]


@pytest.mark.django_db
def test_it_edits_a_utility_keeping_its_code_and_records_before_and_after(
    admin, client_for, small_building
):
    from meterbill.audit.models import AuditEvent

    cold = small_building["utility"]
    client = client_for(admin)

    response = client.post(
        f"/config/utilities/{cold.pk}/",
        {
            **UTILITY,
            "code": "hacked",
            "name": "Cold water (city)",
            "kind": "cold_water",
        },
    )

    assert response.status_code == 302
    cold.refresh_from_db()
    assert (cold.code, cold.name) == ("cold", "Cold water (city)")
    event = AuditEvent.objects.get(action="utility.edit")
    assert event.before["name"] == "Cold water"
    assert event.after["name"] == "Cold water (city)"


@pytest.mark.django_db
def test_it_refuses_to_delete_a_utility_in_use_with_a_message(
    admin, client_for, small_building
):
    from meterbill.premises.models import Utility

    cold = small_building["utility"]
    client = client_for(admin)

    response = client.post(f"/config/utilities/{cold.pk}/delete/", follow=True)

    assert response.status_code == 200
    assert Utility.objects.filter(pk=cold.pk).exists()
    text = response.content.decode()
    assert "is still used" in text
    assert "cannot be deleted" in text


@pytest.mark.django_db
def test_it_deletes_an_unused_utility_and_records_it(admin, client_for):
    from meterbill.audit.models import AuditEvent
    from meterbill.premises.models import Utility

    client = client_for(admin)
    gas = Utility.objects.create(
        organisation=admin.branch.organisation,
        code="gas",
        name="Gas",
        kind="gas",
        unit="m3",
    )

    response = client.post(f"/config/utilities/{gas.pk}/delete/")

    assert response.status_code == 302
    assert not Utility.objects.filter(pk=gas.pk).exists()
    assert AuditEvent.objects.get(action="utility.delete").before["code"] == "gas"


@pytest.mark.django_db
def test_it_checks_a_providers_vat_id(admin, client_for):
    from meterbill.premises.models import Provider

    client = client_for(admin)

    bad = client.post("/config/providers/new/", {"name": "Apa", "vat_id": "RO123"})
    good = client.post(
        "/config/providers/new/", {"name": "Apa Nova", "vat_id": "ro 18547290"}
    )

    assert bad.status_code == 422
    assert "Not a valid EU VAT id" in bad.context["form"].errors["vat_id"][0]
    assert good.status_code == 302
    assert Provider.objects.get(name="Apa Nova").vat_id == "RO18547290"


@pytest.mark.django_db
def test_it_refuses_to_delete_a_provider_with_a_provider_bill(
    admin, client_for, small_building
):
    from meterbill.billing.models import ProviderBill
    from meterbill.premises.models import Provider

    provider = Provider.objects.create(
        organisation=admin.branch.organisation, name="Apa Nova"
    )
    ProviderBill.objects.create(
        residence=small_building["residence"],
        period=small_building["period"],
        utility=small_building["utility"],
        provider=provider,
        quantity=Decimal(66),
        amount_net=Decimal(330),
        vat_rate_percent=Decimal(11),
        currency="RON",
    )
    client = client_for(admin)

    response = client.post(f"/config/providers/{provider.pk}/delete/", follow=True)

    assert Provider.objects.filter(pk=provider.pk).exists()
    assert "1 provider bills" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"category": "S", "rate_percent": "0", "valid_from": "2027-01-01"},
            "rate_percent",
        ),
        (
            {"category": "E", "rate_percent": "5", "valid_from": "2027-01-01"},
            "rate_percent",
        ),
        (
            {"category": "O", "rate_percent": "0", "valid_from": "2027-01-01"},
            "rate_percent",
        ),
        (
            {"category": "S", "rate_percent": "150", "valid_from": "2027-01-01"},
            "rate_percent",
        ),
        (
            {"category": "S", "rate_percent": "21", "valid_from": "1.1.2027"},
            "valid_from",
        ),
    ],
)
def test_it_refuses_a_vat_rate_against_the_en16931_rules(
    admin, client_for, data, field
):
    client = client_for(admin)

    response = client.post("/config/vat/new/", data)

    assert response.status_code == 422
    assert field in response.context["form"].errors


@pytest.mark.django_db
def test_it_keeps_a_vat_rate_an_issued_invoice_used(admin, client_for, south):
    from meterbill.tariffs.models import VatRate

    # The south invoice's period is November 2026: a rate from 1 January 2026 was
    # in force for it, a rate from 1 January 2027 was not.
    org = admin.branch.organisation
    used = VatRate.objects.create(
        organisation=org,
        category="S",
        rate_percent=Decimal(19),
        valid_from=date(2026, 1, 1),
    )
    client = client_for(admin)

    edit = client.post(
        f"/config/vat/{used.pk}/",
        {"category": "S", "rate_percent": "21", "valid_from": "2026-01-01"},
    )
    inside = client.post(
        "/config/vat/new/",
        {"category": "S", "rate_percent": "21", "valid_from": "2026-11-15"},
    )
    later = client.post(
        "/config/vat/new/",
        {"category": "S", "rate_percent": "21", "valid_from": "2027-01-01"},
    )
    delete = client.post(f"/config/vat/{used.pk}/delete/")

    assert edit.status_code == 422
    assert "S2026-000001" in edit.content.decode()
    assert inside.status_code == 422
    assert later.status_code == 302
    assert delete.status_code == 302
    used.refresh_from_db()
    assert used.rate_percent == Decimal(19)
    assert VatRate.objects.filter(organisation=org).count() == 2


@pytest.mark.django_db
def test_it_reads_a_romanian_users_decimal_comma(admin, client_for):
    from meterbill.orgs.models import User
    from meterbill.tariffs.models import VatRate

    User.objects.filter(pk=admin.pk).update(language="ro")
    admin.refresh_from_db()
    client = client_for(admin)

    response = client.post(
        "/config/vat/new/",
        {"category": "S", "rate_percent": "9,5", "valid_from": "2027-01-01"},
    )
    page = client.get("/config/vat/").content.decode()

    assert response.status_code == 302
    assert VatRate.objects.get().rate_percent == Decimal("9.5")
    assert "9,50" in page
    assert "Ieșire" in page  # the Romanian interface
