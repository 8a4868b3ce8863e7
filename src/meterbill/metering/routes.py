"""Reading routes (STEP 0): what a reader must read, and what the device brings back.

``build_route`` lists, for a period, one stop per register of the apartment meters
and heat cost allocators of some residences, in walking order, with the last index
and the range the next index is expected in. ``export_route`` writes it for a
mobile device (``meterbill.formats.route``); ``import_device_result`` stores the
readings the device returns, as one ``ImportBatch`` whose rejected rows are
quarantined. The rule for the expected range is in :func:`expected_range`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from meterbill.audit import trail
from meterbill.billing.models import Period
from meterbill.engine.consumption import ReadingIn, average_daily_use
from meterbill.engine.money import round_to
from meterbill.formats import route as route_format
from meterbill.formats.errors import FormatError, InvalidValue
from meterbill.formats.route import DeviceReading, RouteStop
from meterbill.orgs.models import Branch
from meterbill.premises.models import Apartment, Residence

from .imports import ImportRefused, quarantine, store_counts
from .models import ImportBatch, Meter, Reading, Register

log = logging.getLogger(__name__)

# The band around the expected consumption: a new index within ±50 % of what the
# average daily use predicts is plausible. Wide on purpose: it only flags a reading
# for a second look; the bill run's validation decides.
BAND = Decimal("0.5")
# Indexes are read to this resolution; the range is rounded outwards to it.
INDEX_STEP = Decimal("0.001")
# The route names a register whose code is blank by this code (a device needs one).
DEFAULT_REGISTER = "1"
# Ids per IN (...) list: below every backend's limit on bound parameters.
IN_CHUNK = 2000
# Reading.note and Reading.reader are this long.
NOTE_LENGTH = 200
READER_LENGTH = 64

ROUTE_METER_KINDS = (Meter.Kind.APARTMENT, Meter.Kind.HCA)


@dataclass(frozen=True)
class ExpectedRange:
    low: Decimal | None
    high: Decimal | None


def expected_range(
    history: Sequence[ReadingIn], on: date, band: Decimal = BAND
) -> ExpectedRange:
    """The plausible range of a register's index on day ``on``.

    ``history`` is the register's index readings before ``on``, oldest first. The
    expected use is the average daily use (``engine.consumption.average_daily_use``:
    the readings of the year up to the last one) × the days from the last reading
    to ``on``; the range is last index + expected use × (1 ± band), never below the
    last index, rounded outwards to 0.001. With fewer than two readings in that
    year only the lower bound (the last index) is known; with none, nothing is.
    """
    if not history:
        return ExpectedRange(None, None)
    last = history[-1]
    rate = average_daily_use(history, last.read_on)
    if rate is None:
        return ExpectedRange(last.value, None)
    use = rate[0] * max((on - last.read_on).days, 0)
    low = max(last.value, last.value + use * (1 - band))
    high = last.value + use * (1 + band)
    return ExpectedRange(
        round_to(low, INDEX_STEP, ROUND_FLOOR),
        round_to(high, INDEX_STEP, ROUND_CEILING),
    )


# Building a route.


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key in which "2" comes before "10" and "4a" after "4"."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in re.split(r"(\d+)", text)
        if part
    )


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for i in range(0, len(items), IN_CHUNK):
        yield items[i : i + IN_CHUNK]


def _history(register_ids: Iterable[int], before: date) -> dict[int, list[ReadingIn]]:
    """Each register's usable index readings before ``before``, oldest first, from
    a year before its last one: two queries per chunk of registers."""
    ids = list(set(register_ids))
    usable = Q(kind=Reading.Kind.INDEX, read_on__lt=before) & ~Q(
        status=Reading.Status.REJECTED
    )
    last_of: dict[int, date] = {}
    for chunk in _chunks(ids):
        last_of.update(
            Reading.objects.filter(usable, register_id__in=chunk)
            .values("register_id")
            .annotate(last=Max("read_on"))
            .values_list("register_id", "last")
        )
    history: dict[int, list[ReadingIn]] = defaultdict(list)
    if not last_of:
        return history
    since = min(last_of.values()) - timedelta(days=366)
    for chunk in _chunks(last_of):
        rows = (
            Reading.objects.filter(usable, register_id__in=chunk, read_on__gte=since)
            .order_by("register_id", "read_on")
            .values_list("register_id", "pk", "read_on", "value")
        )
        for reg_id, pk, read_on, value in rows.iterator(chunk_size=2000):
            if read_on >= last_of[reg_id] - timedelta(days=366):
                history[reg_id].append(ReadingIn(pk, read_on, value))
    return history


def _exact(value: Decimal) -> Decimal:
    """The same number without the stored trailing zeros (100.000000 → 100)."""
    plain = value.normalize()
    exponent = plain.as_tuple().exponent
    return (
        plain.quantize(Decimal(1))
        if isinstance(exponent, int) and exponent > 0
        else plain
    )


def register_name(code: str) -> str:
    return code or DEFAULT_REGISTER


def build_route(residence_ids: Sequence[int], period: Period) -> list[RouteStop]:
    """The stops of a route over ``residence_ids`` for ``period``; see
    :func:`route_by_residence`."""
    by_residence = route_by_residence(residence_ids, period)
    stops = [stop for group in by_residence.values() for stop in group]
    return sorted(stops, key=lambda s: s.walking_order)


def route_by_residence(
    residence_ids: Sequence[int], period: Period
) -> dict[int, list[RouteStop]]:
    """The stops of a route over ``residence_ids`` for ``period``, in walking order.

    Walking order: residence (code), staircase, floor, apartment number (natural
    sort), then utility, meter serial and register code. A stop is a register of an
    apartment meter or heat cost allocator installed by the period's end and not
    removed before its start. The last index is the newest usable index before the
    period starts (the bill run's opening index); the expected range is for the
    period's last day. A fixed number of queries, whatever the number of residences.
    Returns residence id → its stops; walking order runs on across residences.
    """
    apartments = {
        a.pk: a
        for a in Apartment.objects.filter(residence_id__in=residence_ids)
        .select_related("residence")
        .only(
            "number",
            "staircase",
            "floor",
            "residence_id",
            "residence__code",
            "residence__name",
        )
    }
    meters = list(
        Meter.objects.filter(
            apartment_id__in=list(apartments), kind__in=ROUTE_METER_KINDS
        )
        .filter(Q(installed_on__isnull=True) | Q(installed_on__lte=period.ends_on))
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=period.starts_on))
        .select_related("utility")
        .only("serial", "apartment_id", "utility__name")
    )
    registers: dict[int, list[Register]] = defaultdict(list)
    for chunk in _chunks(m.pk for m in meters):
        for reg in Register.objects.filter(meter_id__in=chunk).only("meter_id", "code"):
            registers[reg.meter_id].append(reg)
    history = _history(
        (r.pk for regs in registers.values() for r in regs), period.starts_on
    )

    rows = []
    for meter in meters:
        apt = apartments[meter.apartment_id]  # type: ignore[index]
        for reg in registers[meter.pk]:
            key = (
                apt.residence.code,
                _natural(apt.staircase),
                apt.floor,
                _natural(apt.number),
                meter.utility.name,
                _natural(meter.serial),
                reg.code,
            )
            rows.append((key, apt, meter, reg))
    rows.sort(key=lambda row: row[0])
    stops: dict[int, list[RouteStop]] = defaultdict(list)
    for order, (_key, apt, meter, reg) in enumerate(rows, start=1):
        past = history.get(reg.pk, [])
        expected = expected_range(past, period.ends_on)
        stops[apt.residence_id].append(
            RouteStop(
                residence=apt.residence.name,
                staircase=apt.staircase,
                apartment=apt.number,
                walking_order=order,
                meter_serial=meter.serial,
                register=register_name(reg.code),
                utility=meter.utility.name,
                last_index=_exact(past[-1].value) if past else None,
                last_read_on=past[-1].read_on if past else None,
                expected_min=expected.low,
                expected_max=expected.high,
            )
        )
    return stops


def branch_and_period(branch_code: str, period_name: str) -> tuple[Branch, Period]:
    """The branch of that code and its period of that name (or its nearest parent's).

    Raises ``LookupError`` with a one-line message naming what is missing.
    """
    branches = list(Branch.objects.filter(code=branch_code)[:2])
    if not branches:
        raise LookupError(f"unknown branch {branch_code!r}")
    if len(branches) > 1:
        raise LookupError(f"branch code {branch_code!r} is ambiguous")
    branch = branches[0]
    ancestors = branch.lineage()
    found = {
        p.branch_id: p
        for p in Period.objects.filter(branch_id__in=ancestors, name=period_name)
    }
    period = next((found[pk] for pk in reversed(ancestors) if pk in found), None)
    if period is None:
        raise LookupError(f"no period {period_name!r} in branch {branch_code!r}")
    return branch, period


def residences_of(branch: Branch, codes: Sequence[str] = ()) -> list[int]:
    """Ids of the residences of ``branch``'s subtree, or of those named by code."""
    found = Residence.objects.filter(branch__path__startswith=branch.path)
    if codes:
        found = found.filter(code__in=codes)
        known = set(found.values_list("code", flat=True))
        missing = sorted(set(codes) - known)
        if missing:
            raise ValueError(f"no residence {missing[0]!r} in branch {branch.code}")
    return list(found.order_by("code").values_list("pk", flat=True))


@dataclass(frozen=True)
class ExportedRoute:
    json_path: Path
    csv_path: Path
    stops: int


def export_route(
    branch: Branch,
    period: Period,
    out_dir: Path,
    *,
    residence_codes: Sequence[str] = (),
    user: Any = None,
) -> ExportedRoute:
    """Write ``route-<branch>-<period>.json`` and ``.csv`` into ``out_dir``; audit it.

    Raises ``ValueError`` for a residence code the branch does not have.
    """
    residence_ids = residences_of(branch, residence_codes)
    stops = build_route(residence_ids, period)
    json_bytes, csv_bytes = route_format.export_route(stops)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"route-{branch.code}-{period.name}"
    json_path, csv_path = stem.with_suffix(".json"), stem.with_suffix(".csv")
    json_path.write_bytes(json_bytes)
    csv_path.write_bytes(csv_bytes)
    trail.record(
        "route.export",
        user=_user(user),
        branch=branch,
        obj=period,
        after={
            "period": period.name,
            "residences": len(residence_ids),
            "residence_codes": list(residence_codes),
            "stops": len(stops),
            "files": [json_path.name, csv_path.name],
        },
    )
    log.info(
        "route exported",
        extra={"branch": branch.code, "period": period.name, "stops": len(stops)},
    )
    return ExportedRoute(json_path, csv_path, len(stops))


# Importing what a device returns.


@dataclass(frozen=True)
class Skipped:
    line: int
    meter_serial: str
    register: str
    reason: str


@dataclass
class DeviceImportReport:
    filename: str
    batch_id: int | None = None
    rows_imported: int = 0
    rows_duplicate: int = 0
    # Stored, with a note: the value is outside the range the route expected.
    rows_flagged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    rejected: list[FormatError] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def rows_read(self) -> int:
        return (
            self.rows_imported
            + self.rows_duplicate
            + self.rows_rejected
            + len(self.skipped)
        )


@dataclass(frozen=True)
class _Target:
    register_id: int
    in_scope: bool  # in the branch subtree the user may write to
    ambiguous: bool = False  # the serial names meters of two branches in scope


@dataclass(frozen=True)
class _Checked:
    reading: DeviceReading
    register_id: int
    read_on: date  # the day of read_at in the branch's time zone
    value: Decimal


def import_device_result(
    file: bytes | str | Path,
    branch: Branch,
    user: Any = None,
    *,
    filename: str = "",
    today: date | None = None,
) -> DeviceImportReport:
    """Store the readings of a device's result file in ``branch``.

    A stop the reader skipped is reported, not stored. A row is rejected (and
    quarantined in the batch) when its meter or register is unknown in the branch
    subtree, lies outside the user's subtree, is dated after ``today``, or repeats a
    row of the file with another value. A value outside the expected range is
    stored with a note. A reading already stored for the same register, day and
    kind is a duplicate: a second import of a file stores nothing new.

    Raises ``ImportRefused`` when the file is refused as a whole (unreadable, not a
    result file, or ``branch`` outside the user's subtree); nothing is stored then.
    """
    data, filename = _load(file, filename)
    if user is not None and not _user_may_write(user, branch):
        raise ImportRefused(f"{filename}: branch {branch.code} is not in your branch")
    try:
        result = route_format.read_device_result(data, filename)
    except FormatError as error:
        raise ImportRefused(str(error.located(filename))) from error
    zone = zoneinfo.ZoneInfo(branch.time_zone)
    today = today or timezone.localdate(timezone=zone)

    with transaction.atomic():
        # One import at a time per branch: the duplicate checks below then hold.
        Branch.objects.select_for_update().filter(pk=branch.pk).first()
        batch = ImportBatch.objects.create(
            branch=branch,
            filename=filename[:255],
            format="device",
            sha256=hashlib.sha256(data).hexdigest(),
            created_by=_user(user),
        )
        report = DeviceImportReport(filename, batch.pk)
        report.rejected += result.errors
        readings = [r for r in result.rows if r.value is not None]
        report.skipped = [
            Skipped(r.line, r.meter_serial, r.register, r.skipped_reason)
            for r in result.rows
            if r.value is None
        ]
        _store(readings, branch, user, batch, report, zone, today)
        report.rejected.sort(key=lambda e: e.line or 0)
        quarantine(batch, report.rejected, filename, IN_CHUNK)
        _close(batch, report, branch, user)
    log.info(
        "device result imported",
        extra={
            "batch": batch.pk,
            "file": filename,
            "imported": report.rows_imported,
            "rejected": report.rows_rejected,
        },
    )
    return report


def _load(file: bytes | str | Path, filename: str) -> tuple[bytes, str]:
    if isinstance(file, bytes):
        return file, filename or "<input>"
    path = Path(file)
    try:
        return path.read_bytes(), filename or path.name
    except OSError as e:
        raise ImportRefused(f"{path}: cannot be read ({e.strerror})") from e


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _user_may_write(user: Any, branch: Branch) -> bool:
    """The user's branch is ``branch`` or above or below it: the two subtrees meet."""
    own = getattr(user, "branch", None)
    if own is None:
        return False
    return branch.path.startswith(own.path) or own.path.startswith(branch.path)


def _targets(
    readings: Sequence[DeviceReading], branch: Branch, user: Any
) -> dict[tuple[str, str], _Target]:
    """(serial, register as named on the route) → register, in the branch subtree.

    A serial is unique within a branch only: of the meters of that serial in the
    subtree, the one the user may write to wins; two such meters are ambiguous.
    """
    serials = {r.meter_serial for r in readings}
    own = getattr(getattr(user, "branch", None), "path", None)
    meters: dict[int, tuple[str, bool]] = {}
    for chunk in _chunks(serials):
        for pk, serial, path in Meter.objects.filter(
            branch__path__startswith=branch.path, serial__in=chunk
        ).values_list("pk", "serial", "branch__path"):
            meters[pk] = (serial, user is None or path.startswith(own or "\0"))
    # key → (target, named by the blank code's alias) for every candidate register
    candidates: dict[tuple[str, str], list[tuple[_Target, bool]]] = defaultdict(list)
    for chunk in _chunks(meters):
        for pk, meter_id, code in Register.objects.filter(
            meter_id__in=chunk
        ).values_list("pk", "meter_id", "code"):
            serial, in_scope = meters[meter_id]
            target = _Target(pk, in_scope)
            candidates[(serial, code)].append((target, False))
            if not code:
                candidates[(serial, DEFAULT_REGISTER)].append((target, True))
    return {key: _chosen(found) for key, found in candidates.items()}


def _chosen(found: list[tuple[_Target, bool]]) -> _Target:
    """Of the registers a (serial, register) names, the one the user may write to;
    a register coded "1" wins over a blank code named "1"."""
    in_scope = [(t, alias) for t, alias in found if t.in_scope]
    if not in_scope:
        return found[0][0]
    real = [t for t, alias in in_scope if not alias]
    pool = real or [t for t, _alias in in_scope]
    if len(pool) > 1:
        return _Target(pool[0].register_id, True, ambiguous=True)
    return pool[0]


def _store(
    readings: Sequence[DeviceReading],
    branch: Branch,
    user: Any,
    batch: ImportBatch,
    report: DeviceImportReport,
    zone: zoneinfo.ZoneInfo,
    today: date,
) -> None:
    targets = _targets(readings, branch, user)
    known = {serial for serial, _code in targets}
    checked: list[_Checked] = []
    for r in readings:
        target = targets.get((r.meter_serial, r.register))
        read_on = _local_day(r, zone)
        problem = _problem(r, target, known, branch, read_on, today)
        if problem:
            field_name, message = problem
            report.rejected.append(
                InvalidValue(
                    message, file=batch.filename, line=r.line, field=field_name
                )
            )
        elif target is not None and r.value is not None and read_on is not None:
            checked.append(_Checked(r, target.register_id, read_on, r.value))
    if not checked:
        return

    history = _history(
        {c.register_id for c in checked}, max(c.read_on for c in checked)
    )
    stored = _stored_keys(checked)
    seen: dict[tuple[int, date], Decimal] = {}
    rows = []
    for c in checked:
        key = (c.register_id, c.read_on)
        if key in seen and seen[key] != c.value:
            report.rejected.append(
                InvalidValue(
                    f"a second value for this register on {c.read_on} in the file",
                    file=batch.filename,
                    line=c.reading.line,
                    field="value",
                )
            )
            continue
        if key in stored or key in seen:
            report.rows_duplicate += 1
            continue
        seen[key] = c.value
        past = [h for h in history.get(c.register_id, []) if h.read_on < c.read_on]
        flag = _flag(c.value, expected_range(past, c.read_on))
        report.rows_flagged += bool(flag)
        rows.append(_reading(c, flag, batch, user))
    Reading.objects.bulk_create(rows, batch_size=IN_CHUNK)
    report.rows_imported = len(rows)


def _local_day(r: DeviceReading, zone: zoneinfo.ZoneInfo) -> date | None:
    """The day of ``read_at`` in the branch's zone; None past the calendar's ends."""
    try:
        return r.read_at.astimezone(zone).date()
    except OverflowError:
        return None


def _problem(
    r: DeviceReading,
    target: _Target | None,
    known: set[str],
    branch: Branch,
    read_on: date | None,
    today: date,
) -> tuple[str, str] | None:
    """The field and message a reading is rejected with, or None."""
    serial = r.meter_serial
    if target is None and serial not in known:
        return "meter_serial", f"unknown meter {serial!r} in branch {branch.code}"
    if target is None:
        return "register", f"meter {serial!r} has no register {r.register!r}"
    if not target.in_scope:
        return "meter_serial", f"meter {serial!r} is outside your branch"
    if target.ambiguous:
        return "meter_serial", f"meter {serial!r} is in two branches; import into one"
    if read_on is None or read_on > today:
        day = read_on.isoformat() if read_on else r.read_at.isoformat()
        return "read_at", f"{day} is in the future"
    return None


def _flag(value: Decimal, expected: ExpectedRange) -> str:
    low, high = expected.low, expected.high
    if (low is not None and value < low) or (high is not None and value > high):
        shown = f"{low}–{high}" if high is not None else f"at least {low}"
        return f"outside the route's expected range ({shown})"
    return ""


def _reading(c: _Checked, flag: str, batch: ImportBatch, user: Any) -> Reading:
    note = "; ".join(part for part in (flag, c.reading.note) if part)
    if len(note) > NOTE_LENGTH:
        note = note[: NOTE_LENGTH - 1] + "…"
    return Reading(
        register_id=c.register_id,
        read_on=c.read_on,
        kind=Reading.Kind.INDEX,
        value=c.value,
        source=Reading.Source.DEVICE,
        batch=batch,
        entered_by=_user(user),
        note=note,
        reader=c.reading.reader_id[:READER_LENGTH],
        photo_ref=c.reading.photo_ref[:255],
    )


def _stored_keys(checked: Sequence[_Checked]) -> set[tuple[int, date]]:
    """(register, day) of the index readings already stored that the rows repeat."""
    first = min(c.read_on for c in checked)
    last = max(c.read_on for c in checked)
    stored: set[tuple[int, date]] = set()
    for chunk in _chunks({c.register_id for c in checked}):
        stored.update(
            Reading.objects.filter(
                register_id__in=chunk,
                kind=Reading.Kind.INDEX,
                read_on__gte=first,
                read_on__lte=last,
            ).values_list("register_id", "read_on")
        )
    return stored


def _close(
    batch: ImportBatch, report: DeviceImportReport, branch: Branch, user: Any
) -> None:
    store_counts(batch, report)
    trail.record(
        "readings.import_device",
        user=_user(user),
        branch=branch,
        obj=batch,
        after={
            "file": batch.filename,
            "sha256": batch.sha256,
            "rows_read": report.rows_read,
            "rows_imported": report.rows_imported,
            "rows_duplicate": report.rows_duplicate,
            "rows_flagged": report.rows_flagged,
            "rows_rejected": report.rows_rejected,
            "skipped": [
                {"line": s.line, "meter": s.meter_serial, "reason": s.reason}
                for s in report.skipped
            ],
        },
    )
