"""AEMO MDFF reader: NEM12 interval data and NEM13 accumulation data.

Follows the AEMO "Meter Data File Format Specification NEM12 & NEM13". A file is
a 100 header, the data blocks, and a 900 end-of-data record:

- NEM12: a 200 record (NMI data details) starts a channel; each 300 record holds one
  day of interval values; 400 records give the quality of interval ranges when the
  300 record's QualityMethod is ``V``; 500 records (B2B details) are ignored.
- NEM13: each 250 record holds one accumulation read (previous and current register
  reads and the quantity between them); 550 records (B2B details) are ignored.

A NEM12 day becomes one consumption row (the sum of its intervals) and, from
``read_with_intervals``, one day of intervals (NEM time has no daylight saving: a
day always has ``1440 / IntervalLength`` of them). A day given twice for an NMI and
suffix with the same values is returned twice (the import counts a duplicate), its
intervals once; with other values every copy is rejected. A NEM13 250
record becomes one consumption row and, when the current register read is given, one
index row. The consumption of a 250 record covers the days *after* the previous read
date up to and including the current read date: a read closes the day it is taken
on, so the next period starts the day after, and consecutive records never overlap.

Numbers are taken from the text straight into Decimal; nemreader supplies the
record structures (200, 400) and the MDFF date parser.

A file whose structure is wrong (no header, no end record, interval counts that do
not match the interval length, 400 records that do not cover the day) raises
``InvalidFormat``: an MDFF file is delivered and accepted whole. A single day or
read whose value cannot be read is reported in ``ReadResult.errors`` and left out.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from nemreader.nem_objects import EventRecord, NmiDetails
from nemreader.nem_reader import parse_200_row, parse_400_row, parse_datetime

from .errors import FormatError, InvalidFormat, InvalidValue, ReadResult
from .intervals import IntervalDayRow
from .readings import ReadingRow

MINUTES_PER_DAY = 24 * 60

# Zip bombs: an archive with more members, or more bytes once inflated, is refused
# before it fills the memory. The sizes in the zip headers are checked first; since
# headers can lie, the total is enforced again while the members are inflated.
MAX_MEMBERS = 1000
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
_CHUNK_BYTES = 1024 * 1024

RECORD_INDICATORS = frozenset({"100", "200", "250", "300", "400", "500", "550", "900"})

# MDFF QualityMethod: a quality flag, optionally followed by a two-digit method.
_QUALITY = re.compile(r"[AESFNV][0-9]{0,2}")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")

# MDFF UOM values (case-insensitive in the wild) to the spelling we store.
_UNITS = {
    u.lower(): u
    for u in (
        "MWh kWh Wh MVArh kVArh VArh MVAh kVAh VAh MW kW W MVAr kVAr VAr "
        "MVA kVA VA kV V kA A pf"
    ).split()
}

# 250 record fields, by position.
_F250 = (
    "RecordIndicator NMI NMIConfiguration RegisterID NMISuffix MDMDataStreamIdentifier "
    "MeterSerialNumber DirectionIndicator PreviousRegisterRead "
    "PreviousRegisterReadDateTime PreviousQualityMethod PreviousReasonCode "
    "PreviousReasonDescription CurrentRegisterRead CurrentRegisterReadDateTime "
    "CurrentQualityMethod CurrentReasonCode CurrentReasonDescription Quantity UOM"
).split()
_I250 = {name: i for i, name in enumerate(_F250)}


@dataclass
class _Record:
    line: int
    fields: list[str]


@dataclass
class _Day:
    """A 300 record waiting for the 400 records that may follow it."""

    line: int
    date: datetime.date | None  # None: the record was rejected, skip its 400s
    values: list[Decimal]
    quality: str
    events: list[tuple[int, int, int, str]] = field(default_factory=list)


def read(data: bytes | str, *, filename: str = "") -> ReadResult[ReadingRow]:
    """Read a NEM12 or NEM13 file, plain or zipped (every member is a file)."""
    return read_with_intervals(data, filename=filename)[0]


def read_with_intervals(
    data: bytes | str, *, filename: str = ""
) -> tuple[ReadResult[ReadingRow], list[IntervalDayRow]]:
    """``read``, and the intervals of every NEM12 day it returns a row for."""
    result: ReadResult[ReadingRow] = ReadResult()
    intervals: list[IntervalDayRow] = []
    days = _DaysGiven()
    for member, text in _members(data, filename):
        _read_text(text, member, result, intervals, days)
    days.drop_conflicting(result, intervals)
    return result, intervals


class _DaysGiven:
    """The NEM12 days read so far, across the members of a zip: a day given again
    with the same values and quality is a duplicate (its row is returned again, for
    the import to count, its intervals are not); given again with others, every
    copy of it is rejected, naming the other lines (which one is right is for a
    person to say)."""

    def __init__(self) -> None:
        # (NMI, suffix, day) → (file, line, values, quality) of its first copy
        self.first: dict[
            tuple[str, str, datetime.date],
            tuple[str, int, tuple[Decimal | None, ...], str],
        ] = {}
        # (NMI, suffix, day) → the (file, line) of every copy, when they differ
        self.conflicts: dict[tuple[str, str, datetime.date], list[tuple[str, int]]]
        self.conflicts = {}

    def again(self, day: IntervalDayRow, file: str) -> bool:
        """Whether the day was given before (the caller keeps its row only)."""
        key = (day.meter_ref, day.register, day.day)
        given = self.first.get(key)
        if given is None:
            self.first[key] = (file, day.line, day.values, day.quality)
            return False
        if key in self.conflicts or given[2:] != (day.values, day.quality):
            self.conflicts.setdefault(key, [given[:2]]).append((file, day.line))
        return True

    def drop_conflicting(
        self, result: ReadResult[ReadingRow], intervals: list[IntervalDayRow]
    ) -> None:
        if not self.conflicts:
            return
        result.rows[:] = [
            r
            for r in result.rows
            if r.kind != "consumption"
            or (r.meter_ref, r.register, r.read_on) not in self.conflicts
        ]
        intervals[:] = [
            d
            for d in intervals
            if (d.meter_ref, d.register, d.day) not in self.conflicts
        ]
        for (nmi, suffix, day), places in self.conflicts.items():
            for file, line in places:
                others = ", ".join(str(n) for f, n in places if (f, n) != (file, line))
                result.errors.append(
                    InvalidValue(
                        f"{day.isoformat()} of NMI {nmi} suffix {suffix} is given "
                        f"again with other values (line {others}): the day is "
                        "rejected",
                        file=file,
                        line=line,
                        field="IntervalDate",
                    )
                )


def channel_totals(
    data: bytes | str, filename: str = ""
) -> dict[tuple[str, str], Decimal]:
    """Total consumption per (NMI, NMI suffix) over the whole file."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in read(data, filename=filename).rows:
        if row.kind == "consumption":
            totals[(row.meter_ref, row.register)] += row.value
    return dict(totals)


def normalise_unit(uom: str) -> str:
    """``KWH`` → ``kWh``, ``kvarh`` → ``kVArh``; an unknown unit is kept as given."""
    uom = uom.strip()
    return _UNITS.get(uom.lower(), uom)


def _members(data: bytes | str, filename: str) -> list[tuple[str, str]]:
    if isinstance(data, str):
        return [(filename, data)]
    if not data.startswith(b"PK"):
        return [(filename, _decode(data, filename))]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            _check_sizes(infos, filename)
            members = []
            budget = MAX_UNZIPPED_BYTES
            for info in infos:
                name = f"{filename}/{info.filename}"
                raw = _inflate(archive, info, budget, name)
                budget -= len(raw)
                members.append((name, _decode(raw, name)))
            return members
    except FormatError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        raise InvalidFormat(f"not a readable zip archive ({e})", file=filename) from e
    except (NotImplementedError, RuntimeError, ValueError) as e:
        raise InvalidFormat(f"unsupported zip archive ({e})", file=filename) from e


def _check_sizes(infos: list[zipfile.ZipInfo], filename: str) -> None:
    """Refuse an archive whose headers announce too many members or bytes."""
    if not infos:
        raise InvalidFormat("the zip archive holds no files", file=filename)
    if len(infos) > MAX_MEMBERS:
        raise InvalidFormat(
            f"the zip archive holds {len(infos)} files, more than {MAX_MEMBERS}",
            file=filename,
        )
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_UNZIPPED_BYTES:
            raise InvalidFormat(
                f"the zip archive inflates to more than {MAX_UNZIPPED_BYTES} bytes",
                file=f"{filename}/{info.filename}",
            )


def _inflate(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, name: str
) -> bytearray:
    """The member's bytes, read in chunks and refused as soon as they pass
    ``budget`` (whatever its header says its size is)."""
    raw = bytearray()
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK_BYTES):
            raw += chunk
            if len(raw) > budget:
                raise InvalidFormat(
                    f"the zip archive inflates to more than {MAX_UNZIPPED_BYTES} bytes",
                    file=name,
                )
    return raw


def _decode(raw: bytes | bytearray, file: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidFormat("the file is not text (neither UTF-8 nor cp1252)", file=file)


def _records(text: str, file: str) -> list[_Record]:
    """Split the text into records; a line ending in a comma may be wrapped.

    Some senders wrap long 300 records over several lines. A line that does not start
    with a record indicator continues the previous record when that one ended with a
    comma; anything else is an unknown record.
    """
    records: list[_Record] = []
    joined = ""
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        head = line.split(",", 1)[0].strip()
        if head not in RECORD_INDICATORS and records and joined.endswith(","):
            joined += line
            records[-1].fields = [f.strip() for f in joined.split(",")]
            continue
        if head not in RECORD_INDICATORS:
            raise InvalidFormat(
                f"unknown record indicator {head[:20]!r}",
                file=file,
                line=number,
                field="RecordIndicator",
            )
        joined = line
        records.append(_Record(number, [f.strip() for f in line.split(",")]))
    return records


def _read_text(
    text: str,
    file: str,
    result: ReadResult[ReadingRow],
    intervals: list[IntervalDayRow],
    days: _DaysGiven,
) -> None:
    records = _records(text, file)
    if not records:
        raise InvalidFormat("the file is empty", file=file)
    header = records[0]
    if header.fields[0] != "100":
        raise InvalidFormat(
            "the file does not start with a header (100) record",
            file=file,
            line=header.line,
            field="RecordIndicator",
        )
    version = header.fields[1].upper() if len(header.fields) > 1 else ""
    if version not in ("NEM12", "NEM13"):
        raise InvalidFormat(
            f"expected NEM12 or NEM13, found {version[:20]!r}",
            file=file,
            line=header.line,
            field="VersionHeader",
        )
    body = _body(records, file)
    if version == "NEM12":
        _Nem12Reader(file, result, intervals, days).read(body)
    else:
        _read_nem13(body, file, result)


def _body(records: list[_Record], file: str) -> list[_Record]:
    """The records between the header and the 900 record, which must be last."""
    ends = [i for i, r in enumerate(records) if r.fields[0] == "900"]
    if not ends:
        raise InvalidFormat(
            "no end-of-data (900) record: the file is truncated",
            file=file,
            line=records[-1].line,
            field="RecordIndicator",
        )
    if ends[0] != len(records) - 1:
        raise InvalidFormat(
            "a record follows the end-of-data (900) record",
            file=file,
            line=records[ends[0] + 1].line,
            field="RecordIndicator",
        )
    body = records[1 : ends[0]]
    data_kinds = {"200", "250"} & {r.fields[0] for r in body}
    if not data_kinds:
        raise InvalidFormat(
            "the file holds no meter data (no 200 or 250 record)",
            file=file,
            line=records[ends[0]].line,
        )
    return body


def _date8(text: str) -> datetime.date | None:
    if len(text) < 8 or not text[:8].isdigit():
        return None
    parsed = parse_datetime(text)
    return parsed.date() if parsed is not None else None


def _decimal(text: str) -> Decimal | None:
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


class _Nem12Reader:
    """Walks the 200/300/400 blocks of one NEM12 file."""

    def __init__(
        self,
        file: str,
        result: ReadResult[ReadingRow],
        intervals: list[IntervalDayRow],
        days: _DaysGiven,
    ) -> None:
        self.file = file
        self.result = result
        self.intervals = intervals
        self.days = days
        self.details: NmiDetails | None = None
        self.day: _Day | None = None

    def read(self, body: list[_Record]) -> None:
        handlers = {"200": self._nmi, "300": self._interval, "400": self._event}
        for record in body:
            kind = record.fields[0]
            if kind in ("250", "550", "100"):
                raise self._error(record, "RecordIndicator", f"no {kind} record here")
            if kind in handlers:
                handlers[kind](record)
        self._close_day()

    def _error(self, record: _Record, field_name: str, message: str) -> InvalidFormat:
        return InvalidFormat(
            message, file=self.file, line=record.line, field=field_name
        )

    def _nmi(self, record: _Record) -> None:
        self._close_day()
        f = record.fields
        if len(f) < 9:
            raise self._error(record, "IntervalLength", "the 200 record is too short")
        if not f[1]:
            raise self._error(record, "NMI", "the NMI is empty")
        if not f[4]:
            raise self._error(record, "NMISuffix", "the NMI suffix is empty")
        if not f[8].isdigit() or int(f[8]) == 0 or MINUTES_PER_DAY % int(f[8]):
            raise self._error(
                record, "IntervalLength", f"{f[8][:20]!r} does not divide a day"
            )
        self.details = parse_200_row(f)

    def _interval(self, record: _Record) -> None:
        self._close_day()
        details = self.details
        if details is None:
            raise self._error(
                record, "RecordIndicator", "a 300 record before any 200 record"
            )
        expected = MINUTES_PER_DAY // details.interval_length
        f = record.fields
        quality_at = next(
            (i for i in range(2, len(f)) if _QUALITY.fullmatch(f[i])), None
        )
        if quality_at is None:
            raise self._error(record, "QualityMethod", "no quality method found")
        if quality_at - 2 != expected:
            raise self._error(
                record,
                "IntervalValue",
                f"expected {expected} interval values for a "
                f"{details.interval_length}-minute interval length, "
                f"found {quality_at - 2}",
            )
        day = self._day_date(record)
        values = self._day_values(record, expected) if day else None
        if values is None:
            day = None  # rejected: its 400 records are still checked, then dropped
        self.day = _Day(record.line, day, values or [], f[quality_at])

    def _day_date(self, record: _Record) -> datetime.date | None:
        day = _date8(record.fields[1]) if len(record.fields[1]) == 8 else None
        if day is None:
            self._reject(record, "IntervalDate", "not a date (YYYYMMDD)")
        return day

    def _day_values(self, record: _Record, expected: int) -> list[Decimal] | None:
        values = []
        for i, text in enumerate(record.fields[2 : 2 + expected], start=1):
            value = _decimal(text)
            if value is None:
                self._reject(record, f"IntervalValue{i}", f"{text[:20]!r} is no number")
                return None
            values.append(value)
        return values

    def _reject(self, record: _Record, field_name: str, message: str) -> None:
        self.result.errors.append(
            InvalidValue(message, file=self.file, line=record.line, field=field_name)
        )

    def _event(self, record: _Record) -> None:
        day, details = self.day, self.details
        if day is None or details is None:
            raise self._error(record, "RecordIndicator", "a 400 record without a 300")
        if not day.quality.startswith("V"):
            raise self._error(
                record,
                "RecordIndicator",
                f"a 400 record for a day of quality {day.quality}, not V",
            )
        f = (record.fields + [""] * 6)[:6]
        count = MINUTES_PER_DAY // details.interval_length
        for name, text in (("StartInterval", f[1]), ("EndInterval", f[2])):
            if not text.isdigit() or not 1 <= int(text) <= count:
                raise self._error(
                    record,
                    name,
                    f"{text[:20]!r} is not an interval of a day of {count} "
                    f"{details.interval_length}-minute intervals",
                )
        if int(f[2]) < int(f[1]):
            raise self._error(record, "EndInterval", "ends before it starts")
        if not _QUALITY.fullmatch(f[3]) or f[3].startswith("V"):
            raise self._error(record, "QualityMethod", f"{f[3][:20]!r} is not valid")
        event = EventRecord(*parse_400_row(f, details.interval_length))
        day.events.append(
            (
                record.line,
                event.start_interval,
                event.end_interval,
                event.quality_method,
            )
        )

    def _close_day(self) -> None:
        day, details = self.day, self.details
        self.day = None
        if day is None or details is None:
            return
        quality = day.quality[0]
        if quality == "V":
            flags = self._check_events(day, details.interval_length)
            quality = flags.pop() if len(flags) == 1 else "V"
        if day.date is None:
            return
        unit = normalise_unit(details.uom)
        self.result.rows.append(
            ReadingRow(
                line=day.line,
                meter_ref=details.nmi,
                register=details.nmi_suffix,
                read_on=day.date,
                value=sum(day.values, Decimal(0)),
                kind="consumption",
                unit=unit,
                quality=quality,
                period_start=day.date,
                meter_serial=details.meter_serial_number,
                source_ref=f"NEM12 300-record at line {day.line}",
            )
        )
        given = IntervalDayRow(
            day.line,
            details.nmi,
            details.nmi_suffix,
            day.date,
            details.interval_length,
            tuple(day.values),
            unit,
            quality,
        )
        if not self.days.again(given, self.file):
            self.intervals.append(given)

    def _check_events(self, day: _Day, minutes: int) -> set[str]:
        """The 400 records of a V day must cover its intervals once each."""
        count = MINUTES_PER_DAY // minutes
        if not day.events:
            raise InvalidFormat(
                "quality V needs interval event (400) records, found none",
                file=self.file,
                line=day.line,
                field="QualityMethod",
            )
        following = 1
        for line, start, end, _ in sorted(day.events, key=lambda e: e[1]):
            if start != following:
                raise InvalidFormat(
                    f"starts at interval {start}; interval {following} is "
                    + ("covered twice" if start < following else "not covered"),
                    file=self.file,
                    line=line,
                    field="StartInterval",
                )
            following = end + 1
        if following != count + 1:
            line = max(day.events, key=lambda e: e[2])[0]
            raise InvalidFormat(
                f"the 400 records end at interval {following - 1}, "
                f"but a day of {minutes}-minute intervals has {count}",
                file=self.file,
                line=line,
                field="EndInterval",
            )
        return {quality[0] for *_, quality in day.events}


def _read_nem13(body: list[_Record], file: str, result: ReadResult[ReadingRow]) -> None:
    for record in body:
        kind = record.fields[0]
        if kind in ("200", "300", "400", "500", "100"):
            raise InvalidFormat(
                f"no {kind} record in a NEM13 file",
                file=file,
                line=record.line,
                field="RecordIndicator",
            )
        if kind != "250":
            continue
        if len(record.fields) < len(_F250):
            raise InvalidFormat(
                f"the 250 record has {len(record.fields)} fields, "
                f"expected at least {len(_F250)}",
                file=file,
                line=record.line,
                field="UOM",
            )
        try:
            result.rows.extend(_accumulation_rows(record, file))
        except InvalidValue as error:
            result.errors.append(error)


def _accumulation_rows(record: _Record, file: str) -> list[ReadingRow]:
    """A 250 record: the consumption since the previous read, and the current index."""

    def value(name: str) -> str:
        return record.fields[_I250[name]]

    def reject(name: str, message: str) -> InvalidValue:
        return InvalidValue(message, file=file, line=record.line, field=name)

    for name in ("NMI", "NMISuffix"):
        if not value(name):
            raise reject(name, "is empty")
    quantity = _decimal(value("Quantity"))
    if quantity is None:
        raise reject("Quantity", f"{value('Quantity')[:20]!r} is no number")
    current_on = _date8(value("CurrentRegisterReadDateTime"))
    if current_on is None:
        raise reject("CurrentRegisterReadDateTime", "not a date (YYYYMMDD[hhmm[ss]])")
    previous_on = None
    if value("PreviousRegisterReadDateTime"):
        previous_on = _date8(value("PreviousRegisterReadDateTime"))
        if previous_on is None:
            raise reject("PreviousRegisterReadDateTime", "not a date")
        if previous_on > current_on:
            raise reject("PreviousRegisterReadDateTime", "is after the current read")
    quality = value("CurrentQualityMethod")
    if not _QUALITY.fullmatch(quality):
        raise reject("CurrentQualityMethod", f"{quality[:20]!r} is not valid")
    index = None
    if value("CurrentRegisterRead"):
        index = _decimal(value("CurrentRegisterRead"))
        if index is None:
            raise reject("CurrentRegisterRead", "is no number")

    start = previous_on + datetime.timedelta(days=1) if previous_on else None
    if start is not None and start > current_on:
        start = current_on  # read twice on one day: the period is that day
    consumption = ReadingRow(
        line=record.line,
        meter_ref=value("NMI"),
        register=value("NMISuffix"),
        read_on=current_on,
        value=quantity,
        kind="consumption",
        unit=normalise_unit(value("UOM")),
        quality=quality[0],
        period_start=start,
        meter_serial=value("MeterSerialNumber"),
        source_ref=f"NEM13 250-record at line {record.line}",
    )
    if index is None:
        return [consumption]
    return [
        consumption,
        replace(consumption, value=index, kind="index", period_start=None),
    ]
