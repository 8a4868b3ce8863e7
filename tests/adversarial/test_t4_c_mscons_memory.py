"""T4 (area C): the MSCONS reader keeps every segment of the interchange twice
(pydifact's segments, then its own copies) before it reads one quantity. A month
of quarter hours of one metering location (226 kB) peaks at about 28 times its
size in Python allocations; a 24 MB interchange (10 locations, 330 days) took
28 CPU seconds and 980 MB of resident memory through ``meterbill import-readings``,
so a 50 MB upload (the web limit, ``IMPORT_MAX_BYTES``) needs about 2 GB in the
worker (a 14 MB Green Button feed of 3 usage points × 330 days of quarter hours
reads in 2 CPU seconds and 208 MB)."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta

from meterbill.formats import mscons

QUARTER = timedelta(minutes=15)


def interchange(days: int) -> bytes:
    """One message, metering location 51238690000, register AUA: ``days`` days of
    quarter hours from 1 January 2026 (German time)."""
    first = datetime(2025, 12, 31, 23, tzinfo=UTC)
    body = ["UNH+1+MSCONS:D:04B:UN:2.4b", "BGM+Z45+M1+9", "LOC+172+51238690000"]
    body += ["LIN+1", "PIA+5+AUA:Z08"]
    for i in range(days * 96):
        start = first + QUARTER * i
        body += [
            f"QTY+220:{i % 7 * 0.125:.3f}:KWH",
            f"DTM+163:{start:%Y%m%d%H%M}?+00:303",
            f"DTM+164:{start + QUARTER:%Y%m%d%H%M}?+00:303",
        ]
    body.append(f"UNT+{len(body) + 1}+1")
    segments = ["UNB+UNOC:3+S:500+R:500+260701:1200+REF1", *body, "UNZ+1+REF1"]
    return ("UNA:+.? '" + "'".join(segments) + "'").encode()


def test_reading_an_interchange_takes_memory_in_proportion_to_its_data():
    data = interchange(31)
    tracemalloc.start()
    try:
        result, intervals = mscons.read_with_intervals(data, filename="month.edi")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (len(result.rows), len(intervals)) == (31, 31)

    # at most ten times the file (the rows and the days of intervals kept are
    # a small part of it)
    assert peak <= 10 * len(data)
