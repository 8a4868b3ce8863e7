"""Import a file of meter readings into a branch: whole, or with its rejected rows
quarantined.

One call imports one file, in one transaction:

1. the reader of the format (``meterbill.formats``) turns the bytes into rows and
   row errors; a file-level ``InvalidFormat`` refuses the file and stores nothing;
2. the rows are matched to registers with a handful of queries: by meter serial
   (CSV, XLSX), by service point identifier and register code (NEM12/NEM13: NMI and
   NMI suffix; Green Button: usage point and meter reading; MSCONS: metering
   location and register), by radio id (wireless M-Bus);
3. each row is checked (known register, date not in the future, unit convertible to
   the register's unit, value within the stored precision) and compared with the
   readings already stored: same register, day and kind is a duplicate, not an error;
4. the accepted rows are bulk-inserted as readings of one ``ImportBatch`` (keyed by
   the sha256 of the bytes) by ``bulk.insert_readings``, which leaves the stored
   duplicates out in the database; every rejected row is kept as a ``RejectedRow``,
   and the counts go into the audit trail; the days of intervals of an interval
   file (NEM12, Green Button, MSCONS) whose daily reading is stored are kept as
   ``IntervalDay`` rows (``metering.intervals``).

With ``register_new`` (NEM12, Green Button, MSCONS), every unknown NMI gets a service
point, a meter, its registers, a customer and a contract on the given tariff, so
that the next bill run bills it.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import compress, repeat
from operator import itemgetter, not_
from pathlib import Path
from typing import Any, NamedTuple, cast, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction
from django.utils import timezone

from meterbill.audit import trail
from meterbill.dbbulk import insert_rows
from meterbill.engine import collector
from meterbill.formats import (
    csv_readings,
    greenbutton,
    mscons,
    nem12,
    wmbus,
    xlsx_readings,
)
from meterbill.formats.errors import FormatError, InvalidFormat, InvalidValue
from meterbill.formats.intervals import IntervalDayRow
from meterbill.formats.readings import ReadingRow
from meterbill.formats.units import in_unit
from meterbill.formats.wmbus.ids import aes_key_problem, radio_id_problem, radio_ref
from meterbill.orgs.models import Branch
from meterbill.premises.models import (
    Contract,
    ContractService,
    Customer,
    ServicePoint,
)
from meterbill.tariffs.models import Tariff

from .bulk import ReadingTuple, entered_at, insert_readings
from .intervals import (
    FileDay,
    IntervalTuple,
    complete_days,
    insert_interval_days,
    values_text,
)
from .models import (
    ColumnMap,
    ImportBatch,
    LateReading,
    Meter,
    Reading,
    Register,
    RejectedRow,
)

log = logging.getLogger(__name__)

FORMATS = ("nem12", "csv", "xlsx", "wmbus", "greenbutton", "mscons")
# Formats whose meters are named by their service point's identifier (NEM12: the
# NMI; Green Button: the usage point; MSCONS: the metering location), their
# registers by code (NMI suffix; meter reading id; PIA register, e.g. an OBIS code).
BY_SERVICE_POINT = frozenset({"nem12", "greenbutton", "mscons"})

# Reading.value is DecimalField(max_digits=20, decimal_places=6).
VALUE_PLACES = 6
LIMIT_DIGITS = 20 - VALUE_PLACES
VALUE_LIMIT = Decimal(10) ** LIMIT_DIGITS
# SQLite keeps a decimal column as a REAL (a double): values of up to 15
# significant digits come back exactly, longer ones rounded or unreadable.
SQLITE_DIGITS = 15
# ImportBatch.filename and RejectedRow.file keep this many characters.
NAME_LENGTH = 255

# Ids per IN (...) list: below every backend's limit on bound parameters.
IN_CHUNK = 2000


# Wireless M-Bus billing values: the current register, and the set-date register.
_WMBUS_CURRENT = frozenset(
    {"total_m3", "total_energy_consumption_kwh", "current_consumption_hca"}
)
_WMBUS_SET_DATE = frozenset(
    {"volume_at_set_date_m3", "energy_at_set_date_kwh", "consumption_at_set_date_hca"}
)
SET_DATE_REGISTER = "set_date"


class ImportRefused(Exception):
    """The file as a whole was refused; nothing was stored. The message is one line
    naming the file."""


@dataclass(frozen=True)
class ImportOptions:
    register_new: bool = False  # onboard unknown service points (BY_SERVICE_POINT)
    tariff: str = ""  # the tariff code of onboarded contracts
    customer_prefix: str = ""  # prefix of onboarded customer codes and names
    column_map: str = ""  # name of a saved ColumnMap (CSV, XLSX)
    again: bool = False  # import a file whose bytes were imported before
    source: str = ""  # Reading.Source; default file (radio for wmbus)
    today: date | None = None  # read dates after this day are rejected
    batch_size: int = 2000


@dataclass
class ImportReport:
    filename: str
    format: str
    batch_id: int | None = None
    rows_imported: int = 0
    rows_duplicate: int = 0
    # Estimated readings (not yet billed) that an actual reading of the file replaced.
    estimates_replaced: int = 0
    # Actual readings of a day whose estimate an issued invoice used: stored as
    # metering.LateReading, settled in the next bill.
    late_actuals: int = 0
    rejected: list[FormatError] = field(default_factory=list)
    # Values a telegram carries besides the register's (flow, other units): not rows.
    values_ignored: int = 0
    service_points_created: int = 0
    # Days of intervals stored (NEM12, Green Button, MSCONS) beside their readings.
    interval_days: int = 0
    # Stored partial days that the file completed (counted as imported rows too).
    days_completed: int = 0

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def rows_read(self) -> int:
        return (
            self.rows_imported
            + self.rows_duplicate
            + self.rows_rejected
            + self.late_actuals
        )


class _Row(NamedTuple):
    """A reading from any format, before it is matched to a register (a tuple:
    millions of them are made per file)."""

    line: int
    meter_ref: str  # serial, NMI or radio id
    register: str  # register code
    read_on: date | None
    kind: str
    value: Decimal
    unit: str
    quality: str = ""
    period_start: date | None = None
    note: str = ""


@dataclass(frozen=True)
class _Target:
    register_id: int
    unit: str
    # Service point formats, after a meter exchange: (installed on, removed on,
    # register) of each meter of the service point with this register code.
    by_day: tuple[tuple[date | None, date | None, _Target], ...] = ()

    def on(self, day: date) -> _Target | None:
        """The register of the meter installed on ``day`` (see ``_installed_on``)."""
        if not self.by_day:
            return self
        return _installed_on(day, self.by_day)


@dataclass
class _Parsed:
    rows: list[_Row]
    errors: list[FormatError]
    ignored: int = 0
    # Radio files: telegram line → its reading flags ("alarm,fault"), when any.
    flags: dict[int, str] = field(default_factory=dict)
    # Interval files: the days of intervals behind their daily rows.
    intervals: list[IntervalDayRow] = field(default_factory=list)


# Millions of row tuples live until the insert: see engine.collector.
@collector.paused()
def import_readings(
    path_or_bytes: bytes | str | Path,
    *,
    fmt: str,
    branch: Branch,
    user: Any = None,
    filename: str = "",
    options: ImportOptions | None = None,
) -> ImportReport:
    """Import one file of readings into ``branch``; see the module docstring.

    Raises ``ImportRefused`` when the file is refused as a whole (unreadable, of
    another format, already imported, an unknown tariff or column map).
    """
    options = options or ImportOptions()
    if fmt not in FORMATS:
        raise ImportRefused(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    data, filename = _load(path_or_bytes, filename)
    # The batch keeps the cut name: every rejection names it, as the report does.
    filename = filename[:NAME_LENGTH]
    today = options.today or timezone.localdate()
    tariff = _tariff(branch, options, filename) if options.register_new else None
    if options.register_new and fmt not in BY_SERVICE_POINT:
        raise ImportRefused(
            f"{filename}: --register-new is for NEM12/NEM13, Green Button and MSCONS "
            "files"
        )

    try:
        parsed = _parse(data, fmt, filename, branch, options, today)
    except FormatError as error:
        raise ImportRefused(str(error.located(filename))) from error

    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        # One import at a time per branch: the duplicate checks below then hold.
        Branch.objects.select_for_update().filter(pk=branch.pk).first()
        _refuse_a_second_import(branch, digest, filename, options.again)
        batch = ImportBatch.objects.create(
            branch=branch,
            filename=filename[:255],
            format=fmt,
            sha256=digest,
            created_by=user if getattr(user, "pk", None) else None,
        )
        report = ImportReport(filename, fmt, batch.pk, values_ignored=parsed.ignored)
        report.rejected += parsed.errors
        if tariff is not None:
            report.service_points_created = _register_new(
                parsed.rows, fmt, branch, tariff, options, filename, user, today
            )
        readings = _accepted(parsed.rows, fmt, branch, batch, user, options, today)
        report.rejected += readings.rejected
        report.rejected.sort(key=lambda e: (e.file, e.line or 0))
        report.values_ignored += readings.ignored
        days = _file_days(parsed, readings.rows, fmt, branch)
        completed = _complete_days(days, readings, report, batch, user)
        kept, conflicts, replaced, late, late_again = _against_stored(
            readings.rows, readings.lines, filename, parsed.flags
        )
        report.late_actuals = late
        readings.rows = kept
        report.rejected += conflicts
        report.rejected.sort(key=lambda e: (e.file, e.line or 0))
        report.estimates_replaced = replaced
        report.rows_imported = insert_readings(readings.rows)
        if days:
            report.interval_days = insert_interval_days(
                _interval_rows(days, readings.rows, batch.pk)
            )
        _store_flags(batch, parsed.flags, readings.lines)
        stored_before = len(readings.rows) - report.rows_imported
        report.rows_duplicate = readings.duplicates + stored_before + late_again
        report.rows_imported += completed  # a stored partial day's reading, updated
        quarantine(batch, report.rejected, filename, options.batch_size)
        _close_batch(batch, report, branch, user)
    log.info(
        "readings imported",
        extra={
            "batch": batch.pk,
            "file": filename,
            "imported": report.rows_imported,
            "rejected": report.rows_rejected,
        },
    )
    return report


def save_column_map(
    branch: Branch,
    name: str,
    mapping: dict[str, str],
    *,
    fmt: str = "",
    date_format: str = "",
    user: Any = None,
) -> ColumnMap:
    """Create or replace a branch's column map (our column → their header)."""
    unknown = set(mapping) - set(
        csv_readings.COLUMNS + csv_readings.OPTIONAL_TEXT_COLUMNS
    )
    if unknown:
        raise ValueError(f"the column map names no column {sorted(unknown)[0]!r}")
    if date_format and date_format.upper() not in csv_readings.DATE_FORMATS:
        raise ValueError(f"unknown date format {date_format!r}")
    with transaction.atomic():
        before = ColumnMap.objects.filter(branch=branch, name=name).first()
        saved, _ = ColumnMap.objects.update_or_create(
            branch=branch,
            name=name,
            defaults={
                "format": fmt,
                "mapping": mapping,
                "date_format": date_format.upper(),
            },
        )
        trail.record(
            "readings.column_map",
            user=user,
            branch=branch,
            obj=saved,
            before=before and {"mapping": before.mapping, "format": before.format},
            after={"mapping": mapping, "format": fmt, "date_format": date_format},
        )
    return saved


def _load(path_or_bytes: bytes | str | Path, filename: str) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, bytes):
        return path_or_bytes, filename or "<input>"
    path = Path(path_or_bytes)
    try:
        return path.read_bytes(), filename or path.name
    except FileNotFoundError as e:
        raise ImportRefused(f"{path}: no such file") from e
    except IsADirectoryError as e:
        raise ImportRefused(f"{path}: is a directory, not a file") from e
    except OSError as e:
        raise ImportRefused(f"{path}: cannot be read ({e.strerror})") from e


def _tariff(branch: Branch, options: ImportOptions, filename: str) -> Tariff:
    if not options.tariff:
        raise ImportRefused(f"{filename}: --register-new needs --tariff CODE")
    tariff = (
        Tariff.objects.filter(
            organisation_id=branch.organisation_id, code=options.tariff
        )
        .select_related("utility")
        .first()
    )
    if tariff is None:
        raise ImportRefused(f"{filename}: unknown tariff {options.tariff!r}")
    return tariff


def _refuse_a_second_import(
    branch: Branch, digest: str, filename: str, again: bool
) -> None:
    earlier = (
        ImportBatch.objects.filter(branch=branch, sha256=digest).order_by("pk").first()
    )
    if earlier is not None and not again:
        raise ImportRefused(
            f"{filename}: already imported into branch {branch.code} as batch "
            f"{earlier.pk} ({earlier.filename}, {earlier.created_at:%Y-%m-%d %H:%M}); "
            "use --again to import it again"
        )


# Parsing: each format's reader, into rows matched later by (meter_ref, register).


def _parse(
    data: bytes,
    fmt: str,
    filename: str,
    branch: Branch,
    options: ImportOptions,
    today: date,
) -> _Parsed:
    if fmt == "nem12":
        return _parse_nem12(data, filename)
    if fmt == "greenbutton":
        return _parse_greenbutton(data, filename)
    if fmt == "mscons":
        return _parse_mscons(data, filename)
    if fmt == "wmbus":
        return _parse_wmbus(data, filename, branch)
    column_map, date_format = _column_map(branch, fmt, options.column_map, filename)
    if fmt == "csv":
        text = csv_readings.decode(data, filename)
        columns = csv_readings.read_columns(
            text,
            filename=filename,
            column_map=column_map,
            date_format=date_format,
            today=today,
            digits=(LIMIT_DIGITS, VALUE_PLACES),
            significant=_significant_digits(),
        )
        if columns is not None:
            # A sequence of rows that _accepted takes as columns.
            return _Parsed(cast("list[_Row]", _CsvRows(columns)), columns.errors)
        fields = csv_readings.read_fields(
            text,
            filename=filename,
            column_map=column_map,
            date_format=date_format,
            today=today,
        )
        return _Parsed([_Row(*f) for f in fields.rows], fields.errors)
    result = xlsx_readings.read(
        data,
        filename=filename,
        column_map=column_map,
        date_format=date_format,
        today=today,
    )
    return _Parsed([_from_reading_row(r) for r in result.rows], list(result.errors))


def _from_reading_row(r: ReadingRow, note: str = "") -> _Row:
    return _Row(
        r.line,
        r.meter_ref,
        r.register,
        r.read_on,
        r.kind,
        r.value,
        r.unit,
        r.quality,
        r.period_start,
        note,
    )


def _parse_nem12(data: bytes, filename: str) -> _Parsed:
    """NEM12 days and NEM13 reads. A NEM13 250 record gives a consumption row and,
    when present, the current register read: that index is kept in the consumption
    reading's note, so the register is billed from the quantities the meter data
    provider states (mixing indexes in would make the bill run difference them)."""
    result, intervals = nem12.read_with_intervals(data, filename=filename)
    rows: list[_Row] = []
    for r in result.rows:
        last = rows[-1] if rows else None
        if (
            r.kind == "index"
            and last is not None
            and (last.line, last.meter_ref, last.register)
            == (r.line, r.meter_ref, r.register)
        ):
            note = f"register read {r.value} {r.unit} on {r.read_on.isoformat()}"
            rows[-1] = last._replace(note=note[:200])
            continue
        rows.append(_from_reading_row(r))
    return _Parsed(rows, list(result.errors), intervals=intervals)


def _parse_greenbutton(data: bytes, filename: str) -> _Parsed:
    """Green Button daily rows (and longer periods, such as gas billing periods)
    named by usage point and meter reading, with their days of intervals."""
    result, intervals = greenbutton.read_with_intervals(data, filename=filename)
    rows = [_from_reading_row(r) for r in result.rows]
    return _Parsed(rows, list(result.errors), intervals=intervals)


def _parse_mscons(data: bytes, filename: str) -> _Parsed:
    """MSCONS daily rows named by metering location and register, with their days
    of quarter hours."""
    result, intervals = mscons.read_with_intervals(data, filename=filename)
    rows = [_from_reading_row(r) for r in result.rows]
    return _Parsed(rows, list(result.errors), intervals=intervals)


def _file_days(
    parsed: _Parsed, kept: Sequence[ReadingTuple], fmt: str, branch: Branch
) -> list[FileDay]:
    """The file's days of intervals whose daily reading was accepted, on the
    register of the meter installed that day, in the register's unit; a day given
    twice keeps its first copy (whose row is the reading)."""
    # register, day, period start, kind: a daily consumption reading
    accepted = {(r[0], r[1]) for r in kept if r[3] == "consumption" and r[2] == r[1]}
    if not parsed.intervals or not accepted:
        return []
    targets = _targets(parsed.rows, fmt, branch)  # the intervals' meters too
    out: list[FileDay] = []
    taken: set[tuple[int, date]] = set()
    for day in parsed.intervals:
        target = targets.get((day.meter_ref, day.register))
        target = target.on(day.day) if target is not None else None
        key = (target.register_id, day.day) if target is not None else None
        if target is None or key not in accepted or key in taken:
            continue
        taken.add(key)
        values = day.values
        if day.unit != target.unit:
            values = tuple(
                None if v is None else in_unit(v, day.unit, target.unit) for v in values
            )
            if sum(v is None for v in values) > sum(v is None for v in day.values):
                continue  # its reading was rejected for the unit already
        out.append(
            FileDay(
                target.register_id,
                day.day,
                day.minutes,
                values,
                day.shift_at,
                day.quality[:2],
                day.line,
                day.whole,
            )
        )
    return out


def _complete_days(
    days: Sequence[FileDay],
    readings: _Accepted,
    report: ImportReport,
    batch: ImportBatch,
    user: Any,
) -> int:
    """Complete the stored partial days the file's days add to
    (``metering.intervals.complete_days``): their rows leave the insert, counted as
    imported; a day all stored already is a duplicate; a conflict rejects the row.
    The completed readings, before and after, go into the audit trail. Returns
    the number of days completed."""
    if not days:
        return 0
    outcome = complete_days(days)
    done = outcome.completed.keys() | outcome.duplicates | outcome.conflicts.keys()
    if not done:
        return 0
    readings.rows = [
        r
        for r in readings.rows
        if not (r[3] == "consumption" and r[2] == r[1] and (r[0], r[1]) in done)
    ]
    readings.duplicates += len(outcome.duplicates)
    for (register_id, day), (name, message) in outcome.conflicts.items():
        report.rejected.append(
            InvalidValue(
                message,
                file=batch.filename,
                line=readings.lines.get((register_id, day, "consumption")),
                field=name,
            )
        )
    report.days_completed = len(outcome.completed)
    if outcome.completed:
        trail.record(
            "readings.complete_days",
            user=user if getattr(user, "pk", None) else None,
            branch=batch.branch,
            obj=batch,
            after={
                "days": [
                    {
                        "register": register_id,
                        "day": day.isoformat(),
                        "before": str(before),
                        "after": str(after),
                    }
                    for (register_id, day), (before, after) in sorted(
                        outcome.completed.items()
                    )
                ]
            },
        )
    return len(outcome.completed)


def _interval_rows(
    days: Sequence[FileDay], kept: Sequence[ReadingTuple], batch_id: int
) -> list[IntervalTuple]:
    """The file's days of intervals whose daily reading is stored (now or before,
    with the same value), as ``metering.intervals`` stores them. A day whose
    reading was rejected leaves its intervals out too."""
    accepted = {(r[0], r[1]) for r in kept if r[3] == "consumption" and r[2] == r[1]}
    return [
        (
            d.register_id,
            d.day,
            d.minutes,
            values_text(d.values, d.whole),
            d.shift_at,
            d.quality,
            batch_id,
        )
        for d in days
        if (d.register_id, d.day) in accepted
    ]


def _parse_wmbus(data: bytes, filename: str, branch: Branch) -> _Parsed:
    keys, problems = _radio_keys(branch, filename)
    try:
        time_zone = ZoneInfo(branch.time_zone)
    except (ValueError, ZoneInfoNotFoundError):
        raise InvalidFormat(
            f"branch {branch.code} has an unknown time zone {branch.time_zone!r}"
        ) from None
    result = wmbus.read(data, filename=filename, keys=keys, time_zone=time_zone)
    rows: list[_Row] = []
    ignored = 0
    flags = {t.line: ",".join(sorted(t.flags)) for t in result.rows if t.flags}
    for t in result.rows:
        if t.register in _WMBUS_CURRENT:
            code = ""
        elif t.register in _WMBUS_SET_DATE:
            code = SET_DATE_REGISTER
        else:
            ignored += 1
            continue
        rows.append(
            _Row(
                t.line, radio_ref(t.meter_id), code, t.read_on, "index", t.value, t.unit
            )
        )
    return _Parsed(rows, problems + list(result.errors), ignored, flags)


def _radio_keys(
    branch: Branch, filename: str
) -> tuple[dict[str, str], list[FormatError]]:
    """radio id → AES key of the branch's encrypted meters, the installed meter's
    when a removed one had the same id; a meter whose radio id or key is malformed
    is left out and reported (its telegrams stay unreadable), the others are read."""
    keys: dict[str, str] = {}
    problems: list[FormatError] = []
    meters = (
        Meter.objects.filter(branch=branch)
        .exclude(radio_id="")
        .exclude(aes_key="")
        .values_list("serial", "radio_id", "aes_key", "removed_on")
    )
    # Removed meters first, so that an installed meter's key wins.
    for serial, radio_id, key, _removed in sorted(meters, key=lambda m: m[3] is None):
        problem = radio_id_problem(radio_id) or aes_key_problem(key)
        if problem:
            problems.append(
                InvalidValue(
                    f"meter {serial}: {problem}; its telegrams cannot be decrypted "
                    "until the meter is corrected",
                    file=filename,
                    field="aes_key" if "AES" in problem else "radio_id",
                )
            )
            continue
        keys[radio_id] = key
    return keys, problems


def _by_radio_day(
    rows: Sequence[_Row], branch: Branch, filename: str
) -> tuple[list[_Row], _Accepted]:
    """Name each telegram row by the serial of the meter that carried its radio id
    on the row's day: installed on or before it, not removed before it (on an
    exchange day, the meter installed that day). A radio id no meter carries that
    day, or several do, rejects the line once; its other values are ignored, and so
    is a value the line's other values place on a meter."""
    refs = {r.meter_ref for r in rows}
    carriers: dict[str, list[tuple[str, date | None, date | None]]] = defaultdict(list)
    for serial, radio_id, installed_on, removed_on in (
        Meter.objects.filter(branch=branch)
        .exclude(radio_id="")
        .values_list("serial", "radio_id", "installed_on", "removed_on")
    ):
        if radio_ref(radio_id) in refs:
            carriers[radio_ref(radio_id)].append((serial, installed_on, removed_on))
    resolved = [(row, *_carrier(row, carriers.get(row.meter_ref, []))) for row in rows]
    # A set date before the meter's installation (a date set at the factory) does
    # not reject a telegram whose current value found its meter.
    placed = {(row.line, row.meter_ref) for row, carrier, _ in resolved if carrier}
    out = _Accepted()
    kept: list[_Row] = []
    told = set(placed)
    for row, carrier, problem in resolved:
        if carrier is not None:
            kept.append(row._replace(meter_ref=carrier))
        elif (row.line, row.meter_ref) in told:
            out.ignored += 1
        else:
            told.add((row.line, row.meter_ref))
            out.rejected.append(
                InvalidValue(problem, file=filename, line=row.line, field="meter")
            )
    return kept, out


def _carrier(
    row: _Row, meters: list[tuple[str, date | None, date | None]]
) -> tuple[str | None, str]:
    """The serial of the meter ``row`` belongs to, or None and why not."""
    if not meters:
        return None, f"unknown meter {row.meter_ref!r} in this branch"
    day = row.read_on
    if day is None:
        return meters[0][0], ""  # rejected later for its missing date
    on_day = [
        m
        for m in meters
        if (m[1] is None or m[1] <= day) and (m[2] is None or day <= m[2])
    ]
    if len(on_day) > 1:
        on_day = [m for m in on_day if m[2] is None or day < m[2]]
    if len(on_day) == 1:
        return on_day[0][0], ""
    if not on_day:
        return None, f"no meter with radio id {row.meter_ref!r} is installed on {day}"
    serials = ", ".join(sorted(m[0] for m in on_day))
    return None, (
        f"radio id {row.meter_ref!r} is set on several meters installed on {day} "
        f"({serials}): correct the meters, then import the file again"
    )


def _store_flags(
    batch: ImportBatch,
    flags: dict[int, str],
    lines: dict[tuple[int, date, str], int],
) -> None:
    """Write the telegrams' status words on the readings this batch stored: one
    query for the batch's readings, one update per distinct set of words."""
    if not flags:
        return
    by_flags: dict[str, list[int]] = defaultdict(list)
    stored = Reading.objects.filter(batch=batch).values_list(
        "pk", "register_id", "read_on", "kind"
    )
    for pk, register_id, read_on, kind in stored:
        words = flags.get(lines.get((register_id, read_on, kind), 0), "")
        if words:
            by_flags[words].append(pk)
    for words, pks in by_flags.items():
        for at in range(0, len(pks), 2000):
            Reading.objects.filter(pk__in=pks[at : at + 2000]).update(flags=words)


def _column_map(
    branch: Branch, fmt: str, name: str, filename: str
) -> tuple[dict[str, str] | None, str | None]:
    """The named map of the branch, or of the nearest branch above it."""
    if not name:
        return None, None
    ancestors = branch.lineage()
    found = {
        m.branch_id: m
        for m in ColumnMap.objects.filter(branch_id__in=ancestors or [branch.pk])
        .filter(name=name)
        .only("branch_id", "format", "mapping", "date_format")
    }
    chosen = next((found[pk] for pk in reversed(ancestors) if pk in found), None)
    if chosen is None:
        raise ImportRefused(f"{filename}: no column map {name!r} in this branch")
    if chosen.format and chosen.format != fmt:
        raise ImportRefused(
            f"{filename}: column map {name!r} is for {chosen.format}, not {fmt}"
        )
    return dict(chosen.mapping), chosen.date_format or None


# Matching rows to registers, with a fixed number of queries per file.


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for i in range(0, len(items), IN_CHUNK):
        yield items[i : i + IN_CHUNK]


def _registers_of(meter_ids: Iterable[int]) -> dict[tuple[int, str], _Target]:
    found: dict[tuple[int, str], _Target] = {}
    for ids in _chunks(set(meter_ids)):
        for pk, meter_id, code, unit in Register.objects.filter(
            meter_id__in=ids
        ).values_list("pk", "meter_id", "code", "unit"):
            found[(meter_id, code)] = _Target(pk, unit)
    return found


def _targets(
    rows: Sequence[_Row], fmt: str, branch: Branch
) -> dict[tuple[str, str], _Target]:
    """(meter_ref, register code) → register, for every pair the branch knows."""
    if isinstance(rows, _CsvRows):
        refs = rows.meter_refs()
    else:
        refs = {r.meter_ref for r in rows}
    meter_of: dict[str, list[int]] = defaultdict(list)
    if fmt in BY_SERVICE_POINT:
        for ids in _chunks(refs):
            for meter_id, nmi in Meter.objects.filter(
                branch=branch, service_point__identifier__in=ids
            ).values_list("pk", "service_point__identifier"):
                meter_of[nmi].append(meter_id)
    else:  # by serial; telegram rows are named by serial in _by_radio_day
        for ids in _chunks(refs):
            for meter_id, serial in Meter.objects.filter(
                branch=branch, serial__in=ids
            ).values_list("pk", "serial"):
                meter_of[serial].append(meter_id)

    registers = _registers_of(pk for ids in meter_of.values() for pk in ids)
    codes: dict[int, list[str]] = defaultdict(list)
    for meter_id, code in registers:
        codes[meter_id].append(code)
    targets: dict[tuple[str, str], _Target] = {}
    for ref, meter_ids in meter_of.items():
        for meter_id in meter_ids:
            for code in codes[meter_id]:
                targets.setdefault((ref, code), registers[(meter_id, code)])
            if len(codes[meter_id]) == 1 and fmt in ("csv", "xlsx"):
                # A file without a register column names single-register meters.
                targets.setdefault((ref, ""), registers[(meter_id, codes[meter_id][0])])
    if fmt in BY_SERVICE_POINT:
        return _exchanged(targets, meter_of, registers)
    return targets


def _exchanged(
    targets: dict[tuple[str, str], _Target],
    meter_of: dict[str, list[int]],
    registers: dict[tuple[int, str], _Target],
) -> dict[tuple[str, str], _Target]:
    """Service point formats: a register code that several meters of the service
    point carry (a meter exchange gives the new meter the old one's codes) takes,
    row by row, the meter installed on the row's day, as radio telegrams do; one
    query for the installation dates of those meters."""
    shared = {
        (ref, code): [m for m in meter_ids if (m, code) in registers]
        for ref, meter_ids in meter_of.items()
        if len(meter_ids) > 1
        for code in {c for m, c in registers if m in meter_ids}
    }
    shared = {key: meters for key, meters in shared.items() if len(meters) > 1}
    if not shared:
        return targets
    dates: dict[int, tuple[date | None, date | None]] = {}
    for ids in _chunks({m for meters in shared.values() for m in meters}):
        for pk, installed_on, removed_on in Meter.objects.filter(
            pk__in=ids
        ).values_list("pk", "installed_on", "removed_on"):
            dates[pk] = (installed_on, removed_on)
    for (ref, code), meters in shared.items():
        by_day = tuple((*dates[m], registers[(m, code)]) for m in sorted(meters))
        first = targets[(ref, code)]
        targets[(ref, code)] = _Target(first.register_id, first.unit, by_day)
    return targets


def _installed_on(
    day: date, meters: tuple[tuple[date | None, date | None, _Target], ...]
) -> _Target | None:
    """The register of the meter installed on ``day``: installed on or before it,
    not removed before it; on an exchange day, the meter installed that day. None
    when no meter, or more than one, is installed that day."""
    on_day = [
        m
        for m in meters
        if (m[0] is None or m[0] <= day) and (m[1] is None or day <= m[1])
    ]
    if len(on_day) > 1:
        on_day = [m for m in on_day if m[1] is None or day < m[1]]
    return on_day[0][2] if len(on_day) == 1 else None


@dataclass
class _Accepted:
    rows: list[ReadingTuple] = field(default_factory=list)  # bulk.READING_COLUMNS
    rejected: list[FormatError] = field(default_factory=list)
    duplicates: int = 0  # rows that repeat an earlier row of the same file
    ignored: int = 0
    # (register, day, kind) → the file's line, to name it in a later rejection.
    lines: dict[tuple[int, date, str], int] = field(default_factory=dict)


class _Rejection(NamedTuple):
    field: str
    message: str


def _against_stored(
    rows: list[ReadingTuple],
    lines: dict[tuple[int, date, str], int],
    filename: str,
    flags: dict[int, str],
) -> tuple[list[ReadingTuple], list[FormatError], int, int, int]:
    """Compare the rows with the readings stored for the same register, day and kind.

    The same value: a duplicate, left out by the insert. A stored estimate that no
    issued invoice used: replaced by the actual reading. A stored estimate that an
    issued invoice used: it stays (the billed period keeps its closing index) and the
    row is stored as a ``LateReading``, which the next bill's trace shows settling
    the difference; a second, different late reading of that day is rejected, the
    same one again is a duplicate. Any other different value: the row is rejected
    (quarantined) naming the stored reading, never dropped as a duplicate, so a late
    or corrected reading is not lost silently. A late reading keeps its telegram's
    status words (``flags``: line → words), as a stored reading does. Returns the
    rows to insert, the rejections, the estimates replaced, the late readings
    stored and the late readings that were stored already."""
    if not rows:
        return rows, [], 0, 0, 0
    from meterbill.invoicing.queries import days_invoiced

    registers = set(map(itemgetter(0), rows))
    days = list(map(itemgetter(1), rows))
    stored = {
        (reg, day, kind): (pk, value, status)
        for pk, reg, day, kind, value, status in Reading.objects.filter(
            register_id__in=registers, read_on__gte=min(days), read_on__lte=max(days)
        ).values_list("pk", "register_id", "read_on", "kind", "value", "status")
    }
    meets = [] if not stored else list(map(stored.__contains__, map(_KEY, rows)))
    if not any(meets):
        return rows, [], 0, 0, 0  # no row meets a stored reading
    late_before = _late_stored(registers, min(days), max(days))
    # the days of the stored estimates the rows differ from that an issued
    # invoice used: those estimates stay, the rows are late readings
    invoiced = days_invoiced(
        {
            (row[0], row[1])
            for row in compress(rows, meets)
            if stored[_KEY(row)][1] != row[4]
            and stored[_KEY(row)][2] == Reading.Status.ESTIMATED
        }
    )
    # The rows that meet none pass as they are; the others are looked at one by one.
    kept: list[ReadingTuple] = list(compress(rows, map(not_, meets)))
    conflicts: list[FormatError] = []
    replace: list[int] = []
    late: list[LateReading] = []
    late_again = 0
    for row in compress(rows, meets):
        found = stored.get((row[0], row[1], row[3]))
        if found is None or found[1] == row[4]:
            kept.append(row)
            continue
        pk, value, status = found
        if status == Reading.Status.ESTIMATED:
            if (row[0], row[1]) not in invoiced:
                replace.append(pk)
                kept.append(row)
                continue
            earlier = late_before.get((row[0], row[1]))
            if earlier is not None and earlier != row[4]:
                # Two actuals for one day: which one settles is for a person.
                conflicts.append(
                    InvalidValue(
                        f"{row[4]} conflicts with the late actual reading {earlier} "
                        f"of {row[1]} stored before; correct it through the "
                        "review queue",
                        file=filename,
                        line=lines.get((row[0], row[1], row[3])),
                        field="value",
                    )
                )
                continue
            if earlier is not None:
                late_again += 1  # the same late reading again: a duplicate
                continue
            late.append(
                LateReading(
                    register_id=row[0],
                    read_on=row[1],
                    value=row[4],
                    source=row[5],
                    flags=flags.get(lines.get((row[0], row[1], row[3]), 0), ""),
                    estimate_id=pk,
                    batch_id=row[9],
                )
            )
            continue
        conflicts.append(
            InvalidValue(
                f"{row[4]} conflicts with the stored {status} reading {value} of "
                f"{row[1]}; correct it through the review queue",
                file=filename,
                line=lines.get((row[0], row[1], row[3])),
                field="value",
            )
        )
    if replace:
        Reading.objects.filter(pk__in=replace).delete()
    LateReading.objects.bulk_create(late, ignore_conflicts=True)
    return kept, conflicts, len(replace), len(late), late_again


def _late_stored(
    registers: set[int], first: date, last: date
) -> dict[tuple[int, date], Decimal]:
    """(register, day) → the late actual reading stored for it (the last one, when
    an older import stored several)."""
    return {
        (register_id, day): value
        for register_id, day, value in LateReading.objects.filter(
            register_id__in=registers, read_on__gte=first, read_on__lte=last
        )
        .order_by("pk")
        .values_list("register_id", "read_on", "value")
    }


def _accepted(
    rows: Sequence[_Row],
    fmt: str,
    branch: Branch,
    batch: ImportBatch,
    user: Any,
    options: ImportOptions,
    today: date,
) -> _Accepted:
    """Check each row; return the readings to insert and the rows rejected.

    A row that repeats the (register, day, kind) of an earlier row of the file is a
    duplicate; one that repeats a stored reading is left out by the insert."""
    if isinstance(rows, _CsvRows):
        fast = _accepted_columns(rows, branch, batch, user, options, today)
        if fast is not None:
            return fast
    out = _Accepted()
    if fmt == "wmbus":
        rows, out = _by_radio_day(rows, branch, batch.filename)
    targets = _targets(rows, fmt, branch)
    if fmt == "wmbus":
        rows, by_unit = _wmbus_rows(rows, targets, batch.filename)
        out.rejected += by_unit.rejected
        out.ignored += by_unit.ignored
    known_meters = {ref for ref, _code in targets}
    source = options.source or (
        Reading.Source.RADIO if fmt == "wmbus" else Reading.Source.FILE
    )
    constants = (
        str(source),
        str(Reading.Status.ACTUAL),
        "",  # method
    )
    user_id = user.pk if getattr(user, "pk", None) else None
    batch_id, filename = batch.pk, batch.filename
    significant = _significant_digits()
    at = entered_at(timezone.now())
    seen: set[tuple[int, date, str]] = set()
    accept, reject = out.rows.append, out.rejected.append
    target_of = targets.get
    for row in rows:
        # The common row (a known register, a date, no unit to convert, a value
        # that fits) without a call; any other goes through _check, which says why.
        target = target_of((row.meter_ref, row.register))
        read_on, value = row.read_on, row.value
        if target is not None and target.by_day and read_on is not None:
            target = target.on(read_on)
        if (
            target is None
            or read_on is None
            or read_on > today
            or (row.unit and row.unit != target.unit)
            or not _fits(value, significant)
        ):
            outcome = _check(row, targets, known_meters, today)
            if isinstance(outcome, _Rejection):
                reject(
                    InvalidValue(
                        outcome.message,
                        file=filename,
                        line=row.line,
                        field=outcome.field,
                    )
                )
                continue
            register_id, read_on, value = outcome
        else:
            register_id = target.register_id
        key = (register_id, read_on, row.kind)
        if key in seen:
            out.duplicates += 1
            continue
        seen.add(key)
        out.lines[key] = row.line
        accept(
            (
                register_id,
                read_on,
                row.period_start,
                row.kind,
                value,
                *constants,
                row.quality[:2],
                batch_id,
                user_id,
                at,
                row.note,
                "",  # reader
                "",  # photo_ref
            )
        )
    return out


def _check(
    row: _Row,
    targets: dict[tuple[str, str], _Target],
    known_meters: set[str],
    today: date,
) -> tuple[int, date, Decimal] | _Rejection:
    """The register, day and value in the register's unit, or the field and message
    the row is rejected with."""
    target = targets.get((row.meter_ref, row.register))
    if (
        target is not None
        and row.read_on is not None
        and target.on(row.read_on) is None
    ):
        return _Rejection(
            "meter",
            f"no meter of {row.meter_ref!r} with register {row.register!r} is "
            f"installed on {row.read_on.isoformat()} (or several are)",
        )
    if target is not None and row.read_on is not None:
        target = target.on(row.read_on)
    if target is None:
        if row.meter_ref not in known_meters:
            return _Rejection(
                "meter", f"unknown meter {row.meter_ref!r} in this branch"
            )
        return _Rejection(
            "meter", f"meter {row.meter_ref!r} has no register {row.register!r}"
        )
    return _check_reading(row, target, today)


def _check_reading(
    row: _Row, target: _Target, today: date
) -> tuple[int, date, Decimal] | _Rejection:
    """``_check`` once the register is known."""
    if row.read_on is None:
        return _Rejection(
            "date", "the reading has no date (a telegram without a timestamp)"
        )
    if row.read_on > today:
        return _Rejection("date", f"{row.read_on.isoformat()} is in the future")
    value = in_unit(row.value, row.unit, target.unit)
    if value is None:
        return _Rejection("unit", f"{row.unit} cannot be stored in {target.unit}")
    if not _fits(value):
        return _Rejection("value", f"{row.value} exceeds the stored precision")
    significant = _significant_digits()
    if not _fits(value, significant):
        return _Rejection(
            "value",
            f"{row.value} has {_digits(value)} significant digits: the embedded "
            f"database (SQLite) keeps {significant}; PostgreSQL and MariaDB keep "
            f"{LIMIT_DIGITS} integer digits and {VALUE_PLACES} decimals",
        )
    return target.register_id, row.read_on, value


def _wmbus_rows(
    rows: Sequence[_Row], targets: dict[tuple[str, str], _Target], filename: str
) -> tuple[list[_Row], _Accepted]:
    """Keep, of each telegram's current values, the one in the register's unit.

    A heat meter sends energy and volume, a register holds one of them. A telegram
    of a known meter with no value in its register's unit is rejected; the set-date
    value of a meter without a ``set_date`` register is kept as information only.
    """
    out = _Accepted()
    kept: list[_Row] = []
    by_line: dict[tuple[int, str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        by_line[(row.line, row.meter_ref, row.register)].append(row)
    for (line, ref, code), group in by_line.items():
        target = targets.get((ref, code))
        if target is None and code == SET_DATE_REGISTER and (line, ref, "") in by_line:
            out.ignored += len(group)  # information only, or told with the current
            continue
        if target is None:
            kept.append(group[0])  # rejected as an unknown meter by the checks
            continue
        fitting = [r for r in group if in_unit(r.value, r.unit, target.unit)]
        if fitting:
            kept.append(fitting[0])
            continue
        units = ", ".join(sorted({r.unit for r in group}))
        out.rejected.append(
            InvalidValue(
                f"the telegram carries {units}, the register holds {target.unit}",
                file=filename,
                line=line,
                field="unit",
            )
        )
    return kept, out


def _fits(value: Decimal, significant: int | None = None) -> bool:
    """At most VALUE_PLACES decimals (trailing zeros count), below VALUE_LIMIT and,
    when ``significant`` is given (``_significant_digits``), with at most that
    many significant digits.

    The plain text of a Decimal (no exponent) has exactly -exponent digits after
    the point: reading it is five times quicker than ``as_tuple`` on millions of
    rows; a text with an exponent (or NaN, Infinity) takes the tuple. A text of at
    most ``significant`` characters has no more digits than that."""
    text = str(value)
    if "E" in text or not value.is_finite():
        exponent = value.as_tuple().exponent
        return (
            isinstance(exponent, int)
            and exponent >= -VALUE_PLACES
            and abs(value) < VALUE_LIMIT
            and (significant is None or _digits(value) <= significant)
        )
    point = text.find(".")
    decimals = 0 if point < 0 else len(text) - point - 1
    # |value| < 10 ** LIMIT_DIGITS exactly when its leading digit is below it
    return (
        decimals <= VALUE_PLACES
        and (not value or value.adjusted() < LIMIT_DIGITS)
        and (
            significant is None
            or len(text) <= significant
            or _digits(value) <= significant
        )
    )


def _digits(value: Decimal) -> int:
    """The significant digits of a finite value: from its first to its last
    non-zero digit (trailing zeros do not change what a double keeps)."""
    return len("".join(map(str, value.as_tuple().digits)).strip("0"))


def _significant_digits() -> int | None:
    """The significant digits the database keeps of a reading's value when it
    keeps fewer than the column's 20: SQLite's 15; None for PostgreSQL and
    MariaDB, whose numeric(20, 6) keeps every value that ``_fits``."""
    return SQLITE_DIGITS if connection.vendor == "sqlite" else None


def quarantine(
    batch: ImportBatch, errors: Sequence[FormatError], filename: str, size: int = 2000
) -> None:
    """Keep every rejected row of ``batch``: line, field and message, written as
    plain rows (a file may reject hundreds of thousands of them) in the batches of
    ``dbbulk``; ``size`` is no longer needed and kept for the callers."""
    insert_rows(
        RejectedRow,
        ("batch_id", "file", "line", "field", "message"),
        (
            (
                batch.pk,
                "" if e.file in ("", filename) else e.file[:255],
                e.line,
                (e.field or "")[:64],
                e.message,
            )
            for e in errors
        ),
    )


def store_counts(batch: ImportBatch, report: Any) -> None:
    """Save a report's row counts (read, imported, duplicate, rejected) on its batch."""
    batch.rows_read = report.rows_read
    batch.rows_imported = report.rows_imported
    batch.rows_duplicate = report.rows_duplicate
    batch.rows_rejected = report.rows_rejected
    batch.save(
        update_fields=["rows_read", "rows_imported", "rows_duplicate", "rows_rejected"]
    )


def _close_batch(
    batch: ImportBatch, report: ImportReport, branch: Branch, user: Any
) -> None:
    store_counts(batch, report)
    trail.record(
        "readings.import",
        user=user if getattr(user, "pk", None) else None,
        branch=branch,
        obj=batch,
        after={
            "file": batch.filename,
            "format": batch.format,
            "sha256": batch.sha256,
            "rows_read": report.rows_read,
            "rows_imported": report.rows_imported,
            "rows_duplicate": report.rows_duplicate,
            "rows_rejected": report.rows_rejected,
            "service_points_created": report.service_points_created,
        },
    )


# NEM12/NEM13 onboarding: unknown NMIs become billable service points.


# What a new service point is called, by the format that names it.
POINT_WORDS = {"nem12": "NMI", "greenbutton": "Usage point", "mscons": "Location"}


def _role(suffix: str, fmt: str = "nem12") -> str:
    """The register's role: for NEM12 from the first letter of the NMI suffix
    (AEMO NMI Procedure: E import, B export, Q and K reactive; other data streams
    are kept for information). A Green Button meter reading is consumption; an
    MSCONS register is consumption unless its OBIS code says export (x-x:2.8.x)."""
    if fmt == "mscons" and ":2.8." in suffix:
        return Register.Role.EXPORT
    if fmt != "nem12":
        return Register.Role.CONSUMPTION
    return {
        "E": Register.Role.CONSUMPTION,
        "B": Register.Role.EXPORT,
        "Q": Register.Role.REACTIVE,
        "K": Register.Role.REACTIVE,
    }.get(suffix[:1].upper(), Register.Role.INFO)


def _register_new(
    rows: Sequence[_Row],
    fmt: str,
    branch: Branch,
    tariff: Tariff,
    options: ImportOptions,
    filename: str,
    user: Any,
    today: date,
) -> int:
    """Create what the file's unknown NMIs and suffixes need; return the number of
    service points created.

    Only an NMI and suffix with at least one row that the checks will accept is
    onboarded: a channel whose every row is rejected creates nothing."""
    units, first_day = _accepted_units(rows, tariff.utility.unit, today)
    if first_day is None:
        return 0
    nmis = {nmi for nmi, _s in units}
    known = set(
        ServicePoint.objects.filter(branch=branch, identifier__in=nmis).values_list(
            "identifier", flat=True
        )
    )
    new = sorted(nmis - known)
    word = POINT_WORDS[fmt]
    prefix = options.customer_prefix
    _refuse_clashes(branch, new, prefix, filename)

    ServicePoint.objects.bulk_create(
        [
            ServicePoint(branch=branch, identifier=nmi, name=f"{word} {nmi}")
            for nmi in new
        ]
    )
    sp_of = dict(
        ServicePoint.objects.filter(branch=branch, identifier__in=nmis).values_list(
            "identifier", "pk"
        )
    )
    meter_of = _meters_for(branch, sp_of, tariff, first_day)
    existing = _registers_of(meter_of.values())
    Register.objects.bulk_create(
        [
            Register(
                meter_id=meter_of[nmi],
                code=suffix,
                unit=unit,
                role=_role(suffix, fmt),
            )
            for (nmi, suffix), unit in sorted(units.items())
            if (meter_of[nmi], suffix) not in existing
        ]
    )
    _contracts_for(branch, new, sp_of, tariff, prefix, first_day, word)
    if new:
        trail.record(
            "servicepoints.register",
            user=user if getattr(user, "pk", None) else None,
            branch=branch,
            object_type="premises.servicepoint",
            after={"file": filename, "nmis": new, "tariff": tariff.code},
        )
    return len(new)


def _accepted_units(
    rows: Sequence[_Row], utility_unit: str, today: date
) -> tuple[dict[tuple[str, str], str], date | None]:
    """(NMI, suffix) → the unit of its register, for the channels with a row that
    passes the checks of ``_check_reading`` (the first such row sets the unit); and
    the first day such a row covers (None: no row passes)."""
    units: dict[tuple[str, str], str] = {}
    first_day: date | None = None
    for r in rows:
        key = (r.meter_ref, r.register)
        unit = units.get(key) or _register_unit(r.unit, utility_unit)
        if isinstance(_check_reading(r, _Target(0, unit), today), _Rejection):
            continue
        units.setdefault(key, unit)
        day = r.period_start or r.read_on
        if day is not None and (first_day is None or day < first_day):
            first_day = day
    return units, first_day


def _register_unit(file_unit: str, utility_unit: str) -> str:
    """The utility's unit when the file's converts to it (Wh → kWh), else the file's."""
    if file_unit and in_unit(Decimal(1), file_unit, utility_unit) is not None:
        return utility_unit
    return file_unit or utility_unit


def _refuse_clashes(
    branch: Branch, new: Sequence[str], prefix: str, filename: str
) -> None:
    codes = [f"{prefix}{nmi}"[:32] for nmi in new]
    taken = [
        *Meter.objects.filter(branch=branch, serial__in=new).values_list(
            "serial", flat=True
        )[:1],
        *Customer.objects.filter(branch=branch, code__in=codes).values_list(
            "code", flat=True
        )[:1],
        *Contract.objects.filter(branch=branch, number__in=codes).values_list(
            "number", flat=True
        )[:1],
    ]
    if taken:
        raise ImportRefused(
            f"{filename}: {taken[0]!r} is already used in branch {branch.code} by "
            "another meter, customer or contract; choose a --customer-prefix"
        )


def _meters_for(
    branch: Branch, sp_of: dict[str, int], tariff: Tariff, first_day: date
) -> dict[str, int]:
    """NMI → its meter (the first, when a service point has several)."""
    nmi_of = {pk: nmi for nmi, pk in sp_of.items()}
    meter_of: dict[str, int] = {}
    for pk, sp_id in (
        Meter.objects.filter(service_point_id__in=nmi_of)
        .order_by("-pk")
        .values_list("pk", "service_point_id")
    ):
        meter_of[nmi_of[sp_id]] = pk
    missing = [nmi for nmi in sp_of if nmi not in meter_of]
    Meter.objects.bulk_create(
        [
            Meter(
                branch=branch,
                kind=Meter.Kind.SERVICE_POINT,
                utility_id=tariff.utility_id,
                serial=nmi,
                service_point_id=sp_of[nmi],
                installed_on=first_day,
            )
            for nmi in missing
        ]
    )
    meter_of.update(
        Meter.objects.filter(branch=branch, serial__in=missing).values_list(
            "serial", "pk"
        )
    )
    return meter_of


def _contracts_for(
    branch: Branch,
    new: Sequence[str],
    sp_of: dict[str, int],
    tariff: Tariff,
    prefix: str,
    first_day: date,
    word: str,
) -> None:
    codes = {nmi: f"{prefix}{nmi}"[:32] for nmi in new}
    Customer.objects.bulk_create(
        [
            Customer(
                branch=branch,
                code=code,
                name=f"{prefix}{nmi}" if prefix else f"{word} {nmi}",
                kind=Customer.Kind.PERSON,
            )
            for nmi, code in codes.items()
        ]
    )
    customer_of = dict(
        Customer.objects.filter(branch=branch, code__in=codes.values()).values_list(
            "code", "pk"
        )
    )
    Contract.objects.bulk_create(
        [
            Contract(
                branch=branch,
                number=code,
                customer_id=customer_of[code],
                service_point_id=sp_of[nmi],
                valid_from=first_day,
            )
            for nmi, code in codes.items()
        ]
    )
    ContractService.objects.bulk_create(
        [
            ContractService(contract_id=pk, utility_id=tariff.utility_id, tariff=tariff)
            for pk in Contract.objects.filter(
                branch=branch, number__in=codes.values()
            ).values_list("pk", flat=True)
        ]
    )


# CSV files read as columns (csv_readings.read_columns): the common rows of a file
# are checked and made into readings a column at a time.


_KEY = itemgetter(0, 1, 3)  # a reading tuple's register, day and kind


class _CsvRows(Sequence[_Row]):
    """The rows of a CSV file read as columns. As a sequence it gives every good
    row in line order (made on first use); ``_accepted`` reads the columns."""

    def __init__(self, columns: csv_readings.Columns) -> None:
        self.columns = columns
        self._rows: list[_Row] | None = None

    def meter_refs(self) -> set[str]:
        return set(self.columns.meters) | {f.meter_ref for f in self.columns.rest}

    def _all(self) -> list[_Row]:
        if self._rows is None:
            self._rows = [_Row(*f) for f in self.columns.fields()]
        return self._rows

    def __len__(self) -> int:
        return len(self.columns.lines) + len(self.columns.rest)

    def __iter__(self) -> Iterator[_Row]:
        return iter(self._all())

    @overload
    def __getitem__(self, index: int) -> _Row: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[_Row]: ...

    def __getitem__(self, index: int | slice) -> _Row | Sequence[_Row]:
        return self._all()[index]


def _accepted_columns(
    rows: _CsvRows,
    branch: Branch,
    batch: ImportBatch,
    user: Any,
    options: ImportOptions,
    today: date,
) -> _Accepted | None:
    """``_accepted`` of a CSV file read as columns; None when a row off the common
    path is accepted or two rows name the same register and day, which the row by
    row checks then order.

    A common row (``read_columns``: a stripped serial, an ISO date, a value that
    fits) of a single-register meter, dated up to ``today``, is accepted as it is;
    its reading is made a column at a time. Any other row takes ``_check`` and is
    rejected as there."""
    columns = rows.columns
    targets = _targets(rows, "csv", branch)
    register_of = {ref: t.register_id for (ref, code), t in targets.items() if not code}
    found = list(map(register_of.get, columns.meters))
    lines, days, values = columns.lines, columns.days, columns.values
    off: list[_Row] = [_Row(*f) for f in columns.rest]
    if None in found or max(days, default=today) > today:
        keep = [r is not None and d <= today for r, d in zip(found, days, strict=True)]
        off += [
            _Row(line, meter, "", day, "index", Decimal(value), "", "A")
            for line, meter, day, value, kept in zip(
                lines, columns.meters, days, values, keep, strict=True
            )
            if not kept
        ]
        lines, found, days, values = (
            list(compress(lines, keep)),
            list(compress(found, keep)),
            list(compress(days, keep)),
            list(compress(values, keep)),
        )
    registers = cast("list[int]", found)

    out = _Accepted()
    known_meters = {ref for ref, _code in targets}
    for row in off:
        outcome = _check(row, targets, known_meters, today)
        if not isinstance(outcome, _Rejection):
            return None
        out.rejected.append(
            InvalidValue(
                outcome.message,
                file=batch.filename,
                line=row.line,
                field=outcome.field,
            )
        )
    out.lines = dict(zip(zip(registers, days, repeat("index")), lines, strict=True))
    if len(out.lines) < len(lines):
        return None

    source = options.source or Reading.Source.FILE
    shared = (
        str(source),
        str(Reading.Status.ACTUAL),
        "",  # method
        "A",  # quality
        batch.pk,
        user.pk if getattr(user, "pk", None) else None,
        entered_at(timezone.now()),
        "",  # note
        "",  # reader
        "",  # photo_ref
    )
    out.rows = list(
        zip(
            registers,
            days,
            repeat(None),  # period_start
            repeat("index"),
            map(Decimal, values),
            *map(repeat, shared),
        )
    )
    return out
