"""Green Button reader: NAESB REQ.21 ESPI usage data in an Atom feed.

An ESPI feed is a flat list of Atom entries tied together by their links:

- a ``UsagePoint`` entry (a service point) lists its meter readings in a ``related``
  link ending in ``/MeterReading``;
- a ``MeterReading`` entry (a channel) names its ``up`` link (the usage point's
  ``/MeterReading`` list) and a ``related`` link to its ``ReadingType``;
- a ``ReadingType`` says what the values are: ``uom`` (UCUM-like code, 72 = Wh),
  ``powerOfTenMultiplier`` (value x 10^n), ``intervalLength`` (seconds),
  ``commodity``;
- ``IntervalBlock`` entries (one entry may hold several blocks) hang under a meter
  reading through their ``up`` link (``.../MeterReading/01/IntervalBlock``) and hold
  ``IntervalReading``s: ``timePeriod`` (start in UTC epoch seconds, duration in
  seconds) and ``value``. A reading without a ``timePeriod`` follows the one before it
  by the reading type's ``intervalLength``.

As NEM12 does, readings that fall inside one local day are summed into one consumption
row for that day per channel. A reading of a day or less that crosses local midnight
(a feed whose hours are not on the local hour) is split over the days it covers by
its seconds in each (see ``_Gather``). A reading that spans more than a day (gas
billing periods, monthly bins) becomes a row of its own, from the first to the last
day it covers. Local days follow the feed's ``LocalTimeParameters``: ``tzOffset`` plus
``dstOffset`` between the DST start and end rules (see ``LocalTime``). A reading given
again (overlapping blocks) with the same period and value counts once; with another
value, or a period that overlaps another reading's, it rejects its day.

The ReadingType's ``accumulationBehaviour`` says what a value is: absent, 0 or 4
(``deltaData``) the quantity consumed in the interval; 1 (``bulkQuantity``) or 9
(``summation``) the register's total at its end, which becomes an index row of the
day the interval ends in (the last of the day); any other kind refuses the feed.

``read_with_intervals`` also returns, for each such day whose readings are of one
length that divides an hour on the grid of the local day from midnight (23 or 25
hours on the days the clocks change), the day of intervals: whole, or partial (the
intervals not given are None) when the feed covers only part of the day.

The multiplier is applied exactly (``Decimal.scaleb``). ``meter_ref`` is the usage
point's self link after ``/resource/`` (or the whole link), ``register`` the last part
of the meter reading's self link. Quality follows ESPI ``ReadingQuality``: one flag
for a day whose readings share it, ``V`` (variable) when they differ.

A feed whose structure is wrong (not XML, not an Atom feed, a block that belongs to no
meter reading, a bad reading type) raises ``InvalidFormat``. An ``IntervalReading``
whose time or value cannot be read is reported in ``ReadResult.errors`` and the day it
falls on is left out for that channel. ``line`` is the XML line of the element.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Literal, TypeVar

from lxml import etree

from .errors import InvalidFormat, InvalidValue, ReadResult
from .intervals import GivenDay, IntervalDayRow, interval_day
from .readings import ReadingRow

ATOM = "{http://www.w3.org/2005/Atom}"
ESPI = "{http://naesb.org/espi}"

T = TypeVar("T")

_NUMBER = re.compile(r"[+-]?([0-9]{1,19}(\.[0-9]{0,9})?|\.[0-9]{1,9})")

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
ZERO = Decimal(0)
SECONDS_PER_DAY = 86400
ONE_DAY = datetime.timedelta(days=1)
MAX_SECONDS = 10**11  # beyond year 5000: not a timestamp

# ESPI UnitSymbolKind codes to the unit spelling we store.
UNITS = {
    "0": "units",
    "38": "W",
    "42": "m3",
    "61": "VA",
    "63": "VAr",
    "71": "VAh",
    "72": "Wh",
    "73": "VArh",
    "119": "ft3",
    "169": "therm",
}

# ESPI AccumulationKind (IEC 61968-9) of a ReadingType's accumulationBehaviour:
# 0 (none) and 4 are the quantities consumed in each interval; 1 and 9 are the
# register's running total at the end of it (read as an index); the others
# (maxima, instantaneous values) are not consumption.
DELTAS = frozenset({"0", "4"})
REGISTER_READS = frozenset({"1", "9"})
ACCUMULATION_NAMES = {
    "2": "continuousCumulative",
    "3": "cumulative",
    "6": "indicating",
    "10": "timeDelay",
    "12": "instantaneous",
    "13": "latchingQuantity",
    "14": "boundedQuantity",
}

# ESPI QualityOfReading codes to the flags of ReadingRow.quality.
QUALITY = {
    "0": "A",  # valid
    "14": "A",  # raw
    "17": "A",  # validated
    "18": "A",  # verified
    "19": "A",  # revenue quality
    "7": "S",  # manually edited
    "11": "S",  # derived
    "13": "S",  # mixed
    "16": "S",  # other
    "8": "E",  # estimated using a reference day
    "9": "E",  # estimated by linear interpolation
    "10": "E",  # questionable
    "12": "E",  # projected (forecast)
    "15": "E",  # normalised for weather
}


@dataclass
class _Entry:
    line: int
    self_link: str
    up_link: str
    related: list[str]
    content: list[etree._Element]


@dataclass
class _Channel:
    """A meter reading: where its values go and how to read them."""

    meter_ref: str
    register: str
    unit: str
    multiplier: int
    interval_s: int | None
    index: bool = False  # register reads (bulkQuantity, summation), not deltas


def read(data: bytes | str, *, filename: str = "") -> ReadResult[ReadingRow]:
    """Read a Green Button (ESPI) feed into consumption rows."""
    return read_with_intervals(data, filename=filename)[0]


def read_with_intervals(
    data: bytes | str, *, filename: str = ""
) -> tuple[ReadResult[ReadingRow], list[IntervalDayRow]]:
    """``read``, and the days of intervals of its daily rows (module docstring)."""
    root = _parse(data, filename)
    entries = _entries(root, filename)
    clock = _local_time(entries, filename)
    channels = _channels(entries, filename)
    finder = _BlockFinder(channels)
    gather = _Gather(filename, clock)
    for entry in entries:
        for block in (b for b in entry.content if b.tag == ESPI + "IntervalBlock"):
            key = finder.find(entry, filename)
            channel = channels[key][1]
            reader = _BlockReader(filename, clock, channel, gather.result)
            for reading in reader.readings(block):
                gather.take(key, channel, reading)
    return gather.rows([c for _e, c in channels])


# What _BlockReader yields for a reading: see its docstring.
_Reading = tuple[
    datetime.date, Decimal, str, int, datetime.date | None, Decimal, Decimal
]


class _Gather:
    """The readings of a feed, by channel and local day.

    A reading of a quantity consumed (``deltaData``) within a local day goes into
    that day. One of a day or less that crosses local midnight is split over the
    days it covers in proportion to its seconds in each (the part of each day but
    the last rounded to the decimals of the value, the last day the rest, so the
    parts add up to the reading). A longer one (a gas billing period) is a row of
    its own. A register read (``bulkQuantity``, ``summation``) is an index of the
    day its interval ends in: the last one of the day."""

    def __init__(self, filename: str, clock: LocalTime) -> None:
        self.filename = filename
        self.clock = clock
        self.result: ReadResult[ReadingRow] = ReadResult()
        self.days: dict[tuple[int, datetime.date], GivenDay[Decimal]] = {}
        self.spans: list[tuple[int, datetime.date, datetime.date, Decimal, str, int]]
        self.spans = []
        # (channel, day) → (end, value, quality, line) of its last register read
        self.indexes: dict[
            tuple[int, datetime.date], tuple[Decimal, Decimal, str, int]
        ] = {}
        self.rejected: set[tuple[int, datetime.date]] = set()

    def take(self, key: int, channel: _Channel, reading: _Reading) -> None:
        first, value, flag, line, last, start, length = reading
        if last is None:
            self.rejected.add((key, first))
        elif channel.index:
            self._index(key, first, value, flag, line, start + length)
        elif first != last and length > SECONDS_PER_DAY:
            self.spans.append((key, first, last, value, flag, line))
        else:
            for day, part_start, part_length, part in self._parts(reading):
                self._slot(key, day, part_start, part_length, part, flag, line)

    def _index(
        self,
        key: int,
        first: datetime.date,
        value: Decimal,
        flag: str,
        line: int,
        end: Decimal,
    ) -> None:
        day = self.clock.day(int(end) - 1) if end > 0 else first
        given = self.indexes.get((key, day))
        if given is None or given[0] < end:
            self.indexes[(key, day)] = (end, value, flag, line)
        elif given[0] == end and given[1] != value:
            self._reject(
                key,
                day,
                line,
                "value",
                f"{value} differs from {given[1]} "
                f"given for the same moment at line {given[3]}",
            )

    def _parts(
        self, reading: _Reading
    ) -> Iterator[tuple[datetime.date, Decimal, Decimal, Decimal]]:
        first, value, _flag, _line, last, start, length = reading
        if first == last or last is None:
            yield first, start, length, value
            return
        cuts = []
        cursor, day = start, first
        while day < last:
            boundary = Decimal(self.clock.midnight(day + datetime.timedelta(days=1)))
            cuts.append((day, cursor, boundary - cursor))
            cursor, day = boundary, day + datetime.timedelta(days=1)
        cuts.append((last, cursor, start + length - cursor))
        exponent = value.as_tuple().exponent
        quantum = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
        rest = value
        for day, part_start, part_length in cuts[:-1]:
            part = (value * part_length / length).quantize(quantum, ROUND_HALF_EVEN)
            rest -= part
            yield day, part_start, part_length, part
        yield last, cuts[-1][1], cuts[-1][2], rest

    def _slot(
        self,
        key: int,
        day: datetime.date,
        start: Decimal,
        length: Decimal,
        value: Decimal,
        flag: str,
        line: int,
    ) -> None:
        bucket = self.days.get((key, day))
        if bucket is None:
            bucket = self.days[(key, day)] = GivenDay(line)
        given = bucket.take(start, start + length, value, line)
        if given is not None:
            end, before, where = given
            when = EPOCH + datetime.timedelta(seconds=int(start))
            problem = (
                f"the reading from {when:%Y-%m-%d %H:%M} UTC is given again as "
                f"{value} for {length} s; line {where} gave {before} for "
                f"{end - start} s"
            )
            self._reject(key, day, line, "value", problem)
        bucket.flags.add(flag)

    def _reject(
        self, key: int, day: datetime.date, line: int, name: str, message: str
    ) -> None:
        self.result.errors.append(
            InvalidValue(message, file=self.filename, line=line, field=name)
        )
        self.rejected.add((key, day))

    def rows(
        self, channels: list[_Channel]
    ) -> tuple[ReadResult[ReadingRow], list[IntervalDayRow]]:
        result = self.result
        intervals: list[IntervalDayRow] = []
        for (key, day), bucket in sorted(self.days.items(), key=lambda i: i[1].line):
            if (key, day) in self.rejected:
                continue
            overlap = bucket.overlap()
            if overlap is not None:
                message = "the reading overlaps the one before it on the same day"
                self._reject(key, day, overlap, "timePeriod", message)
                continue
            slots = sorted((s, e - s, v) for s, (e, v, _line) in bucket.slots.items())
            quality = bucket.flags.pop() if len(bucket.flags) == 1 else "V"
            total = sum((v for _s, _n, v in slots), Decimal(0))
            row = _row(channels[key], day, day, total, quality, bucket.line)
            result.rows.append(row)
            whole = _interval_day(row, slots, self.clock)
            if whole is not None:
                intervals.append(whole)
        for key, first, last, value, flag, line in self.spans:
            result.rows.append(_row(channels[key], first, last, value, flag, line))
        for (key, day), (_end, value, flag, line) in self.indexes.items():
            if (key, day) not in self.rejected:
                row = _row(channels[key], None, day, value, flag, line, "index")
                result.rows.append(row)
        result.rows.sort(key=lambda r: r.line)
        result.errors.sort(key=lambda e: e.line or 0)
        return result, intervals


def _interval_day(
    row: ReadingRow,
    slots: list[tuple[Decimal, Decimal, Decimal]],
    clock: LocalTime,
) -> IntervalDayRow | None:
    """The day of intervals of a daily row, when its readings are of one length in
    whole minutes on the grid of the local day from midnight: whole, or partial
    (None where no reading is given); None when they are not."""
    length = slots[0][1]
    if any(s[1] != length or s[0] != int(s[0]) for s in slots) or length != int(length):
        return None
    day = (clock.midnight(row.read_on), clock.midnight(row.read_on + ONE_DAY))
    midnight = datetime.datetime.combine(row.read_on, datetime.time())
    return interval_day(
        row,
        [(int(start), value) for start, _length, value in slots],
        int(length),
        day,
        lambda s: (clock.local(s) - midnight) // datetime.timedelta(minutes=1),
    )


def channel_totals(
    data: bytes | str, filename: str = ""
) -> dict[tuple[str, str], Decimal]:
    """Total consumption per (usage point, meter reading) over the whole feed."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in read(data, filename=filename).rows:
        totals[(row.meter_ref, row.register)] += row.value
    return dict(totals)


def _row(
    channel: _Channel,
    first: datetime.date | None,
    last: datetime.date,
    value: Decimal,
    quality: str,
    line: int,
    kind: Literal["index", "consumption"] = "consumption",
) -> ReadingRow:
    return ReadingRow(
        line=line,
        meter_ref=channel.meter_ref,
        register=channel.register,
        read_on=last,
        value=value,
        kind=kind,
        unit=channel.unit,
        quality=quality,
        period_start=first,
        source_ref=f"Green Button IntervalReading at line {line}",
    )


def _parse(data: bytes | str, filename: str) -> etree._Element:
    """Parse without DTDs, entities or network: a feed is plain XML."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(raw, parser)
    except (etree.XMLSyntaxError, ValueError) as e:
        raise InvalidFormat(f"not well-formed XML ({e})", file=filename) from e
    if root is None:
        raise InvalidFormat("the file is empty", file=filename)
    if root.getroottree().docinfo.internalDTD is not None:
        raise InvalidFormat("a DOCTYPE is not accepted in a feed", file=filename)
    if root.tag != ATOM + "feed":
        raise InvalidFormat(
            f"expected an Atom feed, found {str(root.tag)[:60]!r}",
            file=filename,
            line=root.sourceline,
            field="feed",
        )
    return root


def _entries(root: etree._Element, filename: str) -> list[_Entry]:
    entries = []
    for element in root.iterchildren(ATOM + "entry"):
        links: dict[str, list[str]] = defaultdict(list)
        for link in element.iterchildren(ATOM + "link"):
            links[str(link.get("rel", ""))].append(str(link.get("href", "")).strip())
        content = [
            child
            for holder in element.iterchildren(ATOM + "content")
            for child in holder.iterchildren()
            if isinstance(child.tag, str)
        ]
        entries.append(
            _Entry(
                line=element.sourceline or 0,
                self_link=(links["self"] or [""])[0],
                up_link=(links["up"] or [""])[0],
                related=links["related"],
                content=content,
            )
        )
    if not any(c.tag == ESPI + "IntervalBlock" for e in entries for c in e.content):
        raise InvalidFormat(
            "the feed holds no usage data (no IntervalBlock)",
            file=filename,
            line=root.sourceline,
            field="IntervalBlock",
        )
    return entries


def _of_kind(entries: list[_Entry], kind: str) -> list[tuple[_Entry, etree._Element]]:
    return [(e, c) for e in entries for c in e.content if c.tag == ESPI + kind]


def _text(element: etree._Element, name: str) -> str | None:
    child = element.find(ESPI + name)
    if child is None or child.text is None or not child.text.strip():
        return None
    return child.text.strip()


def _integer(
    element: etree._Element, name: str, filename: str, low: int, high: int
) -> int | None:
    """An optional whole-number element of a structural part (refused if bad)."""
    text = _text(element, name)
    if text is None:
        return None
    if not text.lstrip("+-").isdigit() or not low <= int(text) <= high:
        raise InvalidFormat(
            f"{text[:20]!r} is not a whole number from {low} to {high}",
            file=filename,
            line=element.find(ESPI + name).sourceline,  # type: ignore[union-attr]
            field=name,
        )
    return int(text)


class LocalTime:
    """ESPI ``LocalTimeParameters``: standard offset plus daylight saving rules.

    A DST rule is the IEEE 2030.5 / ESPI ``DstRuleType`` bit map: bits 0-11 seconds,
    12-16 hour, 17-19 day of week (1 = Monday), 20-24 day of month, 25-27 operator
    (0 the day of month; 1 the day of week on or after the day of month; 2-6 its
    first to fifth occurrence in the month; 7 its last), 28-31 month. The start time
    is read in standard time, the end time in daylight time; ``FFFFFFFF`` (or a
    missing rule) means no DST.
    """

    def __init__(
        self,
        tz_offset_s: int = 0,
        dst_offset_s: int = 0,
        start_rule: int | None = None,
        end_rule: int | None = None,
    ) -> None:
        self.tz_offset_s = tz_offset_s
        self.dst_offset_s = dst_offset_s
        self.rules = (start_rule, end_rule)
        self._years: dict[int, tuple[int, int] | None] = {}

    def midnight(self, day: datetime.date) -> int:
        """The instant (UTC epoch seconds) the local day ``day`` begins."""
        naive = datetime.datetime.combine(day, datetime.time(), datetime.UTC)
        local_s = int((naive - EPOCH).total_seconds())
        offsets = {self.tz_offset_s, self.tz_offset_s + self.dst_offset_s}
        for offset in sorted(offsets, reverse=True):
            moment = local_s - offset
            if self.day(moment) == day and self.day(moment - 1) < day:
                return moment
        return local_s - self.tz_offset_s

    def day(self, utc_s: int) -> datetime.date:
        """The local calendar day of an instant given in UTC epoch seconds."""
        return self.local(utc_s).date()

    def local(self, utc_s: int) -> datetime.datetime:
        """The local clock time (naive) of an instant given in UTC epoch seconds."""
        standard = utc_s + self.tz_offset_s
        year = (EPOCH + datetime.timedelta(seconds=standard)).year
        switch = self._switches(year)
        if switch is not None:
            start, end = switch
            daylight = start <= utc_s < end if start < end else not end <= utc_s < start
            standard += self.dst_offset_s if daylight else 0
        return (EPOCH + datetime.timedelta(seconds=standard)).replace(tzinfo=None)

    def _switches(self, year: int) -> tuple[int, int] | None:
        if year not in self._years:
            start_rule, end_rule = self.rules
            if not self.dst_offset_s or start_rule is None or end_rule is None:
                self._years[year] = None
            else:
                start = _rule_moment(start_rule, year)
                end = _rule_moment(end_rule, year)
                if start is None or end is None:
                    self._years[year] = None
                else:
                    self._years[year] = (
                        start - self.tz_offset_s,
                        end - self.tz_offset_s - self.dst_offset_s,
                    )
        return self._years[year]


def _rule_moment(rule: int, year: int) -> int | None:
    """Local seconds since the epoch at which a DST rule fires in ``year``."""
    month, operator = rule >> 28 & 0xF, rule >> 25 & 0x7
    day_of_month, weekday = rule >> 20 & 0x1F, rule >> 17 & 0x7
    if rule == 0xFFFFFFFF or not 1 <= month <= 12:
        return None
    first = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    days = [first + datetime.timedelta(d) for d in range((following - first).days)]
    if operator == 0 or not 1 <= weekday <= 7:
        chosen = days[min(max(day_of_month, 1), len(days)) - 1]
    else:
        matching = [d for d in days if d.isoweekday() == weekday]
        if operator == 1:
            matching = [d for d in matching if d.day >= day_of_month] or matching
            chosen = matching[0]
        elif operator == 7:
            chosen = matching[-1]
        else:
            chosen = matching[min(operator - 2, len(matching) - 1)]
    midnight = datetime.datetime.combine(chosen, datetime.time(), datetime.UTC)
    seconds = (rule >> 12 & 0x1F) * 3600 + (rule & 0xFFF)
    return int((midnight - EPOCH).total_seconds()) + seconds


def _local_time(entries: list[_Entry], filename: str) -> LocalTime:
    for _, params in _of_kind(entries, "LocalTimeParameters"):
        return LocalTime(
            _integer(params, "tzOffset", filename, -14 * 3600, 14 * 3600) or 0,
            _integer(params, "dstOffset", filename, -3 * 3600, 3 * 3600) or 0,
            _rule(params, "dstStartRule", filename),
            _rule(params, "dstEndRule", filename),
        )
    return LocalTime()


def _rule(params: etree._Element, name: str, filename: str) -> int | None:
    text = _text(params, name)
    if text is None:
        return None
    if not re.fullmatch(r"(0x)?[0-9A-Fa-f]{1,8}", text):
        raise InvalidFormat(
            f"{text[:20]!r} is not a hexadecimal DST rule",
            file=filename,
            line=params.find(ESPI + name).sourceline,  # type: ignore[union-attr]
            field=name,
        )
    return int(text, 16)


def _short(link: str) -> str:
    return link.split("/resource/", 1)[-1].strip("/")


def _channels(entries: list[_Entry], filename: str) -> list[tuple[_Entry, _Channel]]:
    """Each MeterReading entry with its usage point and reading type resolved, by
    dictionaries of the links (a bulk download holds thousands of usage points)."""
    points = [e for e, _ in _of_kind(entries, "UsagePoint")]
    types = _of_kind(entries, "ReadingType")
    point_by_related = _first_by(points, lambda p: p.related)
    point_by_self = _first_by(
        points, lambda p: [p.self_link.rstrip("/")] if p.self_link else []
    )
    type_by_self = _first_by(range(len(types)), lambda i: [types[i][0].self_link])
    channels = []
    for entry, _ in _of_kind(entries, "MeterReading"):
        linked_point = point_by_related.get(entry.up_link) if entry.up_link else None
        if linked_point is None:
            linked_point = _by_parent(entry.up_link, point_by_self)
        point = linked_point if linked_point is not None else _only([], points)
        found = [type_by_self[link] for link in entry.related if link in type_by_self]
        reading_type = types[min(found)] if found else _only([], types)
        if reading_type is None:
            raise InvalidFormat(
                "no ReadingType linked to this MeterReading",
                file=filename,
                line=entry.line,
                field="link",
            )
        channels.append((entry, _channel(entry, point, reading_type[1], filename)))
    return channels


def _first_by(items: Iterable[T], links: Callable[[T], list[str]]) -> dict[str, T]:
    """link → the first item (in feed order) that has it."""
    found: dict[str, T] = {}
    for item in items:
        for link in links(item):
            found.setdefault(link, item)
    return found


def _by_parent(link: str, by_self: dict[str, T]) -> T | None:
    """The item whose self link is the nearest parent path of ``link``; a link is
    never its own parent."""
    parts = link.rstrip("/").split("/")
    for end in range(len(parts) - 1, 0, -1):
        found = by_self.get("/".join(parts[:end]))
        if found is not None:
            return found
    return None


def _channel(
    entry: _Entry,
    point: _Entry | None,
    reading_type: etree._Element,
    filename: str,
) -> _Channel:
    uom = _text(reading_type, "uom") or "0"
    if point is not None and point.self_link:
        meter_ref = _short(point.self_link)
    else:
        meter_ref = _short(entry.up_link).removesuffix("/MeterReading")
    multiplier = _integer(reading_type, "powerOfTenMultiplier", filename, -9, 9)
    index = _accumulation(reading_type, filename)
    return _Channel(
        meter_ref=meter_ref or "UsagePoint",
        register=entry.self_link.rstrip("/").rsplit("/", 1)[-1],
        unit=UNITS.get(uom, f"uom{uom[:10]}"),
        multiplier=multiplier or 0,
        interval_s=_integer(reading_type, "intervalLength", filename, 1, 10**9),
        index=index,
    )


def _accumulation(reading_type: etree._Element, filename: str) -> bool:
    """Whether the channel's values are register reads (True) or quantities
    consumed in their intervals (False), from ``accumulationBehaviour``; a kind
    that is neither (a demand, an instantaneous value) refuses the feed."""
    code = _text(reading_type, "accumulationBehaviour")
    if code is None or code in DELTAS:
        return False
    if code in REGISTER_READS:
        return True
    name = ACCUMULATION_NAMES.get(code, "not an ESPI AccumulationKind")
    raise InvalidFormat(
        f"{code[:10]!r} ({name}) is neither a quantity consumed in the interval "
        "(4 deltaData) nor a register read (1 bulkQuantity, 9 summation)",
        file=filename,
        line=reading_type.find(ESPI + "accumulationBehaviour").sourceline,  # type: ignore[union-attr]
        field="accumulationBehaviour",
    )


def _only(linked: list[T], everything: list[T]) -> T | None:
    """The first linked item; when links do not resolve, the only one there is."""
    if linked:
        return linked[0]
    if len(everything) == 1:
        return everything[0]
    return None


class _BlockFinder:
    """The meter reading an IntervalBlock entry hangs under, by its up link: one of
    the reading's related links, or a path under its self link."""

    def __init__(self, channels: list[tuple[_Entry, _Channel]]) -> None:
        self.count = len(channels)
        indexes = range(len(channels))
        self.by_related = _first_by(indexes, lambda i: channels[i][0].related)
        self.by_self = _first_by(
            indexes,
            lambda i: (
                [channels[i][0].self_link.rstrip("/")]
                if channels[i][0].self_link
                else []
            ),
        )

    def find(self, entry: _Entry, filename: str) -> int:
        up = entry.up_link
        found = [
            i
            for i in (self.by_related.get(up), _by_parent(up, self.by_self))
            if up and i is not None
        ]
        if found:
            return min(found)
        if self.count == 1:
            return 0
        raise InvalidFormat(
            f"no MeterReading for the IntervalBlock linked up to {up[:80]!r}",
            file=filename,
            line=entry.line,
            field="link",
        )


class _BlockReader:
    """Turns the IntervalReadings of one block into (day, value) pairs.

    Yields ``(first_day, value, quality, line, last_day, start, duration)``;
    ``last_day`` is None for a reading that was rejected (its error is recorded),
    so its day can be dropped.
    """

    def __init__(
        self,
        filename: str,
        clock: LocalTime,
        channel: _Channel,
        result: ReadResult[ReadingRow],
    ) -> None:
        self.filename = filename
        self.clock = clock
        self.channel = channel
        self.result = result

    def readings(
        self, block: etree._Element
    ) -> Iterator[
        tuple[datetime.date, Decimal, str, int, datetime.date | None, Decimal, Decimal]
    ]:
        interval = block.find(ESPI + "interval")
        following = self._seconds(interval, "start") if interval is not None else None
        for reading in block.iterchildren(ESPI + "IntervalReading"):
            line = reading.sourceline or 0
            try:
                start, duration = self._period(reading, following)
            except InvalidValue as error:
                self.result.errors.append(error)
                if following is not None:
                    yield self._day(following), ZERO, "", line, None, ZERO, ZERO
                following = None  # the next reading cannot follow this one
                continue
            following = start + duration
            try:
                value = self._value(reading)
            except InvalidValue as error:
                self.result.errors.append(error)
                yield self._day(start), ZERO, "", line, None, ZERO, ZERO
                continue
            first = self._day(start)
            last = self._day(start + duration - Decimal(1)) if duration else first
            yield first, value, self._quality(reading), line, last, start, duration

    def _day(self, seconds: Decimal) -> datetime.date:
        return self.clock.day(int(seconds))

    def _seconds(self, parent: etree._Element, name: str) -> Decimal | None:
        text = _text(parent, name)
        if text is None:
            return None
        number = _decimal(text)
        if number is None or not 0 <= number < MAX_SECONDS:
            line = parent.find(ESPI + name).sourceline  # type: ignore[union-attr]
            raise InvalidValue(
                f"{text[:20]!r} is not a number of seconds",
                file=self.filename,
                line=line,
                field=name,
            )
        return number

    def _period(
        self, reading: etree._Element, following: Decimal | None
    ) -> tuple[Decimal, Decimal]:
        period = reading.find(ESPI + "timePeriod")
        start = duration = None
        if period is not None:
            start = self._seconds(period, "start")
            duration = self._seconds(period, "duration")
        if start is None:
            start = following
        if duration is None and self.channel.interval_s is not None:
            duration = Decimal(self.channel.interval_s)
        if start is None or duration is None:
            raise InvalidValue(
                "the reading has no time period and none can be derived",
                file=self.filename,
                line=reading.sourceline,
                field="timePeriod",
            )
        return start, duration

    def _value(self, reading: etree._Element) -> Decimal:
        text = _text(reading, "value")
        number = _decimal(text) if text is not None else None
        if number is None:
            raise InvalidValue(
                f"{(text or '')[:20]!r} is not a number",
                file=self.filename,
                line=reading.sourceline,
                field="value",
            )
        return number.scaleb(self.channel.multiplier)

    def _quality(self, reading: etree._Element) -> str:
        holder = reading.find(ESPI + "ReadingQuality")
        code = _text(holder, "quality") if holder is not None else None
        return QUALITY.get(code or "0", "S")


def _decimal(text: str) -> Decimal | None:
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
