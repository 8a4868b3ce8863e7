"""Roles decide the actions exactly as in the web (web.access.ROLE_PERMISSIONS)."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_it_lets_an_auditor_read_readings_but_not_submit_one(north, role_user, api_for):
    client = api_for(role_user("auditor"))
    body = {
        "register": north["register"].pk,
        "period": north["period"].pk,
        "read_on": "2026-11-30",
        "value": "111",
    }

    listed = client.get("/api/readings/")
    posted = client.post("/api/readings/", body, format="json")

    assert listed.status_code == 200
    assert posted.status_code == 403
    north["reading"].refresh_from_db()
    assert str(north["reading"].value) == "110.000000"


@pytest.mark.django_db
def test_it_keeps_invoices_and_customers_from_a_meter_reader(north, role_user, api_for):
    client = api_for(role_user("meter_reader"))

    assert client.get("/api/meters/").status_code == 200
    assert client.get("/api/invoices/").status_code == 403
    assert client.get("/api/customers/").status_code == 403
    assert client.get("/api/findings/").status_code == 403


@pytest.mark.django_db
def test_it_gives_a_customer_login_nothing(north, role_user, api_for):
    client = api_for(role_user("customer"))

    assert client.get("/api/residences/").status_code == 403
    assert client.get(f"/api/invoices/{north['invoice'].pk}/").status_code == 403


@pytest.mark.django_db
def test_it_refuses_methods_the_api_does_not_offer(alice, north, api_for):
    client = api_for(alice)

    response = client.delete(f"/api/residences/{north['residence'].pk}/")

    assert response.status_code in (403, 405)
    assert client.get(f"/api/residences/{north['residence'].pk}/").status_code == 200
