"""Opening calculation periods."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from meterbill.audit import trail
from meterbill.orgs.models import Branch, Organisation

from .models import Period

# A heating season or a year, with room for a leap day and a late reading.
MAX_DAYS = 400
EARLIEST = date(1970, 1, 1)
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


class PeriodRefused(Exception):
    """The period cannot be opened; the message says why in one line."""


def overlapping(branch: Branch, starts_on: date, ends_on: date) -> QuerySet[Period]:
    """Periods of the branch, its ancestors or its descendants that share a day with
    ``starts_on``..``ends_on``: their bill runs would bill the same premises."""
    ancestors = branch.lineage()
    related = Q(branch__path__startswith=branch.path) | Q(branch_id__in=ancestors)
    return (
        Period.objects.filter(related, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .select_related("branch")
        .order_by("starts_on")
    )


def open_period(
    branch: Branch, name: str, starts_on: date, ends_on: date, user: Any = None
) -> Period:
    """Open a calculation period of ``branch`` from ``starts_on`` to ``ends_on``
    (both inclusive). Its name is unique in the branch."""
    if ends_on < starts_on:
        raise PeriodRefused(f"period {name!r} ends ({ends_on}) before it starts")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise PeriodRefused(
            f"period {name!r} lasts {(ends_on - starts_on).days + 1} days; "
            f"a calculation period is at most {MAX_DAYS} days"
        )
    if not SAFE_NAME.fullmatch(name):
        raise PeriodRefused(
            f"period name {name!r}: 1 to 32 letters, digits, '.', '_' or '-' "
            f"(it names the folder of the period's documents)"
        )
    if starts_on < EARLIEST:
        raise PeriodRefused(f"period {name!r} starts before {EARLIEST}")
    try:
        with transaction.atomic():
            # Lock the organisation: periods of a branch and of its ancestors or
            # descendants opened at the same moment are checked one after the other.
            Organisation.objects.select_for_update().get(pk=branch.organisation_id)
            if Period.objects.filter(branch=branch, name=name).exists():
                raise PeriodRefused(
                    f"branch {branch.code} already has a period {name!r}"
                )
            clash = overlapping(branch, starts_on, ends_on).first()
            if clash is not None:
                raise PeriodRefused(
                    f"period {name!r} ({starts_on} – {ends_on}) overlaps period "
                    f"{clash.name!r} of branch {clash.branch.code} "
                    f"({clash.starts_on} – {clash.ends_on}): the same consumption "
                    f"would be billed twice"
                )
            period = Period.objects.create(
                branch=branch, name=name, starts_on=starts_on, ends_on=ends_on
            )
            trail.record(
                "period.open",
                user=user,
                branch=branch,
                obj=period,
                after={
                    "name": name,
                    "starts_on": starts_on.isoformat(),
                    "ends_on": ends_on.isoformat(),
                },
            )
    except IntegrityError as exc:
        raise PeriodRefused(
            f"branch {branch.code} already has a period {name!r}"
        ) from exc
    return period
