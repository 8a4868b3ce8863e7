"""The formula preview: one tariff version rated for one apartment over a chosen
period, with the lines and their trace, exactly as the components engine rates them
in a bill run, with the version's lookup tables (a lookup shows in the trace with the
value it found). Read-only: nothing is written.

The version is taken as in force over the whole chosen period (the point is to see
this version's lines); the organisation's VAT schedule applies as in a bill run, so
a VAT change inside the period splits it.

The consumption, unless typed, is the one the bill run takes: when the dates are
those of a period of the apartment's branch, the bill run's engine works out the
residence for that period (readings, estimates, the share of the common
consumption, settlements of earlier estimates; nothing saved) and the preview takes
the apartment's quantities of the version's utility, each source shown. Otherwise
it is measured from the index readings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meterbill.billing import inputs
from meterbill.billing.models import Period
from meterbill.engine.billing import PeriodIn, bill_residence
from meterbill.engine.components import Rating, RatingError, Usage, rate_period
from meterbill.engine.formula import FormulaError, Trace
from meterbill.metering.models import Meter, Reading
from meterbill.premises.models import Apartment, ApartmentUtility, Utility
from meterbill.tariffs.compile import (
    TariffConfigError,
    compile_version,
    vat_for,
    vat_schedule,
)
from meterbill.tariffs.models import TariffVersion

from .engine_texts import trace_label, trace_text

# How far back the opening index of a period is looked for.
INDEX_LOOKBACK_DAYS = 400


@dataclass(frozen=True)
class ApartmentData:
    """The apartment's variables for the version's utility."""

    area: Decimal
    persons: Decimal
    meters: Decimal


@dataclass(frozen=True)
class BilledQuantity:
    """What a bill run of ``period`` takes as the apartment's consumption of a
    utility: the total and each item (source, text, quantity)."""

    period: Period
    total: Decimal
    items: Sequence[tuple[str, str, Decimal]]


@dataclass(frozen=True)
class Preview:
    rating: Rating | None
    error: str
    quantity: Decimal
    variables: dict[str, Decimal]
    currency: str
    # where the consumption comes from: the bill run's (None: typed, or measured
    # from the index readings)
    billed: BilledQuantity | None = None


def last_period(apartment: Apartment, today: date) -> Period | None:
    """The apartment's branch's latest period that has ended (else the latest)."""
    periods = Period.objects.filter(branch_id=apartment.residence.branch_id)
    ended = periods.filter(ends_on__lt=today).order_by("-ends_on").first()
    return ended or periods.order_by("-ends_on").first()


def _meters(apartment: Apartment, utility_id: int, starts_on: date, ends_on: date):
    return Meter.objects.filter(apartment=apartment, utility_id=utility_id).filter(
        Q(installed_on__isnull=True) | Q(installed_on__lte=ends_on),
        Q(removed_on__isnull=True) | Q(removed_on__gte=starts_on),
    )


def apartment_data(
    apartment: Apartment, utility_id: int, starts_on: date, ends_on: date
) -> ApartmentData:
    """Area, persons (the per-utility number when set) and the count of the
    apartment's meters of the utility in use during the period."""
    own = ApartmentUtility.objects.filter(
        apartment=apartment, utility_id=utility_id
    ).first()
    persons = apartment.persons
    if own is not None and own.persons is not None:
        persons = own.persons
    meters = _meters(apartment, utility_id, starts_on, ends_on).count()
    return ApartmentData(apartment.area_m2, Decimal(persons), Decimal(meters))


def metered_consumption(
    apartment: Apartment, utility_id: int, starts_on: date, ends_on: date
) -> Decimal:
    """Σ over the apartment's registers of the utility: (last index through the
    period's end − last index before its start) × the meter's multiplier. A
    register without both indexes adds nothing. One query for all registers."""
    readings = (
        Reading.objects.filter(
            register__meter__in=_meters(apartment, utility_id, starts_on, ends_on),
            kind=Reading.Kind.INDEX,
            read_on__gte=starts_on - timedelta(days=INDEX_LOOKBACK_DAYS),
            read_on__lte=ends_on,
        )
        .exclude(status=Reading.Status.REJECTED)
        .order_by("register_id", "read_on", "pk")
        .values_list("register_id", "read_on", "value", "register__meter__multiplier")
    )
    opening: dict[int, Decimal] = {}
    closing: dict[int, tuple[Decimal, Decimal]] = {}
    for register_id, read_on, value, multiplier in readings:
        if read_on < starts_on:
            opening[register_id] = value
        else:
            closing[register_id] = (value, multiplier)
    total = Decimal(0)
    for register_id, (value, multiplier) in closing.items():
        if register_id in opening:
            total += (value - opening[register_id]) * multiplier
    return total


def bill_run_quantity(
    apartment: Apartment, utility: Utility, starts_on: date, ends_on: date
) -> BilledQuantity | None:
    """The apartment's consumption of ``utility`` as a bill run of the period of
    these dates (of the apartment's branch) takes it; None when there is no such
    period or the bill run gives the apartment no quantity of the utility. The
    residence is worked out by the bill run's engine and nothing is saved."""
    branch = apartment.residence.branch
    period = Period.objects.filter(
        branch=branch, starts_on=starts_on, ends_on=ends_on
    ).first()
    if period is None:
        return None
    residences, _contracts = inputs.residences_input([apartment.residence_id], period)
    if not residences:
        return None
    result = bill_residence(
        residences[0],
        inputs.utilities_for(branch.organisation_id),
        PeriodIn(period.starts_on, period.ends_on, period.name),
        inputs.rule_overrides(branch.pk),
    )
    items = [
        (item.source, item.description, item.quantity)
        for charge in result.charges
        if charge.apartment_id == apartment.pk
        for item in charge.items
        if item.utility_code == utility.code and item.amount is None
    ]
    if not items:
        return None
    total = sum((quantity for _s, _d, quantity in items), Decimal(0))
    return BilledQuantity(period, total, items)


def preview(
    version: TariffVersion,
    apartment: Apartment,
    starts_on: date,
    ends_on: date,
    consumption: Decimal | None,
    previous_balance: Decimal,
) -> Preview:
    """Rate ``version`` for ``apartment`` over starts_on..ends_on."""
    tariff = version.tariff
    utility = tariff.utility
    data = apartment_data(apartment, utility.pk, starts_on, ends_on)
    billed = None
    if consumption is None:
        billed = bill_run_quantity(apartment, utility, starts_on, ends_on)
    if billed is not None:
        consumption = billed.total
    elif consumption is None:
        consumption = metered_consumption(apartment, utility.pk, starts_on, ends_on)
    variables = {
        "area": data.area,
        "persons": data.persons,
        "meters": data.meters,
        "previous_balance": previous_balance,
    }
    try:
        stored = compile_version(
            version,
            list(version.components.all()),
            tariff.code,
            utility.unit_code,
            utility.name,
            list(version.lookup_tables.all()),
        )
        stored = replace(stored, valid_from=min(stored.valid_from, starts_on))
        vat = vat_for(vat_schedule(tariff.organisation_id), [stored])
        usage = Usage(starts_on, ends_on, consumption, variables)
        rating = rate_period([stored], vat, usage, stored.rounding)
    except (TariffConfigError, RatingError, FormulaError) as exc:
        return Preview(None, str(exc), consumption, variables, version.currency, billed)
    except ArithmeticError:
        # str() of a decimal signal names no value: say what went wrong instead.
        error = _("An amount is out of range (more digits than an invoice holds).")
        return Preview(
            None, str(error), consumption, variables, version.currency, billed
        )
    return Preview(rating, "", consumption, variables, version.currency, billed)


# The trace keys whose text values are the engine's rule texts (translated).
WORDED_KEYS = frozenset(("rule", "demand"))


def trace_value(key: str, value: Any) -> str:
    """One trace value for the screen: dates in the user's format, a list (days,
    a part) joined, a rule text in the user's language, no Python ``None`` (the
    open last block has "no limit")."""
    if value is None:
        return _("no limit") if key == "block_to" else "–"
    if isinstance(value, date):
        # a month is named by its first day
        shown = "YEAR_MONTH_FORMAT" if key == "month" else "SHORT_DATE_FORMAT"
        return date_format(value, shown)
    if isinstance(value, list | tuple):
        # a span of days reads first – last
        joint = " – " if value and all(isinstance(v, date) for v in value) else ", "
        return joint.join(trace_value(key, item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} = {trace_value(k, v)}" for k, v in value.items())
    if isinstance(value, str) and key in WORDED_KEYS:
        return trace_text(value)
    return str(value)


def trace_rows(trace: dict[str, Any]) -> list[tuple[str, str]]:
    """A line's trace as (name, text) rows for the screen, in the user's language
    (engine_texts); a formula's trace as its variables read and each function
    call's value."""
    rows = []
    for key, value in trace.items():
        if isinstance(value, Trace):
            value = value.as_dict()
        name = trace_label(key)
        if isinstance(value, dict) and "steps" in value:
            variables = ", ".join(f"{k} = {v}" for k, v in value["variables"].items())
            rows.append((f"{name}: {_('variables')}", variables or "–"))
            for text, result in value["steps"]:
                rows.append((f"{name}: {text}", str(result)))
        else:
            rows.append((name, trace_value(key, value)))
    return rows
