"""The fees and one-off items of a contract on its page: listed, added, refused
with the field named, ended, withdrawn; audited; an auditor reads, never changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.premises.models import Contract, ContractCharge
from meterbill.tariffs.models import VatRate

D = Decimal


@pytest.fixture
def contract(small_building, org):
    """Contract C1 of the small building (north) and the organisation's S rate of
    11% from 2026."""
    VatRate.objects.create(
        organisation=org, category="S", rate_percent=D(11), valid_from=date(2026, 1, 1)
    )
    return Contract.objects.get(number="C1")


def _form(**changes):
    data = {
        "description": "Meter rent",
        "code": "RENT",
        "recurrence": "monthly",
        "quantity": "1",
        "unit_code": "C62",
        "unit_price_net": "3.50",
        "vat_category": "S",
        "vat_rate_percent": "",
        "vat_exemption_reason": "",
        "vat_exemption_code": "",
        "valid_from": "2026-11-01",
        "valid_to": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_alice_adds_a_monthly_fee_and_sees_it_on_the_contract_page(
    alice, client_for, contract
):
    client = client_for(alice)

    response = client.post(f"/contracts/{contract.pk}/charges/new/", _form())

    assert response.status_code == 302
    charge = ContractCharge.objects.get(contract=contract)
    assert (charge.description, charge.unit_price_net) == ("Meter rent", D("3.50"))
    assert AuditEvent.objects.filter(
        action="contract.charge_added", object_id=str(charge.pk), user=alice
    ).exists()
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "Meter rent" in page
    assert f"/contract-charges/{charge.pk}/end/" in page


@pytest.mark.django_db
def test_it_names_the_field_of_an_exempt_fee_without_a_reason(
    alice, client_for, contract
):
    client = client_for(alice)

    response = client.post(
        f"/contracts/{contract.pk}/charges/new/",
        _form(vat_category="E", vat_rate_percent="0"),
    )

    assert response.status_code == 200
    assert "vat_exemption_reason" in response.context["form"].errors
    assert not ContractCharge.objects.exists()


@pytest.mark.django_db
def test_it_ends_a_monthly_fee_and_withdraws_a_one_off_item(
    alice, client_for, contract
):
    client = client_for(alice)
    fee = ContractCharge.objects.create(
        contract=contract,
        description="Meter rent",
        unit_price_net=D("3.50"),
        valid_from=date(2026, 1, 1),
    )
    item = ContractCharge.objects.create(
        contract=contract,
        description="Reminder fee",
        unit_price_net=D("5.00"),
        recurrence="once",
        valid_from=date(2026, 11, 20),
    )

    client.post(f"/contract-charges/{fee.pk}/end/", {"ends_on": "2026-11-30"})
    client.post(f"/contract-charges/{item.pk}/withdraw/")

    fee.refresh_from_db()
    assert fee.valid_to == date(2026, 11, 30)
    assert not ContractCharge.objects.filter(pk=item.pk).exists()
    assert set(
        AuditEvent.objects.filter(action__startswith="contract.charge_").values_list(
            "action", flat=True
        )
    ) == {"contract.charge_ended", "contract.charge_withdrawn"}


@pytest.mark.django_db
def test_an_auditor_reads_the_fees_but_cannot_add_one(role_user, client_for, contract):
    client = client_for(role_user("auditor"))
    ContractCharge.objects.create(
        contract=contract,
        description="Meter rent",
        unit_price_net=D("3.50"),
        valid_from=date(2026, 1, 1),
    )

    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    response = client.post(f"/contracts/{contract.pk}/charges/new/", _form())

    assert "Meter rent" in page
    assert "/end/" not in page
    assert response.status_code == 403
    assert ContractCharge.objects.count() == 1
