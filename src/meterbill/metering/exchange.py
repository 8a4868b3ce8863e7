"""Meter exchange: the old meter leaves with its final index, the new one arrives
with its initial index, on the same day, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from meterbill.audit import trail
from meterbill.invoicing.queries import invoice_using
from meterbill.premises.actions import snapshot
from meterbill.premises.identifiers import InvalidSerial, check_serial

from .models import Meter, Reading, Register


class ExchangeRefused(ValueError):
    """The exchange cannot be recorded; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewMeter:
    serial: str
    radio_id: str = ""
    aes_key: str = ""


# An exchange may be keyed in a day ahead (a branch east of the server's clock), not
# more: there is no undo, and a far-off removal date would block the real exchange.
AHEAD = timedelta(days=1)

# What a final index must not go below: a measured index. A billed estimate may be
# above the meter's real index; the difference settles in the next bill (see
# docs/validation.md, "Settling an estimate").
MEASURED = (Reading.Status.ACTUAL, Reading.Status.CORRECTED)


def _indexes(register: Register) -> Any:
    return Reading.objects.filter(register=register, kind=Reading.Kind.INDEX).exclude(
        status=Reading.Status.REJECTED
    )


def _check_day(meter: Meter, on: date, today: date) -> None:
    if meter.removed_on is not None:
        raise ExchangeRefused(
            "on",
            _("meter %(m)s was removed on %(d)s")
            % {"m": meter.serial, "d": meter.removed_on},
        )
    if on > today + AHEAD:
        raise ExchangeRefused(
            "on", _("%(d)s is in the future (today is %(t)s)") % {"d": on, "t": today}
        )
    if meter.installed_on is not None and on < meter.installed_on:
        raise ExchangeRefused(
            "on",
            _("before the installation of %(m)s on %(d)s")
            % {"m": meter.serial, "d": meter.installed_on},
        )
    later = Reading.objects.filter(register__meter=meter, read_on__gt=on)
    if later.exists():
        raise ExchangeRefused(
            "on",
            _("meter %(m)s has readings after %(d)s") % {"m": meter.serial, "d": on},
        )


def _check_final(register: Register, on: date, final: Decimal) -> None:
    """The final index against the register's own: the reading of that very day
    (kept, never replaced: the final index must equal it) and the last measured
    index before it (the final index may not be lower)."""
    field = f"final_{register.pk}"
    same_day = _indexes(register).filter(read_on=on).first()
    if same_day is not None and same_day.value != final:
        raise ExchangeRefused(
            field,
            _(
                "%(d)s already has the index %(v)s: enter that index as the final "
                "one, or correct that reading first"
            )
            % {"d": on, "v": same_day.value},
        )
    last = (
        _indexes(register)
        .filter(read_on__lt=on, status__in=MEASURED)
        .order_by("-read_on")
        .first()
    )
    if last is not None and final < last.value:
        raise ExchangeRefused(
            field,
            _("below the last index %(v)s of %(d)s")
            % {"v": last.value, "d": last.read_on},
        )


@sensitive_variables("new")
def check_exchange(
    meter: Meter,
    on: date,
    final_indexes: dict[int, Decimal],
    new: NewMeter,
    today: date | None = None,
) -> None:
    """Raise :class:`ExchangeRefused` when the exchange would contradict what is
    recorded: a removed meter, a day after ``today`` (+ one day) or before the
    installation, a serial in use, a final index other than the reading of that day
    or below the last measured index, or a day an issued invoice already billed."""
    _check_day(meter, on, today or timezone.localdate())
    try:
        serial = check_serial(new.serial)
    except InvalidSerial as error:
        raise ExchangeRefused("serial", str(error)) from error
    if Meter.objects.filter(branch_id=meter.branch_id, serial__iexact=serial).exists():
        raise ExchangeRefused(
            "serial", _("serial %(s)s is already in use") % {"s": new.serial}
        )
    for register in meter.registers.all():
        _check_final(register, on, final_indexes[register.pk])
        if invoice_using(register, on) is not None:
            raise ExchangeRefused(
                "on",
                _("%(d)s is already billed: cancel or correct the invoice first")
                % {"d": on},
            )


def _store_index(
    register: Register, on: date, value: Decimal, user: Any
) -> dict[str, Any]:
    """Save the index of ``register`` on ``on`` and describe it for the trail. A
    reading of that day is kept (``check_exchange`` made sure it has the same
    value), except a rejected one, which the exchange's index takes the place of."""
    fields = {
        "value": value,
        "source": Reading.Source.MANUAL,
        "status": Reading.Status.ACTUAL,
        "entered_by": user,
        "note": "meter exchange",
    }
    row = {"register": register.pk, "read_on": on, "value": value}
    same_day = Reading.objects.filter(
        register=register, read_on=on, kind=Reading.Kind.INDEX
    ).first()
    if same_day is None:
        Reading.objects.create(
            register=register, read_on=on, kind=Reading.Kind.INDEX, **fields
        )
    elif same_day.status == Reading.Status.REJECTED:
        row["replaced_rejected"] = same_day.value
        for name, field_value in fields.items():
            setattr(same_day, name, field_value)
        same_day.save(update_fields=list(fields))
    else:
        row["kept"] = same_day.pk
    return row


# ``new`` holds the new meter's AES key: kept out of error reports.
@sensitive_variables("new")
def exchange_meter(
    meter: Meter,
    *,
    on: date,
    final_indexes: dict[int, Decimal],
    initial_indexes: dict[int, Decimal],
    new: NewMeter,
    user: Any,
    today: date | None = None,
) -> Meter:
    """Remove ``meter`` on ``on`` with a final index per register, install a meter of
    the same kind, place and factors with an initial index per register, and move the
    meters counted under the old one (branching counters) under the new one.

    ``final_indexes`` and ``initial_indexes`` are keyed by the old meter's register
    ids; the new meter gets the same registers (code, unit, digits, role).
    ``today`` (default: the local date) bounds the exchange day.
    """
    with transaction.atomic():
        # Locked first: a second exchange of the same meter waits, then is refused.
        old = Meter.objects.select_for_update().get(pk=meter.pk)
        check_exchange(old, on, final_indexes, new, today)
        before = snapshot(old)
        registers = list(old.registers.order_by("pk"))
        finals = [_store_index(r, on, final_indexes[r.pk], user) for r in registers]
        old.removed_on = on
        old.save(update_fields=["removed_on"])

        replacement = Meter.objects.create(
            branch_id=old.branch_id,
            kind=old.kind,
            utility_id=old.utility_id,
            serial=check_serial(new.serial),
            radio_id=new.radio_id,
            aes_key=new.aes_key,
            multiplier=old.multiplier,
            installed_on=on,
            residence_id=old.residence_id,
            apartment_id=old.apartment_id,
            service_point_id=old.service_point_id,
            parent_id=old.parent_id,
            kq=old.kq,
            kc=old.kc,
        )
        initials = []
        for register in registers:
            twin = Register.objects.create(
                meter=replacement,
                code=register.code,
                unit=register.unit,
                digits=register.digits,
                role=register.role,
            )
            initials.append(_store_index(twin, on, initial_indexes[register.pk], user))
        moved = list(old.children.values_list("pk", flat=True))
        old.children.update(parent=replacement)

        trail.record(
            "meter.exchange",
            user=user,
            branch=old.branch,
            obj=old,
            before=before,
            after={
                "removed": snapshot(old),
                "installed": snapshot(replacement),
                "final_readings": finals,
                "initial_readings": initials,
                "children_moved": moved,
            },
        )
    return replacement
