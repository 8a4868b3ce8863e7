"""Meters edited in the browser: kinds by place, the parent of a branching counter,
the write-only AES key, delete while unread, and the meter exchange."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.metering.models import Meter, Reading, Register

D = Decimal
KEY = "000102030405060708090A0B0C0D0E0F"


def _meter(**values):
    data = {
        "kind": "apartment",
        "serial": "W9",
        "multiplier": "1",
        "kq": "1",
        "kc": "1",
        "installed_on": "2026-12-01",
    }
    data.update(values)
    return data


@pytest.mark.django_db
def test_it_creates_an_apartment_meter_with_one_register(
    small_building, alice, client_for
):
    apartment, cold = small_building["apartments"][0], small_building["utility"]
    client = client_for(alice)

    response = client.post(
        f"/apartments/{apartment.pk}/meters/new/",
        _meter(utility=cold.pk, radio_id="12345678", aes_key_new=KEY.lower()),
    )

    meter = Meter.objects.get(serial="W9")
    assert response["Location"] == f"/meters/{meter.pk}/"
    assert (meter.branch, meter.apartment, meter.kind) == (
        alice.branch,
        apartment,
        "apartment",
    )
    assert meter.aes_key == KEY
    assert list(meter.registers.values_list("code", "unit")) == [("", "m3")]
    event = AuditEvent.objects.get(action="meter.create")
    assert event.after["aes_key"] == "set"  # never the key itself


@pytest.mark.django_db
def test_it_never_shows_the_aes_key_back(small_building, alice, client_for):
    meter = Meter.objects.get(serial="W1")
    Meter.objects.filter(pk=meter.pk).update(aes_key=KEY)
    client = client_for(alice)

    pages = [
        client.get(url).content.decode()
        for url in (f"/meters/{meter.pk}/", f"/meters/{meter.pk}/edit/", "/meters/")
    ]

    for html in pages:
        assert KEY not in html and KEY.lower() not in html
    assert "Replace the AES key" in pages[1]


@pytest.mark.django_db
def test_it_keeps_the_key_when_the_field_is_left_empty(
    small_building, alice, client_for
):
    cold = small_building["utility"]
    meter = Meter.objects.get(serial="W1")
    Meter.objects.filter(pk=meter.pk).update(aes_key=KEY)
    client = client_for(alice)

    client.post(
        f"/meters/{meter.pk}/edit/",
        _meter(serial="W1", utility=cold.pk, radio_id="87654321"),
    )

    meter.refresh_from_db()
    assert (meter.radio_id, meter.aes_key) == ("87654321", KEY)
    event = AuditEvent.objects.get(action="meter.update")
    assert (event.before["aes_key"], event.after["aes_key"]) == ("set", "set")


@pytest.mark.django_db
def test_it_refuses_a_key_that_is_not_32_hex_digits(small_building, alice, client_for):
    apartment, cold = small_building["apartments"][0], small_building["utility"]
    client = client_for(alice)

    response = client.post(
        f"/apartments/{apartment.pk}/meters/new/",
        _meter(utility=cold.pk, aes_key_new="XYZ"),
    )

    assert response.context["form"].errors == {
        "aes_key_new": ["32 hexadecimal digits (AES-128)."]
    }
    assert 'value="XYZ"' not in response.content.decode()


@pytest.mark.django_db
def test_it_asks_a_branching_counter_for_its_main_meter(
    small_building, alice, client_for
):
    residence, cold = small_building["residence"], small_building["utility"]
    main = Meter.objects.get(serial="MAIN")
    client = client_for(alice)

    refused = client.post(
        f"/residences/{residence.pk}/meters/new/",
        _meter(kind="branch_counter", serial="BC1", utility=cold.pk),
    )
    accepted = client.post(
        f"/residences/{residence.pk}/meters/new/",
        _meter(kind="branch_counter", serial="BC1", utility=cold.pk, parent=main.pk),
    )

    assert refused.context["form"].errors == {
        "parent": ["A branching counter needs its main meter."]
    }
    assert accepted.status_code == 302
    assert Meter.objects.get(serial="BC1").parent == main


@pytest.mark.django_db
def test_it_refuses_a_parent_meter_of_another_branch(
    small_building, south, alice, client_for
):
    residence, cold = small_building["residence"], small_building["utility"]
    client = client_for(alice)

    response = client.post(
        f"/residences/{residence.pk}/meters/new/",
        _meter(
            kind="branch_counter",
            serial="BC2",
            utility=cold.pk,
            parent=south["meter"].pk,
        ),
    )

    assert "Select a valid choice" in response.context["form"].errors["parent"][0]
    assert not Meter.objects.filter(serial="BC2").exists()


@pytest.mark.django_db
def test_it_records_heat_cost_allocator_factors(small_building, alice, client_for):
    from meterbill.premises.models import Utility

    heat = Utility.objects.create(
        organisation=small_building["utility"].organisation,
        code="heat",
        name="Heat",
        kind="heat",
        unit="units",
    )
    apartment = small_building["apartments"][1]
    client = client_for(alice)

    bad = client.post(
        f"/apartments/{apartment.pk}/meters/new/",
        _meter(kind="hca", serial="H1", utility=heat.pk, kq="0", kc="0.85"),
    )
    client.post(
        f"/apartments/{apartment.pk}/meters/new/",
        _meter(kind="hca", serial="H1", utility=heat.pk, kq="1.234", kc="0.85"),
    )

    assert bad.context["form"].errors == {"kq": ["Must be more than 0."]}
    hca = Meter.objects.get(serial="H1")
    assert (hca.kind, hca.kq, hca.kc) == ("hca", D("1.234"), D("0.85"))


@pytest.mark.django_db
def test_it_refuses_to_delete_a_meter_with_readings(small_building, alice, client_for):
    meter = Meter.objects.get(serial="W1")
    client = client_for(alice)

    response = client.post(f"/meters/{meter.pk}/delete/", follow=True)

    # W1 has 3 readings (30 Sep, 31 Oct, 30 Nov 2026 in the fixture).
    assert "W1 cannot be deleted: it has 3 reading(s)" in response.content.decode()
    assert Meter.objects.filter(pk=meter.pk).exists()


@pytest.mark.django_db
def test_it_exchanges_a_meter_storing_both_readings(small_building, alice, client_for):
    old = Meter.objects.get(serial="W2")
    register = old.registers.get()
    client = client_for(alice)

    response = client.post(
        f"/meters/{old.pk}/exchange/",
        {
            "on": "2026-12-03",
            "serial": "W2-NEW",
            "radio_id": "",
            "aes_key": "",
            f"final_{register.pk}": "227.5",
            f"initial_{register.pk}": "0.125",
        },
    )

    new = Meter.objects.get(serial="W2-NEW")
    assert response["Location"] == f"/meters/{new.pk}/"
    old.refresh_from_db()
    assert old.removed_on == date(2026, 12, 3)
    assert (new.installed_on, new.apartment, new.kind, new.utility) == (
        date(2026, 12, 3),
        old.apartment,
        "apartment",
        old.utility,
    )
    final = Reading.objects.get(register=register, read_on=date(2026, 12, 3))
    initial = Reading.objects.get(register__meter=new, read_on=date(2026, 12, 3))
    assert (final.value, initial.value) == (D("227.5"), D("0.125"))
    assert initial.entered_by == alice
    event = AuditEvent.objects.get(action="meter.exchange")
    assert event.after["installed"]["serial"] == "W2-NEW"
    assert event.before["removed_on"] is None


@pytest.mark.django_db
def test_it_moves_the_branching_counters_to_the_new_main_meter(
    small_building, alice, client_for
):
    main = Meter.objects.get(serial="MAIN")
    counter = Meter.objects.create(
        branch=main.branch,
        kind="branch_counter",
        utility=main.utility,
        serial="BC",
        residence=main.residence,
        parent=main,
    )
    register = main.registers.get()
    client = client_for(alice)

    client.post(
        f"/meters/{main.pk}/exchange/",
        {
            "on": "2026-12-02",
            "serial": "MAIN2",
            f"final_{register.pk}": "1070",
            f"initial_{register.pk}": "0",
        },
    )

    counter.refresh_from_db()
    assert counter.parent == Meter.objects.get(serial="MAIN2")


@pytest.mark.django_db
def test_it_refuses_a_final_index_below_the_last_one(small_building, alice, client_for):
    old = Meter.objects.get(serial="W2")
    register = old.registers.get()
    client = client_for(alice)

    response = client.post(
        f"/meters/{old.pk}/exchange/",
        {
            "on": "2026-12-03",
            "serial": "W2-NEW",
            f"final_{register.pk}": "219",
            f"initial_{register.pk}": "0",
        },
    )

    # The last index of W2 is 220 on 30 Nov 2026.
    assert response.context["form"].errors == {
        f"final_{register.pk}": ["below the last index 220.000000 of 2026-11-30"]
    }
    old.refresh_from_db()
    assert old.removed_on is None
    assert not Meter.objects.filter(serial="W2-NEW").exists()
    assert Register.objects.filter(meter__apartment=old.apartment).count() == 1


@pytest.mark.django_db
def test_it_refuses_an_exchange_before_the_last_reading(
    small_building, alice, client_for
):
    old = Meter.objects.get(serial="W2")
    register = old.registers.get()
    client = client_for(alice)

    # W2 was read on 30 Nov 2026: it cannot have left on 15 Nov.
    response = client.post(
        f"/meters/{old.pk}/exchange/",
        {
            "on": "2026-11-15",
            "serial": "W2-NEW",
            f"final_{register.pk}": "215",
            f"initial_{register.pk}": "0",
        },
    )

    assert response.context["form"].errors == {
        "on": ["meter W2 has readings after 2026-11-15"]
    }
    assert not Meter.objects.filter(serial="W2-NEW").exists()


@pytest.mark.django_db
def test_it_keeps_the_utility_of_a_meter_with_readings(
    small_building, alice, client_for
):
    from meterbill.premises.models import Utility

    heat = Utility.objects.create(
        organisation=small_building["utility"].organisation,
        code="heat",
        name="Heat",
        kind="heat",
        unit="units",
    )
    meter = Meter.objects.get(serial="W1")
    client = client_for(alice)

    response = client.post(
        f"/meters/{meter.pk}/edit/", _meter(serial="W1", utility=heat.pk)
    )

    assert response.context["form"].errors == {
        "utility": ["The meter has readings of its utility: exchange it instead."]
    }
