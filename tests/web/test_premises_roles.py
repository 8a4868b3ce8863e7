"""What each role may do on the premises screens (ROLE_PERMISSIONS): editors in
their subtree, readers of premises and meters, auditors read-only, customers
nothing."""

from __future__ import annotations

import pytest

from meterbill.premises.models import Residence

SCREENS = {
    "meters": "/meters/",
    "meter": "/meters/{meter}/",
    "customers": "/customers/",
    "customer": "/customers/{customer}/",
    "contracts": "/contracts/",
    "contract": "/contracts/{contract}/",
    "residence_create": "/residences/new/",
    "residence_edit": "/residences/{residence}/edit/",
    "apartment_create": "/residences/{residence}/apartments/new/",
    "apartment_edit": "/apartments/{apartment}/edit/",
    "meter_create": "/apartments/{apartment}/meters/new/",
    "meter_edit": "/meters/{meter}/edit/",
    "meter_exchange": "/meters/{meter}/exchange/",
    "customer_create": "/customers/new/",
    "contract_create": "/contracts/new/",
}
EDIT = set(SCREENS)
READ_ALL = {"meters", "meter", "customers", "customer", "contracts", "contract"}

ALLOWED = {
    "administrator": EDIT,
    "branch_manager": EDIT,
    "billing_operator": EDIT,
    "meter_reader": {"meters", "meter"},
    "auditor": READ_ALL,
    "customer": set(),
}


def _ids(small_building):
    from meterbill.metering.models import Meter
    from meterbill.premises.models import Contract

    contract = Contract.objects.get(number="C1")
    return {
        "residence": small_building["residence"].pk,
        "apartment": small_building["apartments"][0].pk,
        "meter": Meter.objects.get(serial="W1").pk,
        "customer": contract.customer_id,
        "contract": contract.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_it_opens_only_the_premises_screens_of_the_role(
    role, role_user, client_for, small_building
):
    client = client_for(role_user(role))
    ids = _ids(small_building)

    statuses = {
        name: client.get(url.format(**ids)).status_code for name, url in SCREENS.items()
    }

    assert {name for name, code in statuses.items() if code == 200} == ALLOWED[role]
    assert {code for name, code in statuses.items() if name not in ALLOWED[role]} == (
        {403} if ALLOWED[role] != EDIT else set()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["meter_reader", "auditor", "customer"])
def test_it_forbids_a_change_to_a_role_without_premises_edit(
    role, role_user, client_for, small_building
):
    client = client_for(role_user(role))
    residence = small_building["residence"]
    ids = _ids(small_building)

    responses = [
        client.post(f"/residences/{residence.pk}/edit/", {"code": "X", "name": "X"}),
        client.post(f"/residences/{residence.pk}/delete/"),
        client.post("/customers/new/", {"code": "X"}),
        client.post(f"/customers/{ids['customer']}/", {"code": "X", "name": "X"}),
        client.post(f"/contracts/{ids['contract']}/", {"number": "X"}),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    residence.refresh_from_db()
    assert residence.code == "R1"


@pytest.mark.django_db
def test_it_shows_an_auditor_the_contract_read_only(
    role_user, client_for, small_building
):
    client = client_for(role_user("auditor"))
    contract = _ids(small_building)["contract"]

    html = client.get(f"/contracts/{contract}/").content.decode()

    assert 'id="save"' not in html
    assert 'name="number" value="C1"' in html and "disabled" in html


@pytest.mark.django_db
def test_it_shows_the_new_modules_in_the_navigation(role_user, client_for):
    reader = client_for(role_user("meter_reader")).get("/dashboard/")
    operator = client_for(role_user("billing_operator")).get("/dashboard/")

    assert 'href="/meters/"' in reader.content.decode()
    assert 'href="/customers/"' not in reader.content.decode()
    assert 'href="/contracts/"' in operator.content.decode()


@pytest.mark.django_db
def test_it_lets_a_root_administrator_edit_in_a_sub_branch(
    branches, role_user, client_for
):
    client = client_for(role_user("administrator", "hq"))

    client.post(
        "/residences/new/",
        {"branch": branches["south"].pk, "code": "S9", "name": "South 9"},
    )

    assert Residence.objects.get(code="S9").branch == branches["south"]


@pytest.mark.django_db
def test_it_shows_a_meter_reader_no_edit_links(role_user, client_for, small_building):
    client = client_for(role_user("meter_reader"))
    ids = _ids(small_building)

    meter = client.get(f"/meters/{ids['meter']}/").content.decode()
    apartment = client.get(f"/apartments/{ids['apartment']}/").content.decode()

    assert f"/meters/{ids['meter']}/edit/" not in meter
    assert "/exchange/" not in meter
    assert f"/apartments/{ids['apartment']}/edit/" not in apartment


@pytest.mark.django_db
def test_it_refuses_a_premises_post_without_a_csrf_token(
    alice, small_building, client_for
):
    client = client_for(alice, enforce_csrf_checks=True)
    residence = small_building["residence"]

    responses = [
        client.post("/residences/new/", {"branch": alice.branch_id, "code": "X"}),
        client.post(f"/residences/{residence.pk}/delete/"),
        client.post("/customers/new/", {"code": "X", "name": "X"}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert Residence.objects.filter(pk=residence.pk).exists()
