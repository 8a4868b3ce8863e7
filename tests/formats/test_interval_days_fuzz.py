"""Odd interval files never make the readers raise anything but their own errors,
and every day of intervals they return is on the grid of a whole local day and its
given intervals add up to its daily row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats import greenbutton, mscons
from meterbill.formats.errors import FormatError
from meterbill.formats.intervals import MINUTES_PER_DAY

from .greenbutton_feed import feed, reading

JUNE_2 = int(datetime(2026, 6, 2, 4, tzinfo=UTC).timestamp())  # 00:00 EDT
EASTERN = (
    "<entry><content><e:LocalTimeParameters><e:dstEndRule>B40E2000</e:dstEndRule>"
    "<e:dstOffset>3600</e:dstOffset><e:dstStartRule>360E2000</e:dstStartRule>"
    "<e:tzOffset>-18000</e:tzOffset></e:LocalTimeParameters></content></entry>"
)
VALUES = st.sampled_from(["1", "0.5", "-2", "x", "", "1e3", "12345678901234567890"])
# (seconds after JUNE_2, duration in seconds, value)
READINGS = st.lists(
    st.tuples(
        st.sampled_from([0, 900, 1800, 3600, 7200, 86400 - 3600, 86400, 90000]),
        st.sampled_from([900, 1800, 3600, 0, 86400, 59]),
        VALUES,
    ),
    max_size=30,
)


def check(rows, days) -> None:
    """Each day: the intervals of a day of 23 to 25 hours, whole or partial (None
    where not given), the sum of those given the row's value."""
    by_key = {
        (r.meter_ref, r.register, r.read_on): r
        for r in rows
        if r.period_start == r.read_on
    }
    for day in days:
        given = [v for v in day.values if v is not None]
        assert abs(len(day.values) * day.minutes - MINUTES_PER_DAY) <= 60
        assert day.whole == (len(given) == len(day.values))
        assert sum(given) == by_key[(day.meter_ref, day.register, day.day)].value


@settings(max_examples=300)
@given(READINGS, st.booleans())
def test_green_button_days_are_whole_or_left_out(readings, whole_day):
    text = "".join(reading(JUNE_2 + s, v, duration=d) for s, d, v in readings)
    if whole_day:
        text += "".join(reading(JUNE_2 + 86400 + 3600 * h, "2") for h in range(24))
    try:
        result, days = greenbutton.read_with_intervals(feed(text, local=EASTERN))
    except FormatError:
        return
    check(result.rows, days)


QUARTER = timedelta(minutes=15)
MIDNIGHT = datetime(2026, 6, 9, 22, tzinfo=UTC)  # 10 June 00:00 CEST


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(st.integers(0, 100), st.sampled_from([1, 2, 4, 96]), VALUES),
        max_size=30,
    ),
    st.booleans(),
)
def test_mscons_days_are_whole_or_left_out(quantities, whole_day):
    body = ["UNH+1+MSCONS:D:04B:UN:2.4b", "LOC+172+DE1", "PIA+5+AUA"]
    spans = [(MIDNIGHT + QUARTER * q, QUARTER * n, v) for q, n, v in quantities]
    if whole_day:
        spans += [(MIDNIGHT + QUARTER * (96 + q), QUARTER, "1") for q in range(96)]
    for start, length, value in spans:
        body += [
            f"QTY+220:{value}:KWH",
            f"DTM+163:{start:%Y%m%d%H%M}?+00:303",
            f"DTM+164:{start + length:%Y%m%d%H%M}?+00:303",
        ]
    body.append(f"UNT+{len(body) + 1}+1")
    text = "UNA:+.? '" + "'".join(["UNB+UNOC:3+S+R+1+X", *body, "UNZ+1+X"]) + "'"
    try:
        result, days = mscons.read_with_intervals(text)
    except FormatError:
        return
    check(result.rows, days)
    if whole_day and not any(s[0] >= MIDNIGHT + QUARTER * 96 for s in spans[:-96]):
        assert [len(d.values) for d in days if d.day.day == 11] == [96]
