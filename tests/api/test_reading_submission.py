"""POST /api/readings/ saves an index through the keyboard grid's service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.metering.models import Reading, Register


@pytest.fixture
def entry(north, alice, api_for):
    # The closing index of W2 is what alice's ERP is about to send (W1's apartment
    # already has an issued invoice in the period).
    register = Register.objects.get(meter__serial="W2")
    register.readings.filter(read_on=date(2026, 11, 30)).delete()
    return {**north, "client": api_for(alice), "register": register}


def _post(entry, value, read_on="2026-11-30", **overrides):
    body = {
        "register": entry["register"].pk,
        "period": entry["period"].pk,
        "read_on": read_on,
        "value": value,
        **overrides,
    }
    return entry["client"].post("/api/readings/", body, format="json")


@pytest.mark.django_db
def test_it_stores_a_reading_entered_by_alice(entry, alice):
    response = _post(entry, "212,5")

    assert response.status_code == 201
    reading = Reading.objects.get(
        register=entry["register"], read_on=date(2026, 11, 30)
    )
    assert reading.value == Decimal("212.5")
    assert reading.source == "manual"
    assert reading.entered_by == alice
    assert response.json()["id"] == reading.pk
    assert response.json()["value"] == "212.500000"
    assert AuditEvent.objects.get(action="reading.enter").user == alice


@pytest.mark.django_db
def test_it_rejects_an_index_below_the_previous_one(entry):
    response = _post(entry, "199")  # 31 Oct: 200

    assert response.status_code == 400
    assert response.json()["codes"] == {"value": "register_decrease"}
    assert "value" in response.json()
    assert not entry["register"].readings.filter(read_on=date(2026, 11, 30)).exists()


@pytest.mark.django_db
def test_it_rejects_text_that_is_not_a_number_and_a_date_outside_the_period(entry):
    response = _post(entry, "1O5", read_on="2026-12-01")

    assert response.status_code == 400
    assert response.json()["codes"] == {
        "value": "not_a_number",
        "read_on": "outside_period",
    }


@pytest.mark.django_db
def test_it_names_the_missing_fields(entry):
    response = entry["client"].post("/api/readings/", {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"register", "period", "read_on", "value"}


@pytest.mark.django_db
def test_it_refuses_a_period_that_is_not_open(entry):
    entry["period"].state = "invoiced"
    entry["period"].save()

    response = _post(entry, "212")

    assert response.status_code == 400
    assert list(response.json()) == ["period"]


@pytest.mark.django_db
def test_it_answers_404_for_a_south_register(entry, south):
    response = _post(entry, "600", register=south["register"].pk)

    assert response.status_code == 404
    assert south["register"].readings.count() == 2


@pytest.mark.django_db
def test_it_answers_404_for_a_south_period(entry, south):
    response = _post(entry, "212", period=south["period"].pk)

    assert response.status_code == 404
    assert not entry["register"].readings.filter(read_on=date(2026, 11, 30)).exists()
