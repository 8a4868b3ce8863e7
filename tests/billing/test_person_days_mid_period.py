"""Apartment 2 of the small building goes from 2 to 4 persons on 12 November: the
common water of the period is split by person-days, and the apartment screen keeps
the persons history that the bill run reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.billing.billrun import bill_period
from meterbill.billing.distribution import set_distribution_rule
from meterbill.invoicing.models import InvoiceLine
from meterbill.premises.models import ApartmentPersons

D = Decimal
ISSUE = date(2026, 12, 4)
NOV_12 = date(2026, 11, 12)
COMMON = "Cold water – common consumption"


def _four_from_the_12th(apartment):
    ApartmentPersons.objects.create(
        apartment=apartment, valid_from=date(2026, 1, 1), persons=2
    )
    ApartmentPersons.objects.create(apartment=apartment, valid_from=NOV_12, persons=4)
    apartment.persons = 4
    apartment.save()


def _common_quantities():
    return dict(
        InvoiceLine.objects.filter(description__startswith=COMMON)
        .order_by("invoice__apartment__number")
        .values_list("invoice__apartment__number", "quantity")
    )


# Person-days of November (30 days):
#   apartment 1: 1 person × 30 days                 =  30
#   apartment 2: 2 × 11 days (1–11) + 4 × 19 (12–30) =  98
#   apartment 3: 3 × 30                             =  90        total 218
# Common 6 m3 = 6000 litres: 6000 × 30/218 = 825.69, × 98/218 = 2697.25,
# × 90/218 = 2477.06; floors 5999, the litre left to the largest remainder (.69,
# apartment 1): 0.826, 2.697 and 2.477 m3 (by the 4 persons of today it would
# have been 6 × 4/8 = 3 m3 for apartment 2).
EXPECTED = {"1": D("0.826"), "2": D("2.697"), "3": D("2.477")}


@pytest.mark.django_db
def test_it_splits_common_water_by_person_days_with_a_person_days_rule(
    small_building,
):
    # given a stored rule: common consumption by person-days
    _four_from_the_12th(small_building["apartments"][1])
    residence = small_building["residence"]
    set_distribution_rule(
        branch=residence.branch,
        residence=residence,
        utility=small_building["utility"],
        valid_from=date(2026, 1, 1),
        splits="quantity",
        rule={"type": "consumption", "common_key": "person_days"},
    )

    bill_period(small_building["period"], issue_date=ISSUE)

    # then the split above
    assert _common_quantities() == EXPECTED
    line = InvoiceLine.objects.get(
        description__startswith=COMMON, invoice__apartment__number="2"
    )
    assert line.trace["share"]["value"] == "98"
    assert line.trace["share"]["key_total"] == "218"


@pytest.mark.django_db
def test_it_counts_the_persons_key_by_person_days_too(small_building):
    # given no stored rule: the default splits the common water by persons, which
    # counts apartment 2 as 98 / 30 persons over the period
    _four_from_the_12th(small_building["apartments"][1])

    bill_period(small_building["period"], issue_date=ISSUE)

    # then the same split as by person-days
    assert _common_quantities() == EXPECTED


@pytest.mark.django_db
def test_it_uses_the_count_of_a_past_period_not_todays(small_building):
    # given apartment 1 goes to 5 persons only from 1 December
    apartment = small_building["apartments"][0]
    ApartmentPersons.objects.create(
        apartment=apartment, valid_from=date(2026, 1, 1), persons=1
    )
    ApartmentPersons.objects.create(
        apartment=apartment, valid_from=date(2026, 12, 1), persons=5
    )
    apartment.persons = 5
    apartment.save()

    bill_period(small_building["period"], issue_date=ISSUE)

    # then November still counts 1 / 2 / 3 persons: common 6 m3 → 1, 2 and 3 m3
    assert _common_quantities() == {"1": D("1"), "2": D("2"), "3": D("3")}


def _apartment_post(apartment, persons, persons_from=""):
    return {
        "number": apartment.number,
        "staircase": "",
        "floor": "0",
        "area_m2": str(apartment.area_m2),
        "persons": str(persons),
        "quota": "0",
        "owner_name": "",
        "persons_from": persons_from,
        "utilities-TOTAL_FORMS": "0",
        "utilities-INITIAL_FORMS": "0",
        "utilities-MIN_NUM_FORMS": "0",
        "utilities-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.django_db
def test_the_apartment_screen_records_a_new_count_in_the_history(
    small_building, alice, client
):
    # given apartment 2 (2 persons, no history yet)
    apartment = small_building["apartments"][1]
    client.force_login(alice)

    # when alice saves 4 persons from 12 November
    response = client.post(
        f"/apartments/{apartment.pk}/edit/",
        _apartment_post(apartment, 4, "2026-11-12"),
    )

    # then the 2 persons stay for the days before (a row the day before) and the
    # 4 count from the 12th; the apartment's figure is 4; the trail has it
    assert response.status_code == 302
    rows = list(
        ApartmentPersons.objects.filter(apartment=apartment)
        .order_by("valid_from")
        .values_list("valid_from", "persons")
    )
    assert rows == [(date(2026, 11, 11), 2), (NOV_12, 4)]
    apartment.refresh_from_db()
    assert apartment.persons == 4
    event = AuditEvent.objects.get(action="apartment.persons")
    assert event.user == alice
    assert event.before == {"persons_history": []}
    assert event.after["persons_history"][-1] == {
        "valid_from": "2026-11-12",
        "persons": 4,
    }

    # and the bill run of November counts the person-days
    bill_period(small_building["period"], issue_date=ISSUE)
    assert _common_quantities() == EXPECTED


@pytest.mark.django_db
def test_the_apartment_screen_refuses_a_count_before_the_last_change(
    small_building, alice, client
):
    # given apartment 2 already changes to 4 persons on 12 November
    apartment = small_building["apartments"][1]
    _four_from_the_12th(apartment)
    client.force_login(alice)

    # when alice saves 3 persons from 1 November
    response = client.post(
        f"/apartments/{apartment.pk}/edit/",
        _apartment_post(apartment, 3, "2026-11-01"),
    )

    # then the form says why, next to the date, and nothing changes
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "persons_from": [
            "The persons already change on 2026-11-12: pick that day or later."
        ]
    }
    assert ApartmentPersons.objects.filter(apartment=apartment).count() == 2
