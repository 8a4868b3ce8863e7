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
profiles. A quantity whose period spans more than one day is a row of its own.

A broken interchange (not EDIFACT, no ``UNZ``, a ``UNT`` segment count that does not
match, a ``QTY`` outside a metering location) raises ``InvalidFormat``. A quantity
that cannot be read (bad number, unit, qualifier or date) is reported in
``ReadResult.errors`` and its day is left out for that register. ``line`` is the
1-based segment number in the file (``UNA``, when present, is segment 1); ``field``
names the segment and data element, e.g. ``QTY C186.6060``.
"""

from __future__ import annotations

import datetime
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from pydifact.exceptions import EDISyntaxError, ValidationError
from pydifact.parser import Parser

from .errors import InvalidFormat, InvalidValue, ReadResult
from .readings import ReadingRow

MARKET_TIME = ZoneInfo("Europe/Berlin")

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


@dataclass
class _Day:
    line: int
    total: Decimal = Decimal(0)
    flags: set[str] = field(default_factory=set)


@dataclass
class _Channel:
    meter_ref: str
    register: str


def read(
    data: bytes | str, *, filename: str = "", local_time: datetime.tzinfo = MARKET_TIME
) -> ReadResult[ReadingRow]:
    """Read an MSCONS interchange into daily consumption rows."""
    segments = _segments(data, filename)
    _check_envelope(segments, filename)
    return _Reader(filename, local_time).read(segments)


def channel_totals(
    data: bytes | str, filename: str = ""
) -> dict[tuple[str, str], Decimal]:
    """Total consumption per (metering location, register) over the interchange."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in read(data, filename=filename).rows:
        totals[(row.meter_ref, row.register)] += row.value
    return dict(totals)


def _segments(data: bytes | str, filename: str) -> list[_Segment]:
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
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydifact warns about its directories
            parsed = list(Parser().parse(text))
    except (EDISyntaxError, ValidationError, ValueError, IndexError, KeyError) as e:
        raise InvalidFormat(f"EDIFACT syntax error ({e})", file=filename) from e
    return [
        _Segment(number, str(s.tag), list(s.elements))
        for number, s in enumerate(parsed, start=1)
    ]


def _check_envelope(segments: list[_Segment], filename: str) -> None:
    """UNZ must close the interchange; each UNT must count its message's segments."""
    if not segments or segments[-1].tag != "UNZ":
        last = segments[-1].number if segments else 1
        raise InvalidFormat(
            "no UNZ segment at the end: the interchange is truncated",
            file=filename,
            line=last,
            field="UNZ",
        )
    opened: _Segment | None = None
    for segment in segments:
        if segment.tag == "UNH":
            opened = segment
        elif segment.tag == "UNT":
            if opened is None:
                raise InvalidFormat(
                    "UNT without UNH", file=filename, line=segment.number, field="UNT"
                )
            counted = segment.number - opened.number + 1
            if segment.element(0) != str(counted):
                raise InvalidFormat(
                    f"UNT says {segment.element(0)[:12]!r} segments, "
                    f"the message has {counted}",
                    file=filename,
                    line=segment.number,
                    field="UNT 0074",
                )
            opened = None
    if opened is not None:
        raise InvalidFormat(
            "a message has no UNT segment",
            file=filename,
            line=opened.number,
            field="UNT",
        )
    if not any(s.tag == "QTY" for s in segments):
        raise InvalidFormat(
            "the interchange holds no quantities (no QTY segment)",
            file=filename,
            line=segments[-1].number,
            field="QTY",
        )


class _Reader:
    """Walks the segments, keeping the current metering location and register."""

    def __init__(self, filename: str, local_time: datetime.tzinfo) -> None:
        self.filename = filename
        self.local_time = local_time
        self.result: ReadResult[ReadingRow] = ReadResult()
        self.location = ""
        self.register = ""
        self.days: dict[tuple[str, str, datetime.date], _Day] = {}
        self.rejected: set[tuple[str, str, datetime.date]] = set()
        self.units: dict[tuple[str, str], str] = {}

    def read(self, segments: list[_Segment]) -> ReadResult[ReadingRow]:
        for index, segment in enumerate(segments):
            if segment.tag == "UNH":
                self.location = self.register = ""
            elif segment.tag == "LOC" and segment.element(0) == "172":
                self.location = segment.element(1)
                self.register = ""
            elif segment.tag == "PIA" and segment.element(0) == "5":
                self.register = segment.element(1)
            elif segment.tag == "QTY":
                self._quantity(segment, segments[index + 1 : index + 4])
        self._rows()
        return self.result

    def _quantity(self, quantity: _Segment, following: list[_Segment]) -> None:
        if not self.location:
            raise InvalidFormat(
                "a quantity before any metering location (LOC+172)",
                file=self.filename,
                line=quantity.number,
                field="LOC C517.3225",
            )
        try:
            start = self._moment(following, "163", quantity)
            end = self._moment(following, "164", quantity)
        except InvalidValue as error:
            self.result.errors.append(error)
            return
        first = start.astimezone(self.local_time).date()
        last = (end - datetime.timedelta(microseconds=1)).astimezone(self.local_time)
        key = (self.location, self.register, first)
        try:
            value, flag, unit = self._value(quantity)
            if end <= start:
                raise self._invalid(quantity, "DTM C507.2380", "the period ends first")
        except InvalidValue as error:
            self.result.errors.append(error)
            self.rejected.add(key)
            return
        if last.date() != first:
            self._append(quantity.number, first, last.date(), value, flag, unit)
            return
        day = self.days.setdefault(key, _Day(quantity.number))
        day.total += value
        day.flags.add(flag)
        self.units[key[:2]] = unit

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
            if segment.tag == "QTY":
                break
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
        for (location, register, day), bucket in self.days.items():
            if (location, register, day) in self.rejected:
                continue
            flag = bucket.flags.pop() if len(bucket.flags) == 1 else "V"
            unit = self.units[(location, register)]
            self._append(
                bucket.line, day, day, bucket.total, flag, unit, location, register
            )
        self.result.rows.sort(key=lambda r: r.line)

    def _append(
        self,
        line: int,
        first: datetime.date,
        last: datetime.date,
        value: Decimal,
        flag: str,
        unit: str,
        location: str | None = None,
        register: str | None = None,
    ) -> None:
        self.result.rows.append(
            ReadingRow(
                line=line,
                meter_ref=self.location if location is None else location,
                register=self.register if register is None else register,
                read_on=last,
                value=value,
                kind="consumption",
                unit=unit,
                quality=flag,
                period_start=first,
                source_ref=f"MSCONS QTY segment {line}",
            )
        )
