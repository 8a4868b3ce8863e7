"""Builders the interval data tests share: a service point with its meter and
register, a time-of-use tariff from a URDB rate, and the text of Green Button
feeds and MSCONS interchanges. Each test keeps its own days, values and
assertions; only the shape of the world and of the files is here."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from io import StringIO

from django.core.management import call_command

POINT = "RetailCustomer/9/UsagePoint/1"  # the feed's usage point, after /resource/
R = f"https://dc.example/espi/1_1/resource/{POINT}"
LOCATION = "51238696788"  # the MSCONS metering location (LOC+172)
QUARTER = timedelta(minutes=15)

# Weekdays 08:00-20:00 peak (period 1, 0.25/kWh), other hours 0.10/kWh; 5/kW of
# the month's highest hour; 10 a month.
TOU_RATE = {
    "label": "TOU test",
    "energyratestructure": [[{"rate": 0.10, "unit": "kWh"}], [{"rate": 0.25}]],
    "energyweekdayschedule": [[1 if 8 <= h < 20 else 0 for h in range(24)]] * 12,
    "energyweekendschedule": [[0] * 24] * 12,
    "flatdemandstructure": [[{"rate": 5.0}]],
    "flatdemandmonths": [0] * 12,
    "fixedchargefirstmeter": 10.0,
    "fixedchargeunits": "$/month",
}

# Hourly readings in Wh (10^0 × uom 72).
HOURLY_WH = (
    "<e:powerOfTenMultiplier>0</e:powerOfTenMultiplier><e:uom>72</e:uom>\n"
    "<e:intervalLength>3600</e:intervalLength>"
)


def add_power() -> None:
    """The utility "power" (electricity in kWh), as the CLI adds it."""
    call_command(
        "add_utility", code="power", name="Electricity", kind="electricity",
        unit="kWh", unit_code="KWH",
    )  # fmt: skip


def import_urdb(tmp_path, rate: dict, valid_from: str = "2026-01-01"):
    """A version of tariff TOU for "power" from the URDB rate ``rate`` (VAT 19%),
    imported from the CLI; the tariff."""
    from meterbill.tariffs.models import Tariff

    path = tmp_path / f"tou-{valid_from}.json"
    path.write_text(json.dumps(rate))
    call_command(
        "import_tariff", str(path), format="urdb", code="TOU", utility="power",
        valid_from=valid_from, vat="19",
    )  # fmt: skip
    return Tariff.objects.get(code="TOU")


def tou_tariff(tmp_path, rate: dict = TOU_RATE):
    """The utility "power" and tariff TOU from ``rate``, valid from 1 January
    2026."""
    add_power()
    return import_urdb(tmp_path, rate)


def power(org):
    """The utility "power" (electricity in kWh) made directly."""
    from meterbill.premises.models import Utility

    return Utility.objects.create(
        organisation=org, code="power", name="Electricity", kind="electricity",
        unit="kWh", unit_code="KWH",
    )  # fmt: skip


def register_on(point, utility, serial: str, code: str = "01", **meter_fields):
    """A meter ``serial`` of ``utility`` on the service point, with one register
    ``code`` in kWh; the register."""
    from meterbill.metering.models import Meter, Register

    meter = Meter.objects.create(
        branch=point.branch, kind="service_point", utility=utility, serial=serial,
        service_point=point, **meter_fields,
    )  # fmt: skip
    return Register.objects.create(meter=meter, code=code, unit="kWh")


def register_at(org, branch, identifier: str, serial: str, code: str = "01"):
    """The utility "power", service point ``identifier`` of the branch, and on it
    meter ``serial`` with register ``code`` in kWh; the register."""
    from meterbill.premises.models import ServicePoint

    point = ServicePoint.objects.create(branch=branch, identifier=identifier)
    return register_on(point, power(org), serial, code)


def cli_import(path, text: str, fmt: str) -> str:
    """``text`` written to ``path`` and imported from the CLI into branch S on
    4 December 2026; what the command printed."""
    path.write_text(text)
    out = StringIO()
    call_command(
        "import_readings", str(path), format=fmt, branch="S", today="2026-12-04",
        stdout=out,
    )  # fmt: skip
    return out.getvalue()


# Green Button -------------------------------------------------------------------


def green_button(
    blocks: str | list[str], *, local: str = "", reading_type: str = HOURLY_WH
) -> str:
    """A feed of usage point POINT with one meter reading "01": its reading type,
    the local time parameters ``local`` when given, one interval block of
    readings per item of ``blocks``."""
    entries = "\n".join(
        f'<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>\n'
        f"<content><e:IntervalBlock>{block}</e:IntervalBlock></content></entry>"
        for block in ([blocks] if isinstance(blocks, str) else blocks)
    )
    local_line = f"{local}\n" if local else ""
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">
<entry><link rel="self" href="{R}"/><link rel="related" href="{R}/MeterReading"/>
<content><e:UsagePoint/></content></entry>
{local_line}<entry><link rel="self" href="{R}/MeterReading/01"/>
<link rel="up" href="{R}/MeterReading"/><link rel="related" href="RT/1"/>
<content><e:MeterReading/></content></entry>
<entry><link rel="self" href="RT/1"/><content><e:ReadingType>
{reading_type}</e:ReadingType></content></entry>
{entries}
</feed>"""


def interval_readings(
    start: int, count: int, value: object = 1000, duration: int = 3600
) -> str:
    """``count`` readings of ``duration`` seconds, each of ``value``, from
    ``start`` (UTC epoch seconds)."""
    return "".join(
        f"<e:IntervalReading><e:timePeriod><e:duration>{duration}</e:duration>"
        f"<e:start>{start + duration * i}</e:start></e:timePeriod>"
        f"<e:value>{value}</e:value></e:IntervalReading>"
        for i in range(count)
    )


def midnight_utc(day: date) -> int:
    """The UTC epoch seconds of the UTC midnight that begins ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def every_hour_of(days: Iterable[date], wh: int = 1000) -> str:
    """``wh`` in every hour of the days (UTC days: the feed has no local time)."""
    return "".join(interval_readings(midnight_utc(day), 24, wh) for day in days)


# MSCONS -------------------------------------------------------------------------


def mscons_message(
    number: int,
    quantities: Iterable[tuple[datetime, str]],
    unit: str = "KWH",
    location: str = LOCATION,
) -> list[str]:
    """The segments of message ``number`` for ``location``, register AUA: one
    quarter hour's QTY in ``unit`` per (UTC start, value)."""
    body = [
        f"UNH+{number}+MSCONS:D:04B:UN:2.4b",
        f"BGM+Z45+M{number}+9",
        f"LOC+172+{location}",
        "LIN+1",
        "PIA+5+AUA:Z08",
    ]
    for start, value in quantities:
        body += [
            f"QTY+220:{value}:{unit}",
            f"DTM+163:{start:%Y%m%d%H%M}?+00:303",
            f"DTM+164:{start + QUARTER:%Y%m%d%H%M}?+00:303",
        ]
    return [*body, f"UNT+{len(body) + 1}+{number}"]


def mscons_interchange(*messages: list[str]) -> str:
    """The interchange REF1 of the messages."""
    segments = [
        "UNB+UNOC:3+SENDER:500+RECEIVER:500+260701:1200+REF1",
        *(segment for message in messages for segment in message),
        f"UNZ+{len(messages)}+REF1",
    ]
    return "UNA:+.? '" + "'".join(segments) + "'"
