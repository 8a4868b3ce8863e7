"""T4 (area C): a Green Button feed whose interval blocks overlap, or an MSCONS
interchange that gives a quarter hour twice (a message repeated or re-sent in the
same interchange), adds the repeated intervals into the day's consumption: the
customer is billed the overlap twice, with no rejection and no duplicate counted.
NEM12 takes an earlier row of the same day and register once; these two readers
should do the same (or reject the day naming the repeated interval).

Since fixed (docs/importing.md, "Within one file"): a reading or quantity given
again with the same period and value counts once; these tests hold that."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from intervals_world import (
    LOCATION,
    POINT,
    QUARTER,
    green_button,
    interval_readings,
    mscons_interchange,
    mscons_message,
    register_at,
)
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay, Reading

D = Decimal
TODAY = date(2026, 12, 4)


def test_overlapping_green_button_blocks_count_each_hour_once(org, branches):
    register = register_at(org, branches["south"], POINT, "M-1")
    # given 2 June 2026 (UTC, the feed has no local time): 24 hours of 1000 Wh,
    # and a second block repeating its last four hours
    midnight = datetime(2026, 6, 2, tzinfo=UTC)
    start = int(midnight.timestamp())
    text = green_button(
        [interval_readings(start, 24), interval_readings(start + 20 * 3600, 4)]
    )

    report = import_readings(
        text.encode(),
        fmt="greenbutton",
        branch=register.meter.branch,
        filename="overlap.xml",
        options=ImportOptions(today=TODAY),
    )

    # then the day used 24 × 1000 Wh = 24 kWh, not 28: a reading given again with
    # the same period and value counts once (docs/importing.md, "Within one
    # file"); the day is imported, nothing rejected, its 24 hours kept once each
    stored = list(
        Reading.objects.filter(register=register).values_list("read_on", "value")
    )
    assert stored == [(date(2026, 6, 2), D(24))]
    assert (report.rows_imported, report.rejected, report.interval_days) == (1, [], 1)
    assert list(IntervalDay.objects.values_list("minutes", "values")) == [
        (60, ",".join(["1.000"] * 24))
    ]


def test_a_repeated_mscons_quarter_hour_counts_once(org, branches):
    register = register_at(org, branches["south"], LOCATION, "M-1", "AUA")
    # given 2 June 2026 in German time (22:00 UTC the day before): 96 quarter
    # hours of 1 kWh, the first four given again at the end of the message
    midnight = datetime(2026, 6, 1, 22, tzinfo=UTC)
    day = [midnight + QUARTER * i for i in range(96)]

    report = import_readings(
        mscons_interchange(
            mscons_message(1, [(start, "1") for start in day + day[:4]])
        ).encode(),
        fmt="mscons",
        branch=register.meter.branch,
        filename="repeat.edi",
        options=ImportOptions(today=TODAY),
    )

    # then the day used 96 kWh, not 100: a quantity given again with the same
    # period and value counts once (docs/importing.md, "Within one file"); the
    # day is imported, nothing rejected, its 96 quarter hours kept once each
    stored = list(
        Reading.objects.filter(register=register).values_list("read_on", "value")
    )
    assert stored == [(date(2026, 6, 2), D(96))]
    assert (report.rows_imported, report.rejected, report.interval_days) == (1, [], 1)
    assert list(IntervalDay.objects.values_list("minutes", "values")) == [
        (15, ",".join(["1"] * 96))
    ]
