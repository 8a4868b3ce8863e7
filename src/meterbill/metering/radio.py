"""Checks on a meter's radio id before it is saved, for every path that saves one
(the meter form, the exchange form, imports of meters)."""

from __future__ import annotations

from collections.abc import Collection

from meterbill.formats.wmbus.ids import radio_id_problem

from .models import Meter


def clean_radio_id(text: str) -> str:
    """The radio id as stored (upper case, 8 hex digits) or "" for none;
    ValueError naming what is wrong."""
    radio_id = text.strip()
    if not radio_id:
        return ""
    problem = radio_id_problem(radio_id)
    if problem:
        raise ValueError(problem)
    return radio_id.upper()


def radio_id_holder(
    branch_id: int, radio_id: str, exclude: Collection[int | None] = ()
) -> Meter | None:
    """An installed (not removed) meter of the branch that already carries
    ``radio_id``, other than the meters of ``exclude``; None when there is none.

    Telegrams are matched to a meter by radio id and day, so two meters installed
    at the same time cannot share one."""
    if not radio_id:
        return None
    return (
        Meter.objects.filter(
            branch_id=branch_id, radio_id__iexact=radio_id, removed_on__isnull=True
        )
        .exclude(pk__in=[pk for pk in exclude if pk is not None])
        .order_by("serial")
        .first()
    )
