"""A day of interval quantities, as the interval readers (NEM12, Green Button,
MSCONS) return it beside their daily consumption rows.

A day runs from local midnight to the next; its intervals are in time order, all
of one length that divides an hour. On the day the clocks go forward it has an
hour's worth of intervals fewer, on the day they go back an hour's worth more:
``shift_at`` is then the position of the first interval after the change, so the
clock time of every interval can be told without the time zone.

A day the file gives only part of (its first or last day, when a file is cut on
another day than the local one, or a gap) is a partial day: its values hold None
where the file gives no interval, so that another file can complete it.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

from .readings import ReadingRow

MINUTES_PER_DAY = 24 * 60
# Interval lengths that divide an hour: the hourly load sums whole intervals.
LENGTHS = frozenset(m for m in range(1, 61) if 60 % m == 0)


@dataclass(frozen=True, slots=True)
class IntervalDayRow:
    line: int  # the line (record, element, segment) of the day's daily row
    meter_ref: str  # as in the daily row: NMI, usage point, metering location
    register: str
    day: datetime.date
    minutes: int
    values: tuple[Decimal | None, ...]  # None: not given (a partial day)
    unit: str
    quality: str = "A"
    shift_at: int | None = None
    whole: bool = True  # False: some values are None


# a time as a reader keeps it: UTC epoch seconds, whole or not
_Time = TypeVar("_Time", int, Decimal)


@dataclass
class GivenDay(Generic[_Time]):
    """The intervals of one register on one local day as a file gives them, by
    start: (end, value, where the file gives it: a line or a segment number).
    ``line`` is where the day's daily row is said to come from; ``flags`` the
    qualities of its intervals."""

    line: int
    flags: set[str] = field(default_factory=set)
    slots: dict[_Time, tuple[_Time, Decimal, int]] = field(default_factory=dict)

    def take(
        self, start: _Time, end: _Time, value: Decimal, where: int
    ) -> tuple[_Time, Decimal, int] | None:
        """Keep an interval. The same interval given again (overlapping blocks,
        a message re-sent) counts once: None. Another end or value for the same
        start: what was given first (end, value, where), and nothing changes."""
        given = self.slots.setdefault(start, (end, value, where))
        if given[0] == end and given[1] == value:
            return None
        return given

    def overlap(self) -> int | None:
        """Where an interval is given that starts before the one before it ends."""
        ordered = sorted(self.slots.items())
        for (_s, (end, _v, _w)), (start, (_e, _v2, where)) in itertools.pairwise(
            ordered
        ):
            if start < end:
                return where
        return None


def clock_minutes(minutes: int, count: int, shift_at: int | None) -> list[int]:
    """The local clock time (minutes after midnight) at which each of ``count``
    intervals of ``minutes`` starts; see the module docstring."""
    excess = MINUTES_PER_DAY - count * minutes
    return [
        i * minutes + (excess if shift_at is not None and i >= shift_at else 0)
        for i in range(count)
    ]


class NotAWholeDay(ValueError):
    """The intervals do not make one whole local day."""


def shift_of(minutes: int, clocks: Sequence[int]) -> int | None:
    """The ``shift_at`` of a day whose intervals start at ``clocks`` (local clock
    minutes after midnight, in time order, the first at midnight and each one
    ``minutes`` after the one before in elapsed time): None on a day of 24 hours.
    Raises ``NotAWholeDay`` when the clock times are not those of a whole day with
    at most one change of an hour or less."""
    count = len(clocks)
    excess = MINUTES_PER_DAY - count * minutes
    if minutes not in LENGTHS or not count or clocks[0] != 0:
        raise NotAWholeDay(f"{count} intervals of {minutes} minutes")
    shift: int | None = None
    if excess:
        found = [i for i, c in enumerate(clocks) if c != i * minutes]
        if not found or abs(excess) > 60:
            raise NotAWholeDay(f"{count} intervals of {minutes} minutes")
        shift = found[0]
    if list(clocks) != clock_minutes(minutes, count, shift):
        raise NotAWholeDay("the clock times do not follow the intervals")
    return shift


def on_grid(
    starts: Sequence[int],
    length_s: int,
    day: tuple[int, int],
    clock: Callable[[int], int],
) -> tuple[int, int, list[int], int | None] | None:
    """Where intervals of ``length_s`` seconds starting at ``starts`` (UTC epoch
    seconds) stand in the local day that runs from ``day[0]`` to ``day[1]`` (UTC
    epoch seconds of its midnights): the interval length in minutes, the number of
    intervals of the whole day, the position of each start, and the day's
    ``shift_at``. ``clock`` gives the local clock minutes after midnight of an
    instant of the day. None when they are not on that day's grid of intervals
    from local midnight."""
    minutes, rest = divmod(length_s, 60)
    span = day[1] - day[0]
    if rest or minutes not in LENGTHS or span <= 0 or span % length_s:
        return None
    positions = []
    for start in starts:
        position, offset = divmod(start - day[0], length_s)
        if offset or not 0 <= start - day[0] < span:
            return None
        positions.append(position)
    count = span // length_s
    clocks = [clock(day[0] + i * length_s) for i in range(count)]
    try:
        shift = shift_of(minutes, clocks)
    except NotAWholeDay:
        return None
    return minutes, count, positions, shift


def interval_day(
    row: ReadingRow,
    slots: Sequence[tuple[int, Decimal]],
    length_s: int,
    day: tuple[int, int],
    clock: Callable[[int], int],
) -> IntervalDayRow | None:
    """The day of intervals of the daily row ``row``, its ``slots`` (start in UTC
    epoch seconds, quantity) placed on the grid of the local day as ``on_grid``
    places them: whole, or partial (None where no quantity is given); None when
    they are not on that grid."""
    placed = on_grid([start for start, _value in slots], length_s, day, clock)
    if placed is None:
        return None
    minutes, count, positions, shift = placed
    values: list[Decimal | None] = [None] * count
    for position, (_start, value) in zip(positions, slots, strict=True):
        values[position] = value
    return IntervalDayRow(
        row.line,
        row.meter_ref,
        row.register,
        row.read_on,
        minutes,
        tuple(values),
        row.unit,
        row.quality,
        shift,
        len(slots) == count,
    )
