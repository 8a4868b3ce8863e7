"""EDIFACT MSCONS reader (metered services consumption report, BDEW 2.x profiles).

An interchange (``UNB`` … ``UNZ``) holds messages (``UNH`` … ``UNT``). In each
message a ``LOC+172`` segment names the metering location, ``PIA+5`` the register
(its first component, e.g. an OBIS code), and each quantity is a ``QTY`` segment
followed by its period: ``DTM+163`` (start) and ``DTM+164`` (end), format 303
(``CCYYMMDDHHMM`` plus an offset in hours from UTC, ``?+00``) or 203 (local time).

QTY qualifiers (element C186.6063): ``220`` true value (quality ``A``), ``67``
substitute value (``S``), ``201`` proposed/estimated value (``E``). Units
(C186.6411): ``KWH``, ``MWH``, ``WHR``, ``K3`` (kVArh), ``MTQ`` (m3).

As NEM12 does, the quantities of one local day are summed into one consumption row
per metering location and register. The day is the calendar day in German legal time
(``Europe/Berlin``) unless another zone is given: the market days of the BDEW
profiles. A quantity whose period spans more than one day is a row of its own. Each
day carries the unit of its first quantity; a quantity in another energy unit (Wh,
kWh, MWh) is converted exactly to it, in a unit of another kind it rejects the day.
A quantity given again (a message re-sent) with the same period and value counts
once; with another value, or a period overlapping another's, it rejects the day.
``read_with_intervals`` also returns the day of intervals of each daily row whose
quantities are of one length that divides an hour on the grid of the local day from
midnight (92 or 100 quarter hours on the days the clocks change): whole, or partial
(None where no quantity is given).

The segments are read one at a time (pydifact's parser is a generator): a file of
tens of megabytes keeps only its days' quantities, not its segments.

A broken interchange (not EDIFACT, no ``UNZ``, a ``UNT`` segment count that does not
match, a ``QTY`` outside a metering location) raises ``InvalidFormat``. A quantity
that cannot be read (bad number, unit, qualifier or date) is reported in
``ReadResult.errors`` and its day is left out for that register. ``line`` is the
1-based segment number in the file (``UNA``, when present, is segment 1); ``field``
names the segment and data element, e.g. ``QTY C186.6060``.
"""

from __future__ import annotations

import datetime
import itertools
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from pydifact.exceptions import EDISyntaxError, ValidationError
from pydifact.parser import Parser

from .errors import InvalidFormat, InvalidValue, ReadResult
from .intervals import GivenDay, IntervalDayRow, interval_day
from .readings import ReadingRow
from .units import in_unit

MARKET_TIME = ZoneInfo("Europe/Berlin")
ONE_DAY = datetime.timedelta(days=1)

QUALIFIERS = {"220": "A", "67": "S", "201": "E"}
UNITS = {"KWH": "kWh", "MWH": "MWh", "WHR": "Wh", "K3": "kVArh", "MTQ": "m3"}

_NUMBER = re.compile(r"[+-]?([0-9]{1,18}(\.[0-9]{0,9})?|\.[0-9]{1,9})")
_DTM = {
    "303": re.compile(r"([0-9]{12})([+-][0-9]{2})"),
    "203": re.compile(r"[0-9]{12}"),
}


@dataclass
class _Segment:
    number: int
    tag: str
    elements: list[Any]

    def element(self, position: int, component: int = 0) -> str:
        """Element ``position`` (0-based), component ``component``, or ''."""
        if position >= len(self.elements):
            return ""
        value = self.elements[position]
        if isinstance(value, list):
            value = value[component] if component < len(value) else ""
        elif component:
            value = ""
        return value if isinstance(value, str) else ""


def read(
    data: bytes | str, *, filename: str = "", local_time: datetime.tzinfo = MARKET_TIME
) -> ReadResult[ReadingRow]:
    """Read an MSCONS interchange into daily consumption rows."""
    return read_with_intervals(data, filename=filename, local_time=local_time)[0]


def read_with_intervals(
    data: bytes | str, *, filename: str = "", local_time: datetime.tzinfo = MARKET_TIME
) -> tuple[ReadResult[ReadingRow], list[IntervalDayRow]]:
    """``read``, and the days of intervals of its daily rows (module docstring)."""
    reader = _Reader(filename, local_time)
    return reader.read(_segments(data, filename)), reader.intervals


def channel_totals(
    data: bytes | str, filename: str = ""
) -> dict[tuple[str, str], Decimal]:
    """Total consumption per (metering location, register) over the interchange."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in read(data, filename=filename).rows:
        totals[(row.meter_ref, row.register)] += row.value
    return dict(totals)


def _segments(data: bytes | str, filename: str) -> Iterator[_Segment]:
    """The interchange's segments one at a time, as pydifact reads them: a file of
    tens of megabytes is never held as a list of segment objects."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")  # UNOC is ISO 8859-1
    else:
        text = data
    text = text.strip()
    if not text.startswith(("UNA", "UNB")):
        raise InvalidFormat(
            "not an EDIFACT interchange (no UNA or UNB at the start)",
            file=filename,
            line=1,
            field="UNB",
        )
    parsed = Parser().parse(text)
    del text  # the parser keeps its own copy
    last = "the start of the file"
    for number in itertools.count(1):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pydifact warns about its directories
                segment = next(parsed, None)
        except (EDISyntaxError, ValidationError, ValueError, IndexError, KeyError) as e:
            # A truncated file ends inside a segment: say where reading stopped.
            raise InvalidFormat(
                f"EDIFACT syntax error after {last} ({e})", file=filename, line=number
            ) from e
        if segment is None:
            return
        last = f"segment {number} ({segment.tag})"
        yield _Segment(number, str(segment.tag), list(segment.elements))


class _Envelope:
    """Checks the envelope while the segments pass: UNZ must close the interchange,
    each UNT must count its message's segments, and some QTY must be there."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.opened: _Segment | None = None
        self.last: _Segment | None = None
        self.quantities = False

    def see(self, segment: _Segment) -> None:
        self.last = segment
        if segment.tag == "UNH":
            self.opened = segment
        elif segment.tag == "UNT":
            self._close(segment)
        elif segment.tag == "QTY":
            self.quantities = True

    def _close(self, segment: _Segment) -> None:
        opened = self.opened
        if opened is None:
            raise InvalidFormat(
                "UNT without UNH", file=self.filename, line=segment.number, field="UNT"
            )
        counted = segment.number - opened.number + 1
        if segment.element(0) != str(counted):
            raise InvalidFormat(
                f"UNT says {segment.element(0)[:12]!r} segments, "
                f"the message has {counted}",
                file=self.filename,
                line=segment.number,
                field="UNT 0074",
            )
        self.opened = None

    def end(self) -> None:
        last = self.last
        if last is None or last.tag != "UNZ":
            raise InvalidFormat(
                "no UNZ segment at the end: the interchange is truncated",
                file=self.filename,
                line=last.number if last is not None else 1,
                field="UNZ",
            )
        if self.opened is not None:
            raise InvalidFormat(
                "a message has no UNT segment",
                file=self.filename,
                line=self.opened.number,
                field="UNT",
            )
        if not self.quantities:
            raise InvalidFormat(
                "the interchange holds no quantities (no QTY segment)",
                file=self.filename,
                line=last.number,
                field="QTY",
            )


class _Reader:
    """Walks the segments once, keeping the current metering location and register.

    A quantity waits for the (at most three) segments after it, which hold its
    period, then goes into its day: per day the quantities are kept by start
    (epoch seconds), so a quarter hour given twice is seen."""

    def __init__(self, filename: str, local_time: datetime.tzinfo) -> None:
        self.filename = filename
        self.local_time = local_time
        self.result: ReadResult[ReadingRow] = ReadResult()
        self.location = ""
        self.register = ""
        self.days: dict[tuple[str, str, datetime.date], GivenDay[int]] = {}
        # the unit of each day's first quantity
        self.units: dict[tuple[str, str, datetime.date], str] = {}
        self.rejected: set[tuple[str, str, datetime.date]] = set()
        self.intervals: list[IntervalDayRow] = []
        self.pending: tuple[_Segment, str, str, list[_Segment]] | None = None

    def read(self, segments: Iterable[_Segment]) -> ReadResult[ReadingRow]:
        envelope = _Envelope(self.filename)
        for segment in segments:
            envelope.see(segment)
            self._follow(segment)
            if segment.tag == "UNH":
                self.location = self.register = ""
            elif segment.tag == "LOC" and segment.element(0) == "172":
                self.location = segment.element(1)
                self.register = ""
            elif segment.tag == "PIA" and segment.element(0) == "5":
                self.register = segment.element(1)
            elif segment.tag == "QTY":
                self._open(segment)
        self._finish()
        envelope.end()
        self._rows()
        return self.result

    def _open(self, quantity: _Segment) -> None:
        if not self.location:
            raise InvalidFormat(
                "a quantity before any metering location (LOC+172)",
                file=self.filename,
                line=quantity.number,
                field="LOC C517.3225",
            )
        self.pending = (quantity, self.location, self.register, [])

    def _follow(self, segment: _Segment) -> None:
        """Give the waiting quantity the segment after it; a QTY, or a fourth
        segment, closes its period."""
        if self.pending is None:
            return
        following = self.pending[3]
        if segment.tag == "QTY":
            self._finish()
            return
        following.append(segment)
        if len(following) == 3:
            self._finish()

    def _finish(self) -> None:
        if self.pending is not None:
            quantity, location, register, following = self.pending
            self.pending = None
            self._quantity(quantity, location, register, following)

    def _quantity(
        self,
        quantity: _Segment,
        location: str,
        register: str,
        following: list[_Segment],
    ) -> None:
        try:
            start = self._moment(following, "163", quantity)
            end = self._moment(following, "164", quantity)
        except InvalidValue as error:
            self.result.errors.append(error)
            return
        first = start.astimezone(self.local_time).date()
        last = (end - datetime.timedelta(microseconds=1)).astimezone(self.local_time)
        key = (location, register, first)
        try:
            value, flag, unit = self._value(quantity)
            if end <= start:
                raise self._invalid(quantity, "DTM C507.2380", "the period ends first")
        except InvalidValue as error:
            self._reject(key, error)
            return
        if last.date() != first:
            self._append(
                quantity.number, first, last.date(), value, flag, unit, location,
                register,
            )  # fmt: skip
            return
        day = self.days.get(key)
        if day is None:
            day = self.days[key] = GivenDay(quantity.number)
            self.units[key] = unit
        # a day may mix units of one kind, in messages re-sent in another: its
        # quantities are added in the unit of its first
        scaled = in_unit(value, unit, self.units[key])
        if scaled is None:
            message = f"unit {unit} in a day of quantities in {self.units[key]}"
            self._reject(key, self._invalid(quantity, "QTY C186.6411", message))
            return
        start_s, end_s = int(start.timestamp()), int(end.timestamp())
        given = day.take(start_s, end_s, scaled, quantity.number)
        if given is not None:
            when = datetime.datetime.fromtimestamp(start_s, datetime.UTC)
            message = (
                f"the quantity from {when:%Y-%m-%d %H:%M} UTC is given again as "
                f"{scaled} {self.units[key]}; segment {given[2]} gave {given[1]}"
            )
            self._reject(key, self._invalid(quantity, "QTY C186.6060", message))
            return
        day.flags.add(flag)

    def _reject(self, key: tuple[str, str, datetime.date], error: InvalidValue) -> None:
        self.result.errors.append(error)
        self.rejected.add(key)

    def _value(self, quantity: _Segment) -> tuple[Decimal, str, str]:
        qualifier = quantity.element(0, 0)
        if qualifier not in QUALIFIERS:
            raise self._invalid(
                quantity, "QTY C186.6063", f"qualifier {qualifier[:10]!r} not known"
            )
        text = quantity.element(0, 1)
        if not _NUMBER.fullmatch(text):
            raise self._invalid(quantity, "QTY C186.6060", f"{text[:20]!r} no number")
        unit = quantity.element(0, 2).upper()
        if unit not in UNITS:
            raise self._invalid(
                quantity, "QTY C186.6411", f"unit {unit[:10]!r} unknown"
            )
        try:
            return Decimal(text), QUALIFIERS[qualifier], UNITS[unit]
        except InvalidOperation as e:
            raise self._invalid(quantity, "QTY C186.6060", "no number") from e

    def _moment(
        self, following: list[_Segment], qualifier: str, quantity: _Segment
    ) -> datetime.datetime:
        for segment in following:
            if segment.tag == "DTM" and segment.element(0, 0) == qualifier:
                return self._timestamp(segment)
        raise self._invalid(
            quantity, f"DTM+{qualifier}", f"the quantity has no DTM+{qualifier} period"
        )

    def _timestamp(self, segment: _Segment) -> datetime.datetime:
        text, code = segment.element(0, 1), segment.element(0, 2)
        pattern = _DTM.get(code)
        match = pattern.fullmatch(text) if pattern else None
        if match is None:
            raise self._invalid(
                segment, "DTM C507.2380", f"{text[:20]!r} is not a format {code[:5]!r}"
            )
        if code == "203":
            zone: datetime.tzinfo = self.local_time
        else:
            hours = int(match.group(2))
            if not -14 <= hours <= 14:
                raise self._invalid(segment, "DTM C507.2380", "offset out of range")
            zone = datetime.timezone(datetime.timedelta(hours=hours))
        month, day, hour, minute = (int(text[i : i + 2]) for i in range(4, 12, 2))
        try:
            return datetime.datetime(
                int(text[:4]), month, day, hour, minute, tzinfo=zone
            )
        except ValueError as e:
            raise self._invalid(segment, "DTM C507.2380", "not a date") from e

    def _invalid(self, segment: _Segment, name: str, message: str) -> InvalidValue:
        return InvalidValue(
            message, file=self.filename, line=segment.number, field=name
        )

    def _rows(self) -> None:
        for key, bucket in self.days.items():
            if key in self.rejected:
                continue
            overlap = bucket.overlap()
            if overlap is not None:
                self.result.errors.append(
                    InvalidValue(
                        "the period overlaps the quantity before it of the same day",
                        file=self.filename,
                        line=overlap,
                        field="DTM C507.2380",
                    )
                )
                continue
            location, register, day = key
            slots = sorted((s, e, v) for s, (e, v, _n) in bucket.slots.items())
            flag = bucket.flags.pop() if len(bucket.flags) == 1 else "V"
            total = sum((v for _s, _e, v in slots), Decimal(0))
            self._append(
                bucket.line, day, day, total, flag, self.units[key], location, register
            )
            whole = self._interval_day(self.result.rows[-1], slots)
            if whole is not None:
                self.intervals.append(whole)
        self.result.rows.sort(key=lambda r: r.line)

    def _interval_day(
        self, row: ReadingRow, slots: list[tuple[int, int, Decimal]]
    ) -> IntervalDayRow | None:
        """The day of intervals of a daily row, when its quantities are of one
        length in whole minutes on the grid of the local day from midnight: whole,
        or partial (None where no quantity is given); None when they are not."""
        length = slots[0][1] - slots[0][0]
        if any(end - start != length for start, end, _v in slots):
            return None
        midnight = datetime.datetime.combine(row.read_on, datetime.time())
        day = (self._midnight(row.read_on), self._midnight(row.read_on + ONE_DAY))
        minute = datetime.timedelta(minutes=1)
        return interval_day(
            row,
            [(start, value) for start, _end, value in slots],
            length,
            day,
            lambda s: (self._clock(s) - midnight) // minute,
        )

    def _midnight(self, day: datetime.date) -> int:
        """The instant (UTC epoch seconds) the local day ``day`` begins."""
        midnight = datetime.datetime.combine(day, datetime.time(), self.local_time)
        return int(midnight.timestamp())

    def _clock(self, epoch_s: int) -> datetime.datetime:
        """The local clock time (naive) of an instant in UTC epoch seconds."""
        moment = datetime.datetime.fromtimestamp(epoch_s, self.local_time)
        return moment.replace(tzinfo=None)

    def _append(
        self,
        line: int,
        first: datetime.date,
        last: datetime.date,
        value: Decimal,
        flag: str,
        unit: str,
        location: str,
        register: str,
    ) -> None:
        self.result.rows.append(
            ReadingRow(
                line=line,
                meter_ref=location,
                register=register,
                read_on=last,
                value=value,
                kind="consumption",
                unit=unit,
                quality=flag,
                period_start=first,
                source_ref=f"MSCONS QTY segment {line}",
            )
        )
