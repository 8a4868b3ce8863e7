"""The persons history of an apartment (``ApartmentPersons``): recording a new count
keeps ``Apartment.persons`` (the current figure) and the history in step, and lands
in the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from meterbill.audit import trail

from .models import Apartment, ApartmentPersons


class PersonsError(ValueError):
    """The new count cannot be recorded at that date."""


def latest_change(apartment: Apartment) -> date | None:
    return (
        ApartmentPersons.objects.filter(apartment=apartment)
        .order_by("-valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )


def record_persons(
    apartment: Apartment,
    persons: int,
    valid_from: date,
    *,
    previous: int | None,
    user: Any,
) -> None:
    """The apartment has ``persons`` from ``valid_from`` on; ``previous`` is the
    count it had before (None for a new apartment).

    The first change of an apartment without history also records ``previous`` the
    day before, so the days before the change keep the count they were billed with
    (an apartment's first row stands for every day before it). A change dated
    before the newest one already recorded is refused: the history is appended to,
    or its newest day corrected, never rewritten in the middle."""
    newest = latest_change(apartment)
    if newest is not None and valid_from < newest:
        raise PersonsError(
            f"the persons of apartment {apartment} already change on {newest}; "
            "a new count must start on or after that day"
        )
    with transaction.atomic():
        before = list(_rows(apartment))
        if newest is None and previous is not None and previous != persons:
            ApartmentPersons.objects.create(
                apartment=apartment,
                valid_from=valid_from - timedelta(days=1),
                persons=previous,
            )
        ApartmentPersons.objects.update_or_create(
            apartment=apartment, valid_from=valid_from, defaults={"persons": persons}
        )
        if apartment.persons != persons:
            apartment.persons = persons
            apartment.save(update_fields=["persons"])
        trail.record(
            "apartment.persons",
            user=user,
            branch=apartment.residence.branch,
            obj=apartment,
            before={"persons_history": before},
            after={"persons_history": list(_rows(apartment))},
        )


def _rows(apartment: Apartment) -> list[dict[str, object]]:
    return [
        {"valid_from": day.isoformat(), "persons": n}
        for day, n in ApartmentPersons.objects.filter(apartment=apartment)
        .order_by("valid_from")
        .values_list("valid_from", "persons")
    ]
