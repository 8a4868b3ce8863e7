"""List filters narrow the scoped list; a malformed filter is a 400 naming it."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_it_lists_the_readings_of_one_register_in_a_date_range(alice, north, api_for):
    register = north["register"].pk

    response = api_for(alice).get(
        "/api/readings/",
        {"register": register, "date_from": "2026-10-01", "date_to": "2026-11-30"},
    )

    rows = response.json()["results"]
    assert [(r["read_on"], r["value"]) for r in rows] == [
        ("2026-10-31", "100.000000"),
        ("2026-11-30", "110.000000"),
    ]


@pytest.mark.django_db
def test_it_names_a_malformed_filter(alice, north, api_for):
    response = api_for(alice).get("/api/readings/", {"date_from": "30.11.2026"})

    assert response.status_code == 400
    assert list(response.json()) == ["date_from"]


@pytest.mark.django_db
def test_it_lists_a_meter_with_its_registers(alice, north, api_for):
    response = api_for(alice).get("/api/meters/", {"serial": "w1"})

    [meter] = response.json()["results"]
    assert meter["registers"] == [
        {
            "id": north["register"].pk,
            "code": "",
            "unit": "m3",
            "digits": 8,
            "role": "consumption",
        }
    ]
    assert "aes_key" not in meter


@pytest.mark.django_db
def test_it_pages_a_long_list(alice, north, api_for):
    response = api_for(alice).get("/api/readings/", {"page_size": 2, "page": 2})

    data = response.json()
    assert data["count"] == 11  # 3 apartments × 3 readings + 2 of the main meter
    assert len(data["results"]) == 2
    assert data["previous"] is not None
