"""T4 (area C): a Green Button feed whose interval blocks overlap, or an MSCONS
interchange that gives a quarter hour twice (a message repeated or re-sent in the
same interchange), adds the repeated intervals into the day's consumption: the
customer is billed the overlap twice, with no rejection and no duplicate counted.
NEM12 takes an earlier row of the same day and register once; these two readers
should do the same (or reject the day naming the repeated interval)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Reading, Register
from meterbill.premises.models import ServicePoint, Utility

D = Decimal
TODAY = date(2026, 12, 4)
POINT = "RetailCustomer/9/UsagePoint/1"
R = f"https://dc.example/espi/1_1/resource/{POINT}"
LOCATION = "51238696788"
QUARTER = timedelta(minutes=15)


def register_at(org, branch, identifier: str, code: str) -> Register:
    power = Utility.objects.create(
        organisation=org,
        code="power",
        name="Electricity",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
    )
    point = ServicePoint.objects.create(branch=branch, identifier=identifier)
    meter = Meter.objects.create(
        branch=branch,
        kind="service_point",
        utility=power,
        serial="M-1",
        service_point=point,
    )
    return Register.objects.create(meter=meter, code=code, unit="kWh")


def feed(blocks: list[str]) -> str:
    """One usage point, one meter reading in Wh, one entry per interval block."""
    entries = "".join(
        f'<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>'
        f"<content><e:IntervalBlock>{block}</e:IntervalBlock></content></entry>"
        for block in blocks
    )
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">
<entry><link rel="self" href="{R}"/><link rel="related" href="{R}/MeterReading"/>
<content><e:UsagePoint/></content></entry>
<entry><link rel="self" href="{R}/MeterReading/01"/>
<link rel="up" href="{R}/MeterReading"/><link rel="related" href="RT/1"/>
<content><e:MeterReading/></content></entry>
<entry><link rel="self" href="RT/1"/><content><e:ReadingType>
<e:powerOfTenMultiplier>0</e:powerOfTenMultiplier><e:uom>72</e:uom>
<e:intervalLength>3600</e:intervalLength></e:ReadingType></content></entry>
{entries}
</feed>"""


def hours(first: datetime, count: int) -> str:
    """``count`` hourly readings of 1000 Wh from ``first`` (UTC)."""
    start = int(first.timestamp())
    return "".join(
        f"<e:IntervalReading><e:timePeriod><e:duration>3600</e:duration>"
        f"<e:start>{start + 3600 * i}</e:start></e:timePeriod>"
        f"<e:value>1000</e:value></e:IntervalReading>"
        for i in range(count)
    )


def interchange(quarters: list[datetime]) -> str:
    """One message for LOCATION, register AUA: 1 kWh in each quarter hour given."""
    body = ["UNH+1+MSCONS:D:04B:UN:2.4b", "BGM+Z45+M1+9", f"LOC+172+{LOCATION}"]
    body += ["LIN+1", "PIA+5+AUA:Z08"]
    for start in quarters:
        body += [
            "QTY+220:1:KWH",
            f"DTM+163:{start:%Y%m%d%H%M}?+00:303",
            f"DTM+164:{start + QUARTER:%Y%m%d%H%M}?+00:303",
        ]
    body.append(f"UNT+{len(body) + 1}+1")
    segments = ["UNB+UNOC:3+SENDER:500+RECEIVER:500+260701:1200+REF1", *body]
    return "UNA:+.? '" + "'".join([*segments, "UNZ+1+REF1"]) + "'"


def test_overlapping_green_button_blocks_count_each_hour_once(org, branches):
    register = register_at(org, branches["south"], POINT, "01")
    # given 2 June 2026 (UTC, the feed has no local time): 24 hours of 1000 Wh,
    # and a second block repeating its last four hours
    midnight = datetime(2026, 6, 2, tzinfo=UTC)
    text = feed([hours(midnight, 24), hours(midnight + timedelta(hours=20), 4)])

    report = import_readings(
        text.encode(),
        fmt="greenbutton",
        branch=register.meter.branch,
        filename="overlap.xml",
        options=ImportOptions(today=TODAY),
    )

    # then the day used 24 × 1000 Wh = 24 kWh, not 28: stored as that, or the
    # day quarantined naming the repeated hour
    stored = list(Reading.objects.filter(register=register).values_list("value"))
    assert stored == [(D(24),)] or (not stored and report.rows_rejected >= 1)


def test_a_repeated_mscons_quarter_hour_counts_once(org, branches):
    register = register_at(org, branches["south"], LOCATION, "AUA")
    # given 2 June 2026 in German time (22:00 UTC the day before): 96 quarter
    # hours of 1 kWh, the first four given again at the end of the message
    midnight = datetime(2026, 6, 1, 22, tzinfo=UTC)
    day = [midnight + QUARTER * i for i in range(96)]

    report = import_readings(
        interchange(day + day[:4]).encode(),
        fmt="mscons",
        branch=register.meter.branch,
        filename="repeat.edi",
        options=ImportOptions(today=TODAY),
    )

    # then the day used 96 kWh, not 100: stored as that, or the day quarantined
    # naming the repeated quarter hour
    stored = list(Reading.objects.filter(register=register).values_list("value"))
    assert stored == [(D(96),)] or (not stored and report.rows_rejected >= 1)
