"""T4 (area C): the Green Button reader finds each meter reading's usage point and
each interval block's meter reading by scanning all of them, so a feed with many
usage points (a third party's bulk download) takes time in the square of their
number: one reading per usage point, 2,500 usage points (2.8 MB) read in 1.6 CPU
seconds, 5,000 in 6.8, 10,000 (11 MB) in 36. A 50 MB upload (the web limit) of
such a feed would keep a worker busy for about ten minutes."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from meterbill.formats import greenbutton

START = int(datetime(2026, 6, 2, tzinfo=UTC).timestamp())


def feed(points: int) -> bytes:
    """``points`` usage points, each with one meter reading, one reading type and
    one block of one hourly reading."""
    out = [
        '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:e="http://naesb.org/espi">'
    ]
    for n in range(points):
        r = f"https://dc.example/espi/1_1/resource/RetailCustomer/{n}/UsagePoint/1"
        out += [
            f'<entry><link rel="self" href="{r}"/>'
            f'<link rel="related" href="{r}/MeterReading"/>'
            "<content><e:UsagePoint/></content></entry>",
            f'<entry><link rel="self" href="{r}/MeterReading/01"/>'
            f'<link rel="up" href="{r}/MeterReading"/>'
            f'<link rel="related" href="RT/{n}"/>'
            "<content><e:MeterReading/></content></entry>",
            f'<entry><link rel="self" href="RT/{n}"/><content><e:ReadingType>'
            "<e:powerOfTenMultiplier>0</e:powerOfTenMultiplier><e:uom>72</e:uom>"
            "<e:intervalLength>3600</e:intervalLength></e:ReadingType></content>"
            "</entry>",
            f'<entry><link rel="up" href="{r}/MeterReading/01/IntervalBlock"/>'
            "<content><e:IntervalBlock><e:IntervalReading><e:timePeriod>"
            f"<e:duration>3600</e:duration><e:start>{START}</e:start>"
            "</e:timePeriod><e:value>1000</e:value></e:IntervalReading>"
            "</e:IntervalBlock></content></entry>",
        ]
    out.append("</feed>")
    return "\n".join(out).encode()


def cpu_seconds(points: int) -> float:
    data = feed(points)
    started = time.process_time()
    result = greenbutton.read(data, filename="bulk.xml")
    seconds = time.process_time() - started
    assert len(result.rows) == points
    return seconds


def test_four_times_the_usage_points_take_about_four_times_the_time():
    small = cpu_seconds(1000)
    large = cpu_seconds(4000)

    # linear: about 4; the square: about 16. Twice linear leaves room for noise.
    assert large <= 8 * small
