"""Days of interval quantities: stored by the reading imports, and turned into the
hourly load that time-of-use and demand charges are rated from.

The rating (``engine.tariff.rate_intervals``, the rules of NREL SAM) takes one
calendar year of 8,760 hourly values in kW from 1 January 00:00, 24 local clock
hours a day. An hour's kWh is its mean kW, so the load of an hour is the sum of the
quantities of the intervals that start in it (in kWh); hours outside the period
are 0. On the day the clocks go forward the missing hour stays 0; on the day they
go back the repeated hour holds both hours' energy (the energy is billed whole, the
hour's kW counts twice towards that day's demand).

The rating year has no 29 February: in a leap year, a period from 1 March on is
rated with the weekdays of its real calendar (1 January counted a day later), one
before 29 February as it is, and a period that includes 29 February, or runs into
a second calendar year, is not rated from intervals (the bill run says why).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar, cast

from django.db.models import Q

from meterbill.dbbulk import insert_rows
from meterbill.engine.components import rating_day
from meterbill.formats.intervals import clock_minutes
from meterbill.formats.units import power_between

from .models import IntervalDay, Meter, Reading, Register

K = TypeVar("K")

ZERO = Decimal(0)
HOURS_PER_DAY = 24
DAYS_PER_YEAR = 365
# Ids per IN (...) list: below every backend's limit on bound parameters.
IN_CHUNK = 2000
# Missing days named in a finding; the rest are counted.
DAYS_SHOWN = 5

# IntervalDay columns an import writes, in the order of ``IntervalTuple``.
INTERVAL_COLUMNS = (
    "register_id",
    "day",
    "minutes",
    "values",
    "shift_at",
    "quality",
    "batch_id",
)
IntervalTuple = tuple[int, date, int, str, int | None, str, int]


def values_text(values: Iterable[Decimal | None], whole: bool = True) -> str:
    """The stored form of a day's quantities: plain decimals (no exponent), every
    digit kept; an interval a partial day lacks is empty. ``str`` is twice as quick
    as ``format``; it writes an exponent only for a value scaled up or far below
    one, and then the day is written again."""
    values = list(values)
    if not whole:
        return ",".join("" if v is None else format(v, "f") for v in values)
    text = ",".join(map(str, values))
    if "E" in text:
        text = ",".join(format(v, "f") for v in cast("list[Decimal]", values))
    return text


def stored_values(text: str) -> list[Decimal | None]:
    """``values_text`` read back."""
    return [Decimal(v) if v else None for v in text.split(",")]


# A stored partial day, as a query condition (see ``is_partial``).
PARTIAL = Q(values__startswith=",") | Q(values__endswith=",") | Q(values__contains=",,")


def is_partial(text: str) -> bool:
    """Whether a stored day lacks some of its intervals (an empty value)."""
    return text.startswith(",") or text.endswith(",") or ",," in text


def insert_interval_days(rows: Sequence[IntervalTuple]) -> int:
    """Insert the days of intervals not stored yet; return how many were stored.

    A day already stored for the register stays as it is, as a stored reading does
    (its daily reading decided whether the file's day was accepted): a query per
    2,000 registers finds them, then one bulk insert stores the others."""
    if not rows:
        return 0
    stored: set[tuple[int, date]] = set()
    registers = sorted({r[0] for r in rows})
    first, last = min(r[1] for r in rows), max(r[1] for r in rows)
    for at in range(0, len(registers), IN_CHUNK):
        stored.update(
            IntervalDay.objects.filter(
                register_id__in=registers[at : at + IN_CHUNK],
                day__gte=first,
                day__lte=last,
            ).values_list("register_id", "day")
        )
    new = [r for r in rows if (r[0], r[1]) not in stored]
    return insert_rows(IntervalDay, INTERVAL_COLUMNS, new)


@dataclass(frozen=True)
class HourlyLoad:
    """The hourly load of one service over some days, as the rating takes it, or
    why there is none (``problem``)."""

    kw: tuple[Decimal, ...] | None
    year_start_weekday: int | None = None
    problem: str = ""


# What a load is asked for: service point, utility code, first and last day.
LoadRequest = tuple[int, str, date, date]


def hourly_loads(requests: Mapping[K, LoadRequest]) -> dict[K, HourlyLoad]:
    """key → the hourly load of the service point's consumption registers of the
    utility over the days asked for; one query for the registers and one for their
    interval days (per 2,000 service points or registers), whatever the number of
    requests."""
    if not requests:
        return {}
    first = min(r[2] for r in requests.values())
    last = max(r[3] for r in requests.values())
    registers = _registers(requests.values(), first, last)
    days = _interval_days(registers, first, last)
    return {
        key: _load(
            starts_on,
            ends_on,
            registers.get((point, code), []),
            days,
        )
        for key, (point, code, starts_on, ends_on) in requests.items()
    }


@dataclass(frozen=True)
class _Register:
    pk: int
    exponent: int  # of the register's unit, in kWh
    installed_on: date | None
    removed_on: date | None

    def counts_on(self, day: date) -> bool:
        """Its meter was installed on ``day``: the day needs its intervals."""
        return (self.installed_on is None or self.installed_on <= day) and (
            self.removed_on is None or day <= self.removed_on
        )


def _registers(
    requests: Iterable[LoadRequest], first: date, last: date
) -> dict[tuple[int, str], list[_Register]]:
    """(service point, utility code) → its meters' consumption registers that
    hold energy, of meters installed in the days asked for."""
    points = sorted({r[0] for r in requests})
    installed = (
        Register.objects.filter(role=Register.Role.CONSUMPTION)
        .exclude(meter__kind__in=[Meter.Kind.MAIN, Meter.Kind.HCA])
        .filter(Q(meter__installed_on__isnull=True) | Q(meter__installed_on__lte=last))
        .filter(Q(meter__removed_on__isnull=True) | Q(meter__removed_on__gte=first))
        .order_by("pk")
    )
    out: dict[tuple[int, str], list[_Register]] = defaultdict(list)
    for at in range(0, len(points), IN_CHUNK):
        rows = installed.filter(
            meter__service_point_id__in=points[at : at + IN_CHUNK]
        ).values_list(
            "pk",
            "unit",
            "meter__service_point_id",
            "meter__utility__code",
            "meter__installed_on",
            "meter__removed_on",
        )
        for pk, unit, point, code, installed_on, removed_on in rows:
            # registers of energy, with the power of ten of their unit in kWh
            exponent = power_between(unit, "kWh")
            if exponent is not None:
                out[(point, code)].append(
                    _Register(pk, exponent, installed_on, removed_on)
                )
    return out


# (register, day) → (minutes, values text, shift_at)
_Days = dict[tuple[int, date], tuple[int, str, int | None]]


def _interval_days(
    registers: Mapping[tuple[int, str], list[_Register]], first: date, last: date
) -> _Days:
    ids = sorted({r.pk for found in registers.values() for r in found})
    out: _Days = {}
    for at in range(0, len(ids), IN_CHUNK):
        for register_id, day, minutes, values, shift_at in IntervalDay.objects.filter(
            register_id__in=ids[at : at + IN_CHUNK], day__gte=first, day__lte=last
        ).values_list("register_id", "day", "minutes", "values", "shift_at"):
            if not is_partial(values):  # a partial day counts as missing
                out[(register_id, day)] = (minutes, values, shift_at)
    return out


def _load(
    starts_on: date, ends_on: date, registers: Sequence[_Register], days: _Days
) -> HourlyLoad:
    problem = _not_in_one_rating_year(starts_on, ends_on)
    if problem:
        return HourlyLoad(None, problem=problem)
    period = [starts_on + timedelta(d) for d in range((ends_on - starts_on).days + 1)]
    missing = [
        day
        for day in period
        if not registers
        or any(r.counts_on(day) and (r.pk, day) not in days for r in registers)
    ]
    if missing:
        return HourlyLoad(None, problem=_missing_text(missing, len(period)))
    year = starts_on.year
    load = [ZERO] * (DAYS_PER_YEAR * HOURS_PER_DAY)
    for day in period:
        first_hour = rating_day(day) * HOURS_PER_DAY
        for r in registers:
            found = days.get((r.pk, day))
            if found is not None:
                _add_day(load, first_hour, r.exponent, *found)
    weekday = date(year, 1, 1).weekday()
    if calendar.isleap(year) and starts_on > date(year, 2, 29):
        weekday = (weekday + 1) % 7  # March on keeps its real weekdays
    return HourlyLoad(tuple(load), weekday)


def _not_in_one_rating_year(starts_on: date, ends_on: date) -> str:
    if starts_on.year != ends_on.year:
        return (
            "the period runs into a second calendar year (time-of-use and demand "
            "charges are rated within one)"
        )
    year = starts_on.year
    if calendar.isleap(year) and starts_on <= date(year, 2, 29) <= ends_on:
        return (
            f"the period includes 29 February {year}, which the rating year of "
            "365 days does not have"
        )
    return ""


def _missing_text(missing: Sequence[date], days: int) -> str:
    shown = ", ".join(d.isoformat() for d in missing[:DAYS_SHOWN])
    more = f" and {len(missing) - DAYS_SHOWN} more" if len(missing) > DAYS_SHOWN else ""
    return (
        f"the meter has no interval data for {len(missing)} of the {days} days "
        f"({shown}{more})"
    )


def _add_day(
    load: list[Decimal],
    first_hour: int,
    exponent: int,
    minutes: int,
    values: str,
    shift_at: int | None,
) -> None:
    """Add a stored day's quantities, in kWh, to the hours they start in."""
    quantities = [Decimal(v) for v in values.split(",")]
    clocks = clock_minutes(minutes, len(quantities), shift_at)
    for clock, quantity in zip(clocks, quantities, strict=True):
        hour = first_hour + clock // 60
        load[hour] += quantity.scaleb(exponent) if exponent else quantity


# Completing a partial day: a local day cut in two by two files (a feed cut on the
# UTC day) is stored from the first file with the intervals it has; the second
# file's remainder completes it.


@dataclass(frozen=True, slots=True)
class FileDay:
    """A day of intervals of a file, matched to its register: the values in the
    register's unit, None where the file gives no interval."""

    register_id: int
    day: date
    minutes: int
    values: tuple[Decimal | None, ...]
    shift_at: int | None
    quality: str
    line: int
    whole: bool = True  # False: some values are None


@dataclass
class Completion:
    """What the stored partial days made of a file's days (register, day): the
    days it completed (the stored reading and intervals now hold both files'),
    the days whose intervals were all stored already (duplicates), and the days
    it conflicts with: (register, day) → (field, message)."""

    completed: dict[tuple[int, date], tuple[Decimal, Decimal]] = field(
        default_factory=dict
    )  # (register, day) → (reading before, reading after)
    duplicates: set[tuple[int, date]] = field(default_factory=set)
    conflicts: dict[tuple[int, date], tuple[str, str]] = field(default_factory=dict)


@dataclass
class _Stored:
    pk: int
    minutes: int
    values: list[Decimal | None]
    shift_at: int | None
    quality: str


def complete_days(days: Sequence[FileDay]) -> Completion:
    """Merge each file day into the partial day stored for its register, when
    there is one and the stored day's reading is the actual sum of its intervals:
    the same grid of intervals (length, clock change), and an interval both give
    has one value. A day an issued invoice billed is not changed. A file day whose
    intervals are all stored (a file imported again) is a duplicate. A stored whole
    day is left to the readings' own checks. A query per 2,000 registers for the
    stored days and their readings, one for the invoices, and bulk updates."""
    out = Completion()
    stored = _stored_days(days)
    if not stored:
        return out
    readings = _stored_readings(stored)
    merged: dict[tuple[int, date], list[Decimal | None]] = {}
    for file_day in days:
        key = (file_day.register_id, file_day.day)
        day, reading = stored.get(key), readings.get(key)
        if day is None or reading is None or key in merged:
            continue
        given = [v for v in day.values if v is not None]
        if reading[1] != sum(given, ZERO) or reading[2] != "actual":
            continue  # the reading was changed since: its own checks decide
        outcome = _merge(day, file_day)
        if isinstance(outcome, tuple):
            out.conflicts[key] = outcome
        elif outcome == day.values:
            out.duplicates.add(key)
        else:
            merged[key] = outcome
    billed = _billed(set(merged))
    for key in billed:
        before = readings[key][1]
        out.conflicts[key] = (
            "value",
            f"completes the partial day {key[1].isoformat()} whose reading {before} "
            "an issued invoice billed; correct it through the review queue",
        )
        del merged[key]
    _save(merged, stored, readings, days, out)
    return out


def _merge(day: _Stored, file_day: FileDay) -> list[Decimal | None] | tuple[str, str]:
    """The stored partial day's values with the file's added, or the field and
    message that refuse them."""
    if (day.minutes, len(day.values), day.shift_at) != (
        file_day.minutes,
        len(file_day.values),
        file_day.shift_at,
    ):
        return (
            "minutes",
            f"{len(file_day.values)} intervals of {file_day.minutes} minutes do not "
            f"complete the {len(day.values)} of {day.minutes} minutes stored for "
            f"{file_day.day.isoformat()}",
        )
    values = list(day.values)
    for position, value in enumerate(file_day.values):
        if value is None:
            continue
        if values[position] is None:
            values[position] = value
        elif values[position] != value:
            clock = clock_minutes(day.minutes, len(values), day.shift_at)[position]
            return (
                "value",
                f"the interval from {clock // 60:02}:{clock % 60:02} of "
                f"{file_day.day.isoformat()} is stored as {values[position]}, the "
                f"file gives {value}",
            )
    return values


def _stored_days(days: Sequence[FileDay]) -> dict[tuple[int, date], _Stored]:
    """(register, day) → the stored partial day, for the file's days."""
    wanted = {(d.register_id, d.day) for d in days}
    registers = sorted({d.register_id for d in days})
    first, last = min(d.day for d in days), max(d.day for d in days)
    partial = IntervalDay.objects.filter(PARTIAL, day__gte=first, day__lte=last)
    columns = ("pk", "register_id", "day", "minutes", "values", "shift_at", "quality")
    out: dict[tuple[int, date], _Stored] = {}
    for at in range(0, len(registers), IN_CHUNK):
        found = partial.filter(register_id__in=registers[at : at + IN_CHUNK])
        for (
            pk,
            register_id,
            day,
            minutes,
            values,
            shift_at,
            quality,
        ) in found.values_list(*columns):
            if (register_id, day) in wanted:
                out[(register_id, day)] = _Stored(
                    pk, minutes, stored_values(values), shift_at, quality
                )
    return out


def _stored_readings(
    stored: Mapping[tuple[int, date], _Stored],
) -> dict[tuple[int, date], tuple[int, Decimal, str, str]]:
    """(register, day) → (pk, value, status, quality) of the day's consumption
    reading, for the stored partial days."""
    registers = sorted({r for r, _d in stored})
    first, last = min(d for _r, d in stored), max(d for _r, d in stored)
    out: dict[tuple[int, date], tuple[int, Decimal, str, str]] = {}
    for at in range(0, len(registers), IN_CHUNK):
        for pk, register_id, day, value, status, quality in Reading.objects.filter(
            register_id__in=registers[at : at + IN_CHUNK],
            read_on__gte=first,
            read_on__lte=last,
            kind=Reading.Kind.CONSUMPTION,
        ).values_list("pk", "register_id", "read_on", "value", "status", "quality"):
            if (register_id, day) in stored:
                out[(register_id, day)] = (pk, value, status, quality)
    return out


def _billed(keys: set[tuple[int, date]]) -> set[tuple[int, date]]:
    """The (register, day) an issued invoice covers (the import's rule for
    readings an invoice used)."""
    from meterbill.invoicing.queries import days_invoiced

    return days_invoiced(keys)


def _save(
    merged: Mapping[tuple[int, date], list[Decimal | None]],
    stored: Mapping[tuple[int, date], _Stored],
    readings: Mapping[tuple[int, date], tuple[int, Decimal, str, str]],
    days: Sequence[FileDay],
    out: Completion,
) -> None:
    """Write the completed days and their readings (bulk updates)."""
    quality_of = {(d.register_id, d.day): d.quality for d in days}
    interval_days, daily = [], []
    for key, values in merged.items():
        day, (pk, before, _status, quality) = stored[key], readings[key]
        after = sum((v for v in values if v is not None), ZERO)
        interval_days.append(
            IntervalDay(
                pk=day.pk,
                values=values_text(values, None not in values),
                quality=_both(day.quality, quality_of[key]),
            )
        )
        daily.append(
            Reading(pk=pk, value=after, quality=_both(quality, quality_of[key]))
        )
        out.completed[key] = (before, after)
    IntervalDay.objects.bulk_update(
        interval_days, ["values", "quality"], batch_size=500
    )
    Reading.objects.bulk_update(daily, ["value", "quality"], batch_size=500)


def _both(stored: str, given: str) -> str:
    """The quality flag of a day made of two files' intervals (V: they differ)."""
    return stored if stored == given else "V"
