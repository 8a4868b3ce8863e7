"""The keyboard grid: one HTMX POST per index, the row comes back with its error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.metering.models import Reading, Register


@pytest.fixture
def grid(small_building, alice, client_for):
    register = Register.objects.get(meter__serial="W1")
    period = small_building["period"]
    # The closing reading is what alice is about to key in.
    Reading.objects.filter(register=register, read_on=date(2026, 11, 30)).delete()
    url = f"/readings/save/{register.pk}/{period.pk}/"
    return {"client": client_for(alice), "register": register, "url": url}


def _post(grid, value, read_on="2026-11-30"):
    return grid["client"].post(
        grid["url"], {"value": value, "read_on": read_on}, HTTP_HX_REQUEST="true"
    )


@pytest.mark.django_db
def test_it_shows_the_previous_index_in_the_grid(grid, small_building):
    residence, period = small_building["residence"], small_building["period"]

    response = grid["client"].get(f"/readings/{residence.pk}/{period.pk}/")

    assert response.status_code == 200
    assert b">100 <small>" in response.content  # W1, 31 Oct
    assert response.content.count(b'class="index"') == 4  # 3 apartments + main


@pytest.mark.django_db
def test_it_saves_an_index_keyed_in_by_alice(grid, alice):
    response = _post(grid, "112,5")

    assert response.status_code == 200
    assert b"saved" in response.content
    reading = Reading.objects.get(register=grid["register"], read_on=date(2026, 11, 30))
    assert reading.value == Decimal("112.5")
    assert reading.source == "manual"
    assert reading.entered_by == alice
    event = AuditEvent.objects.get(action="reading.enter")
    assert event.after["value"] == "112.5"


@pytest.mark.django_db
def test_it_rejects_text_that_is_not_a_number(grid):
    response = _post(grid, "1O5")

    assert response.status_code == 422
    assert b"not a number" in response.content
    assert b'value="1O5"' in response.content
    assert not Reading.objects.filter(
        read_on=date(2026, 11, 30), register=grid["register"]
    ).exists()


@pytest.mark.django_db
def test_it_rejects_an_index_below_the_previous_one(grid):
    response = _post(grid, "99")

    assert response.status_code == 422
    assert b"register decrease" in response.content


@pytest.mark.django_db
def test_it_rejects_a_date_outside_the_period(grid):
    response = _post(grid, "120", read_on="2026-12-01")

    assert response.status_code == 422
    assert b"date outside the period" in response.content
    assert b'data-field="read_on"' in response.content


@pytest.mark.django_db
def test_it_replaces_the_index_of_the_same_day_and_keeps_both_in_the_trail(grid):
    _post(grid, "111")

    _post(grid, "113")

    reading = Reading.objects.get(register=grid["register"], read_on=date(2026, 11, 30))
    assert reading.value == Decimal(113)
    second = AuditEvent.objects.filter(action="reading.enter").order_by("id").last()
    assert second.before["value"] == "111.000000"
    assert second.after["value"] == "113"
