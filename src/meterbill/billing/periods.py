"""Opening calculation periods."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from meterbill.audit import trail
from meterbill.orgs.models import Branch

from .models import Period


class PeriodRefused(Exception):
    """The period cannot be opened; the message says why in one line."""


def open_period(
    branch: Branch, name: str, starts_on: date, ends_on: date, user: Any = None
) -> Period:
    """Open a calculation period of ``branch`` from ``starts_on`` to ``ends_on``
    (both inclusive). Its name is unique in the branch."""
    if ends_on < starts_on:
        raise PeriodRefused(f"period {name!r} ends ({ends_on}) before it starts")
    if not name or len(name) > 32:
        raise PeriodRefused("a period name has 1 to 32 characters")
    try:
        with transaction.atomic():
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
