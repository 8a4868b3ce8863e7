"""Each endpoint: alice (north) sees north's objects and a 404 for south's."""

from __future__ import annotations

import pytest

from .conftest import SOUTH_MARK

# endpoint → the key of its object in the north and south fixtures.
ENDPOINTS = {
    "residences": "residence",
    "apartments": "apartment",
    "meters": "meter",
    "readings": "reading",
    "periods": "period",
    "findings": "finding",
    "customers": "customer",
    "contracts": "contract",
    "invoices": "invoice",
}


def _south(south, key):
    # The web tests' south world has no "contract" key: its invoice's contract.
    return south["invoice"].contract if key == "contract" else south[key]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lists_north_objects_and_no_south_object_to_alice(
    endpoint, alice, north, south, api_for
):
    key = ENDPOINTS[endpoint]

    response = api_for(alice).get(f"/api/{endpoint}/", {"page_size": 500})

    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert north[key].pk in ids
    assert _south(south, key).pk not in ids
    assert SOUTH_MARK.encode() not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_shows_alice_a_north_object(endpoint, alice, north, api_for):
    obj = north[ENDPOINTS[endpoint]]

    response = api_for(alice).get(f"/api/{endpoint}/{obj.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == obj.pk


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_answers_404_for_a_south_object(endpoint, alice, north, south, api_for):
    obj = _south(south, ENDPOINTS[endpoint])

    response = api_for(alice).get(f"/api/{endpoint}/{obj.pk}/")

    assert response.status_code == 404
    assert SOUTH_MARK.encode() not in response.content


@pytest.mark.django_db
def test_it_shows_bob_south_and_not_north(bob, north, south, api_for):
    response = api_for(bob).get("/api/residences/")

    assert [row["code"] for row in response.json()["results"]] == ["S1"]
