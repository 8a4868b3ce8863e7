"""Reading entry: the state change the keyboard grid and the customer portal share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from meterbill.audit import trail
from meterbill.billing.models import Period
from meterbill.engine.entry import EntryError, check_index
from meterbill.invoicing.queries import invoice_using
from meterbill.metering.models import Reading, Register


@dataclass
class EntryResult:
    reading: Reading | None
    value: Decimal | None
    errors: list[EntryError] = field(default_factory=list)


def _index_readings(register_id: Any) -> QuerySet[Reading]:
    return Reading.objects.filter(
        register_id=register_id, kind=Reading.Kind.INDEX
    ).exclude(status=Reading.Status.REJECTED)


def with_indexes(registers: QuerySet[Register], period: Period) -> QuerySet[Register]:
    """Registers annotated, in one query, with the last index before the period
    (``previous_value``/``previous_on``) and the last one in it (``current_value``)."""
    before = _index_readings(OuterRef("pk")).filter(read_on__lt=period.starts_on)
    within = _index_readings(OuterRef("pk")).filter(
        read_on__range=(period.starts_on, period.ends_on)
    )
    return registers.annotate(
        previous_value=Subquery(before.order_by("-read_on").values("value")[:1]),
        previous_on=Subquery(before.order_by("-read_on").values("read_on")[:1]),
        current_value=Subquery(within.order_by("-read_on").values("value")[:1]),
        current_on=Subquery(within.order_by("-read_on").values("read_on")[:1]),
    )


def previous_index(register: Register, before: date) -> Decimal | None:
    row = (
        _index_readings(register.pk)
        .filter(read_on__lt=before)
        .order_by("-read_on")
        .values_list("value", flat=True)
        .first()
    )
    return row


def enter_reading(
    register: Register,
    period: Period,
    read_on: date,
    text: str,
    *,
    user: Any,
    source: str = Reading.Source.MANUAL,
) -> EntryResult:
    """Check and save one index of ``register`` read on ``read_on``.

    A second entry for the same day replaces the first (the trail keeps both). The
    caller has already checked that the user may see the register and the period.
    """
    previous = previous_index(register, read_on)
    value, errors = check_index(
        text, read_on, period.starts_on, period.ends_on, previous
    )
    if errors or value is None:
        return EntryResult(None, value, errors)
    if invoice_using(register, read_on) is not None:
        # The reading stands on an issued invoice: correct through a credit note.
        return EntryResult(None, value, [EntryError("value", "already_billed")])

    with transaction.atomic():
        existing = (
            Reading.objects.select_for_update()
            .filter(register=register, read_on=read_on, kind=Reading.Kind.INDEX)
            .first()
        )
        before = _snapshot(existing) if existing else None
        reading = existing or Reading(
            register=register, read_on=read_on, kind=Reading.Kind.INDEX
        )
        reading.value = value
        reading.source = source
        reading.status = Reading.Status.ACTUAL
        reading.entered_by = user
        reading.save()
        trail.record(
            "reading.enter",
            user=user,
            branch=period.branch,
            obj=reading,
            before=before,
            after=_snapshot(reading),
        )
    return EntryResult(reading, value)


def _snapshot(reading: Reading) -> dict[str, Any]:
    return {
        "register": reading.register_id,
        "read_on": reading.read_on,
        "value": reading.value,
        "source": reading.source,
        "status": reading.status,
    }
