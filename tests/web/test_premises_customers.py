"""Customers and contracts edited in the browser: VAT ids checked by python-stdnum,
choices limited to the user's branches, services priced by a tariff of their
utility, and deletes refused while something uses the object."""

from __future__ import annotations

from datetime import date

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.premises.models import Contract, ContractService, Customer

from .conftest import make_user


def _customer(**values):
    data = {
        "code": "K9",
        "kind": "company",
        "name": "Ana SRL",
        "language": "ro",
        "country": "RO",
    }
    data.update(values)
    return data


def _services(*rows, initial=0):
    data = {
        "services-TOTAL_FORMS": str(len(rows)),
        "services-INITIAL_FORMS": str(initial),
        "services-MIN_NUM_FORMS": "0",
        "services-MAX_NUM_FORMS": "1000",
    }
    for n, (utility, tariff) in enumerate(rows):
        data[f"services-{n}-utility"] = utility
        data[f"services-{n}-tariff"] = tariff
    return data


@pytest.mark.django_db
def test_it_stores_a_valid_vat_id_compact(alice, client_for):
    client = client_for(alice)

    response = client.post(
        "/customers/new/", _customer(branch=alice.branch_id, vat_id="RO 1854 7290")
    )

    customer = Customer.objects.get(code="K9")
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert (customer.vat_id, customer.language, customer.branch) == (
        "RO18547290",
        "ro",
        alice.branch,
    )
    assert AuditEvent.objects.get(action="customer.create").after["name"] == "Ana SRL"


@pytest.mark.django_db
def test_it_refuses_a_vat_id_with_a_wrong_check_digit(alice, client_for):
    client = client_for(alice)

    # RO18547290 is valid (check digit 0); the last digit changed to 1 is not.
    response = client.post(
        "/customers/new/", _customer(branch=alice.branch_id, vat_id="RO18547291")
    )

    assert response.context["form"].errors == {
        "vat_id": ["Not a valid VAT id: the check digit is wrong."]
    }
    assert not Customer.objects.filter(code="K9").exists()


@pytest.mark.django_db
def test_it_keeps_a_vat_id_of_a_country_without_a_scheme(alice, client_for):
    client = client_for(alice)

    client.post(
        "/customers/new/",
        _customer(branch=alice.branch_id, vat_id="12-3456789", country="US"),
    )

    assert Customer.objects.get(code="K9").vat_id == "12-3456789"


@pytest.mark.django_db
def test_it_links_only_a_portal_login_of_the_users_branches(
    alice, branches, client_for
):
    carol = make_user("carol", branches["north"], "customer")
    dave = make_user("dave", branches["south"], "customer")
    client = client_for(alice)

    refused = client.post(
        "/customers/new/", _customer(branch=alice.branch_id, portal_user=dave.pk)
    )
    client.post(
        "/customers/new/", _customer(branch=alice.branch_id, portal_user=carol.pk)
    )

    assert "portal_user" in refused.context["form"].errors
    assert Customer.objects.get(code="K9").portal_user == carol


@pytest.mark.django_db
def test_it_refuses_to_delete_a_customer_with_a_contract(
    small_building, alice, client_for
):
    customer = Customer.objects.get(code="K1")
    client = client_for(alice)

    response = client.post(f"/customers/{customer.pk}/delete/", follow=True)

    assert "cannot be deleted: it is still used by 1 contract." in (
        response.content.decode()
    )
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.django_db
def test_it_creates_a_contract_with_its_services(small_building, alice, client_for):
    cold, tariff = small_building["utility"], small_building["tariff"]
    apartment = small_building["apartments"][0]
    customer = Customer.objects.get(code="K1")
    # C1 (apartment 1, open-ended) ends on 31 Dec: C9 may start on 1 Jan
    Contract.objects.filter(number="C1").update(valid_to=date(2026, 12, 31))
    client = client_for(alice)

    response = client.post(
        "/contracts/new/",
        {
            "number": "C9",
            "customer": customer.pk,
            "apartment": apartment.pk,
            "valid_from": "2027-01-01",
            **_services((cold.pk, tariff.pk)),
        },
    )

    contract = Contract.objects.get(number="C9")
    assert response["Location"] == f"/contracts/{contract.pk}/"
    assert (contract.branch, contract.valid_to) == (alice.branch, None)
    assert list(contract.services.values_list("utility", "tariff")) == [
        (cold.pk, tariff.pk)
    ]
    event = AuditEvent.objects.get(action="contract.create")
    assert event.after["services"] == [
        {"contract": contract.pk, "utility": cold.pk, "tariff": tariff.pk}
    ]


@pytest.mark.django_db
def test_it_refuses_a_customer_of_another_branch(
    small_building, south, alice, client_for
):
    apartment = small_building["apartments"][0]
    client = client_for(alice)

    response = client.post(
        "/contracts/new/",
        {
            "number": "C9",
            "customer": south["customer"].pk,
            "apartment": apartment.pk,
            "valid_from": "2027-01-01",
            **_services(),
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["customer"][0]
    assert not Contract.objects.filter(number="C9").exists()


@pytest.mark.django_db
def test_it_refuses_an_apartment_of_another_branch(
    small_building, south, alice, client_for
):
    client = client_for(alice)

    response = client.post(
        "/contracts/new/",
        {
            "number": "C9",
            "customer": Customer.objects.get(code="K1").pk,
            "apartment": south["apartment"].pk,
            "valid_from": "2027-01-01",
            **_services(),
        },
    )

    assert "Select a valid choice" in response.context["form"].errors["apartment"][0]
    assert not Contract.objects.filter(number="C9").exists()


@pytest.mark.django_db
def test_it_checks_dates_premises_and_the_tariffs_utility(
    small_building, alice, client_for
):
    from builders import make_tariff

    cold = small_building["utility"]
    _heat, heat_tariff = make_tariff(
        cold.organisation,
        "heat",
        "HEAT",
        kind="heat",
        unit="GJ",
        unit_code="GV",
        unit_price="300",
        vat="11",
    )
    customer = Customer.objects.get(code="K1")
    client = client_for(alice)

    response = client.post(
        "/contracts/new/",
        {
            "number": "C1",
            "customer": customer.pk,
            "valid_from": "2027-01-01",
            "valid_to": "2026-12-31",
            **_services((cold.pk, heat_tariff.pk)),
        },
    )

    errors = response.context["form"].errors
    assert errors == {
        "apartment": ["Choose either an apartment or a service point."],
        "valid_to": ["Ends before it starts."],
    }
    assert response.context["services"].forms[0].errors == {
        "tariff": ["Tariff HEAT prices Heat, not Cold water."]
    }


@pytest.mark.django_db
def test_it_refuses_a_used_number_and_an_end_before_the_start(
    small_building, alice, client_for
):
    customer = Customer.objects.get(code="K1")
    client = client_for(alice)

    response = client.post(
        "/contracts/new/",
        {
            "number": "C1",
            "customer": customer.pk,
            "apartment": small_building["apartments"][0].pk,
            "valid_from": "2027-01-01",
            "valid_to": "2026-12-31",
            **_services(),
        },
    )

    assert response.context["form"].errors == {
        "number": ["This number is already used in the branch."],
        "valid_to": ["Ends before it starts."],
    }


@pytest.mark.django_db
def test_it_ends_a_contract_and_records_before_and_after(
    small_building, alice, client_for
):
    contract = Contract.objects.get(number="C2")
    service = contract.services.get()
    client = client_for(alice)

    client.post(
        f"/contracts/{contract.pk}/",
        {
            "number": "C2",
            "customer": contract.customer_id,
            "apartment": contract.apartment_id,
            "valid_from": "2020-01-01",
            "valid_to": "2026-12-31",
            **_services((service.utility_id, service.tariff_id), initial=1),
            "services-0-id": service.pk,
            "services-0-contract": contract.pk,
        },
    )

    contract.refresh_from_db()
    assert contract.valid_to == date(2026, 12, 31)
    event = AuditEvent.objects.get(action="contract.update")
    assert (event.before["valid_to"], event.after["valid_to"]) == (None, "2026-12-31")
    assert ContractService.objects.filter(contract=contract).count() == 1


@pytest.mark.django_db
def test_it_refuses_to_delete_an_invoiced_contract(south, bob, client_for):
    client = client_for(bob)
    contract = south["invoice"].contract

    response = client.post(f"/contracts/{contract.pk}/delete/", follow=True)

    assert response.status_code == 200
    assert "cannot be deleted: it is still used by 1 invoice" in (
        response.content.decode()
    )
    assert Contract.objects.filter(pk=contract.pk).exists()
