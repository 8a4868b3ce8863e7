"""A day or an interval that a file gives twice: the same again is counted once,
another value rejects the day naming the lines (NEM12 300 records, Green Button
readings, MSCONS quantities)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay, Meter, Reading, Register
from meterbill.premises.models import ServicePoint, Utility

D = Decimal
TODAY = date(2026, 12, 4)
NMI = "6407000002"
LOCATION = "51238696788"
POINT = "RetailCustomer/9/UsagePoint/1"
R = f"https://dc.example/espi/1_1/resource/{POINT}"
QUARTER = timedelta(minutes=15)


def register_at(org, branch, identifier: str, code: str) -> Register:
    power = Utility.objects.create(
        organisation=org, code="power", name="Electricity", kind="electricity",
        unit="kWh", unit_code="KWH",
    )  # fmt: skip
    point = ServicePoint.objects.create(branch=branch, identifier=identifier)
    meter = Meter.objects.create(
        branch=branch, kind="service_point", utility=power, serial="M-1",
        service_point=point,
    )  # fmt: skip
    return Register.objects.create(meter=meter, code=code, unit="kWh")


def imported(register: Register, text: str, fmt: str, name: str):
    return import_readings(
        text.encode(),
        fmt=fmt,
        branch=register.meter.branch,
        filename=name,
        options=ImportOptions(today=TODAY),
    )


def test_a_nem12_day_given_again_with_other_values_is_rejected_both_times(
    org, branches
):
    register = register_at(org, branches["south"], NMI, "E1")
    # given 2 November at lines 4 and 5, 48 × 0.5 and 48 × 0.6 kWh
    text = (
        "100,NEM12,202612010000,MDA1,RET1\n"
        f"200,{NMI},E1,1,E1,N1,M-1,kWh,30,\n"
        f"300,20261101,{','.join(['0.5'] * 48)},A,,,20261201000000,\n"
        f"300,20261102,{','.join(['0.5'] * 48)},A,,,20261201000000,\n"
        f"300,20261102,{','.join(['0.6'] * 48)},A,,,20261201000000,\n"
        "900\n"
    )

    report = imported(register, text, "nem12", "twice.csv")

    # then 1 November is stored; both copies of 2 November are quarantined
    assert Reading.objects.get().read_on == date(2026, 11, 1)
    assert list(IntervalDay.objects.values_list("day", flat=True)) == [
        date(2026, 11, 1)
    ]
    assert [(e.line, e.field, e.message) for e in report.rejected] == [
        (
            4,
            "IntervalDate",
            "2026-11-02 of NMI 6407000002 suffix E1 is given again with other "
            "values (line 5): the day is rejected",
        ),
        (
            5,
            "IntervalDate",
            "2026-11-02 of NMI 6407000002 suffix E1 is given again with other "
            "values (line 4): the day is rejected",
        ),
    ]


def feed(readings: str) -> str:
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
<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>
<content><e:IntervalBlock>
{readings}</e:IntervalBlock></content></entry>
</feed>"""


def hour(start: datetime, wh: str) -> str:
    return (
        f"<e:IntervalReading><e:timePeriod><e:duration>3600</e:duration>"
        f"<e:start>{int(start.timestamp())}</e:start></e:timePeriod>"
        f"<e:value>{wh}</e:value></e:IntervalReading>\n"
    )


def test_a_green_button_hour_given_again_with_another_value_rejects_the_day(
    org, branches
):
    register = register_at(org, branches["south"], POINT, "01")
    # given 2 June (UTC) 24 hours of 1000 Wh on lines 13 to 36, then 20:00 (line
    # 33) again as 1500 Wh on line 37, and 3 June's first hour
    june_2 = datetime(2026, 6, 2, tzinfo=UTC)
    readings = "".join(hour(june_2 + timedelta(hours=h), "1000") for h in range(24))
    readings += hour(june_2 + timedelta(hours=20), "1500")
    readings += hour(june_2 + timedelta(hours=24), "1000")

    report = imported(register, feed(readings), "greenbutton", "again.xml")

    # then only 3 June is stored; the repeated hour is named with the first line
    assert list(Reading.objects.values_list("read_on", "value")) == [
        (date(2026, 6, 3), D(1))
    ]
    [error] = report.rejected
    assert (error.line, error.field) == (37, "value")
    assert error.message == (
        "the reading from 2026-06-02 20:00 UTC is given again as 1500 for 3600 s; "
        "line 33 gave 1000 for 3600 s"
    )


def test_a_green_button_reading_inside_another_rejects_the_day(org, branches):
    register = register_at(org, branches["south"], POINT, "01")
    # given 2 June (UTC): a reading of two hours from 00:00 (line 13), one from
    # 01:00 (line 14)
    june_2 = datetime(2026, 6, 2, tzinfo=UTC)
    readings = hour(june_2, "2000").replace(">3600<", ">7200<")
    readings += hour(june_2 + timedelta(hours=1), "1000")

    report = imported(register, feed(readings), "greenbutton", "overlap.xml")

    # then the day is rejected, naming the second reading's line
    assert not Reading.objects.exists()
    [error] = report.rejected
    assert (error.line, error.field, error.message) == (
        14,
        "timePeriod",
        "the reading overlaps the one before it on the same day",
    )


def interchange(quantities: list[tuple[datetime, str, str]]) -> str:
    """One message for LOCATION, register AUA: (UTC start, value, unit) each."""
    body = ["UNH+1+MSCONS:D:04B:UN:2.4b", "BGM+Z45+M1+9", f"LOC+172+{LOCATION}"]
    body += ["LIN+1", "PIA+5+AUA:Z08"]
    for start, value, unit in quantities:
        body += [
            f"QTY+220:{value}:{unit}",
            f"DTM+163:{start:%Y%m%d%H%M}?+00:303",
            f"DTM+164:{start + QUARTER:%Y%m%d%H%M}?+00:303",
        ]
    body.append(f"UNT+{len(body) + 1}+1")
    segments = ["UNB+UNOC:3+SENDER:500+RECEIVER:500+260701:1200+REF1", *body]
    return "UNA:+.? '" + "'".join([*segments, "UNZ+1+REF1"]) + "'"


# 2 June 2026 00:00 in German time (CEST)
JUNE_2_BERLIN = datetime(2026, 6, 1, 22, tzinfo=UTC)


def test_an_mscons_quarter_hour_given_again_with_another_value_rejects_the_day(
    org, branches
):
    register = register_at(org, branches["south"], LOCATION, "AUA")
    # given 2 June's 96 quarter hours of 1 kWh, then its first again as 2 kWh
    # (QTY segments 8, 11, … 293: the repeat is segment 296)
    day = [(JUNE_2_BERLIN + QUARTER * i, "1", "KWH") for i in range(96)]

    report = imported(
        register, interchange([*day, (JUNE_2_BERLIN, "2", "KWH")]), "mscons", "r.edi"
    )

    # then the day is quarantined naming the repeated quantity and the first one
    assert not Reading.objects.exists()
    [error] = report.rejected
    assert (error.line, error.field) == (296, "QTY C186.6060")
    assert error.message == (
        "the quantity from 2026-06-01 22:00 UTC is given again as 2 kWh; "
        "segment 8 gave 1"
    )


def test_an_mscons_day_in_wh_and_kwh_is_added_in_one_unit(org, branches):
    register = register_at(org, branches["south"], LOCATION, "AUA")
    # given 2 June's first 48 quarter hours as 250 Wh, the other 48 as 0.5 kWh
    day = [(JUNE_2_BERLIN + QUARTER * i, "250", "WHR") for i in range(48)]
    day += [(JUNE_2_BERLIN + QUARTER * i, "0.5", "KWH") for i in range(48, 96)]

    imported(register, interchange(day), "mscons", "units.edi")

    # then the day used 48 × 0.25 + 48 × 0.5 = 36 kWh, its intervals in kWh
    assert Reading.objects.get().value == D(36)
    values = IntervalDay.objects.get().values.split(",")
    assert (values[0], values[-1]) == ("0.250", "0.5")


def test_an_mscons_day_in_two_kinds_of_unit_is_rejected(org, branches):
    register = register_at(org, branches["south"], LOCATION, "AUA")
    # given 2 June's quarter hours in kWh, the last one in m3 (segment 293)
    day = [(JUNE_2_BERLIN + QUARTER * i, "1", "KWH") for i in range(95)]
    day.append((JUNE_2_BERLIN + QUARTER * 95, "1", "MTQ"))

    report = imported(register, interchange(day), "mscons", "m3.edi")

    assert not Reading.objects.exists()
    [error] = report.rejected
    assert (error.line, error.field, error.message) == (
        293,
        "QTY C186.6411",
        "unit m3 in a day of quantities in kWh",
    )
