"""Residences and apartments edited in the browser: saved with an audit event,
refused with a message next to the field, deleted only while unused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.premises.models import Apartment, ApartmentUtility, Residence

D = Decimal


def _utilities_management(total=0, initial=0):
    return {
        "utilities-TOTAL_FORMS": str(total),
        "utilities-INITIAL_FORMS": str(initial),
        "utilities-MIN_NUM_FORMS": "0",
        "utilities-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.django_db
def test_it_creates_a_residence_and_records_it(alice, branches, client_for):
    client = client_for(alice)

    response = client.post(
        "/residences/new/",
        {
            "branch": branches["north"].pk,
            "code": "B7",
            "name": "Bloc 7",
            "city": "Cluj",
            "country": "ro",
        },
    )

    residence = Residence.objects.get(code="B7")
    assert response.status_code == 302
    assert response["Location"] == f"/residences/{residence.pk}/"
    assert (residence.branch, residence.country) == (branches["north"], "RO")
    event = AuditEvent.objects.get(action="residence.create")
    assert (event.user, event.branch, event.before) == (alice, branches["north"], None)
    assert event.after["code"] == "B7"


@pytest.mark.django_db
def test_it_refuses_a_code_used_in_the_branch(small_building, alice, client_for):
    client = client_for(alice)

    response = client.post(
        "/residences/new/",
        {"branch": alice.branch_id, "code": "R1", "name": "Twin", "country": "RO"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["This code is already used in the branch."]
    }
    assert Residence.objects.filter(code="R1").count() == 1


@pytest.mark.django_db
def test_it_refuses_to_create_a_residence_in_another_branch(
    alice, branches, client_for
):
    client = client_for(alice)

    response = client.post(
        "/residences/new/",
        {"branch": branches["south"].pk, "code": "X", "name": "X", "country": "RO"},
    )

    assert "branch" in response.context["form"].errors
    assert not Residence.objects.filter(code="X").exists()


@pytest.mark.django_db
def test_it_edits_a_residence_with_before_and_after(small_building, alice, client_for):
    residence = small_building["residence"]
    client = client_for(alice)

    client.post(
        f"/residences/{residence.pk}/edit/",
        {"code": "R1", "name": "Residence One", "city": "SECTOR1", "country": "RO"},
    )

    residence.refresh_from_db()
    assert residence.name == "Residence One"
    event = AuditEvent.objects.get(action="residence.update")
    assert (event.before["name"], event.after["name"]) == (
        "Residence 1",
        "Residence One",
    )


@pytest.mark.django_db
def test_it_refuses_to_delete_a_residence_with_apartments(
    small_building, alice, client_for
):
    residence = small_building["residence"]
    client = client_for(alice)

    response = client.post(f"/residences/{residence.pk}/delete/", follow=True)

    assert response.status_code == 200
    # R1 has 3 apartments and 1 main meter (PROTECT); nothing is deleted.
    text = response.content.decode()
    assert "cannot be deleted: it is still used by 1 meter, 3 apartments." in text
    assert Residence.objects.filter(pk=residence.pk).exists()
    assert not AuditEvent.objects.filter(action="residence.delete").exists()


@pytest.mark.django_db
def test_it_deletes_an_unused_residence(alice, branches, client_for):
    residence = Residence.objects.create(branch=branches["north"], code="E", name="E")
    client = client_for(alice)

    response = client.post(f"/residences/{residence.pk}/delete/")

    assert response["Location"] == "/residences/"
    assert not Residence.objects.filter(pk=residence.pk).exists()
    event = AuditEvent.objects.get(action="residence.delete")
    assert (event.object_id, event.before["code"]) == (str(residence.pk), "E")


@pytest.mark.django_db
def test_it_creates_an_apartment_with_per_utility_parameters(
    small_building, alice, client_for
):
    residence, cold = small_building["residence"], small_building["utility"]
    client = client_for(alice)

    response = client.post(
        f"/residences/{residence.pk}/apartments/new/",
        {
            "number": "4",
            "staircase": "A",
            "floor": "1",
            "area_m2": "61.50",
            "persons": "2",
            "quota": "0.025",
            "owner_name": "Ana",
            **_utilities_management(total=1),
            "utilities-0-utility": cold.pk,
            "utilities-0-metering": "unmetered",
            "utilities-0-in_common": "on",
            "utilities-0-persons": "3",
        },
    )

    apartment = Apartment.objects.get(residence=residence, number="4")
    assert response["Location"] == f"/apartments/{apartment.pk}/"
    assert apartment.area_m2 == D("61.50")
    parameter = ApartmentUtility.objects.get(apartment=apartment)
    assert (parameter.metering, parameter.in_common, parameter.persons) == (
        "unmetered",
        True,
        3,
    )
    event = AuditEvent.objects.get(action="apartment.create")
    assert event.after["utilities"][0]["metering"] == "unmetered"


@pytest.mark.django_db
def test_it_names_the_field_of_a_bad_apartment_value(small_building, alice, client_for):
    residence = small_building["residence"]
    client = client_for(alice)

    response = client.post(
        f"/residences/{residence.pk}/apartments/new/",
        {
            "number": "1",
            "floor": "0",
            "area_m2": "0",
            "persons": "-1",
            "quota": "2",
            **_utilities_management(),
        },
    )

    errors = response.context["form"].errors
    assert errors["number"] == ["This number is already used in the residence."]
    assert errors["area_m2"] == ["The area must be more than 0 m²."]
    assert errors["quota"] == ["A fraction of 1, e.g. 0.012345."]
    assert "persons" in errors
    # the error element's id is the one the input's aria-describedby names
    html = response.content.decode()
    assert 'aria-describedby="id_area_m2_error"' in html
    assert 'id="id_area_m2_error"' in html


@pytest.mark.django_db
def test_it_refuses_a_utility_of_another_organisation(
    small_building, alice, client_for
):
    from meterbill.orgs.models import Organisation
    from meterbill.premises.models import Utility

    other = Organisation.objects.create(name="Other", country="DE", currency="EUR")
    foreign = Utility.objects.create(
        organisation=other, code="gas", name="Gas", kind="gas", unit="kWh"
    )
    apartment = small_building["apartments"][0]
    client = client_for(alice)

    response = client.post(
        f"/apartments/{apartment.pk}/edit/",
        {
            "number": "1",
            "floor": "0",
            "area_m2": "50",
            "persons": "1",
            "quota": "0",
            **_utilities_management(total=1),
            "utilities-0-utility": foreign.pk,
            "utilities-0-metering": "metered",
        },
    )

    assert response.status_code == 200
    assert "utility" in response.context["utilities"].forms[0].errors
    assert not ApartmentUtility.objects.filter(utility=foreign).exists()
