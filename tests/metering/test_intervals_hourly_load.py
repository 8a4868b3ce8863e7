"""The hourly load the bill run rates time-of-use and demand charges from, built
from stored days of intervals (``metering.intervals.hourly_loads``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meterbill.metering.intervals import hourly_loads
from meterbill.metering.models import IntervalDay, Meter, Register
from meterbill.premises.models import ServicePoint, Utility

D = Decimal


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(d) for d in range((last - first).days + 1)]


@pytest.fixture
def points(org, branches):
    """Service points P1 (register in Wh) and P2 (register in kWh), each with one
    service point meter of utility power."""
    power = Utility.objects.create(
        organisation=org, code="power", name="Electricity", kind="electricity"
    )
    out = {}
    for name, unit in (("P1", "Wh"), ("P2", "kWh")):
        sp = ServicePoint.objects.create(branch=branches["south"], identifier=name)
        meter = Meter.objects.create(
            branch=branches["south"],
            kind="service_point",
            utility=power,
            serial=name,
            service_point=sp,
        )
        out[name] = (sp.pk, Register.objects.create(meter=meter, unit=unit))
    return out


def store(register: Register, on: list[date], values: str, minutes: int = 30) -> None:
    IntervalDay.objects.bulk_create(
        IntervalDay(register=register, day=d, minutes=minutes, values=values)
        for d in on
    )


def test_half_hours_in_wh_become_hourly_kw(points):
    # given P1's 30-minute intervals in Wh on 2 and 3 March 2026: 200 + 300 Wh in
    # the first hour, then 100 Wh a half-hour
    sp, register = points["P1"]
    store(register, days(date(2026, 3, 2), date(2026, 3, 3)), ",".join(
        ["200", "300"] + ["100"] * 46
    ))  # fmt: skip

    # when the load of those two days is asked for
    [load] = hourly_loads(
        {"P1": (sp, "power", date(2026, 3, 2), date(2026, 3, 3))}
    ).values()

    # then 2 March is day 31 + 28 + 1 = 60: its first hour 0.5 kW, then 0.2 kW;
    # the hours before and after the days asked for are 0
    assert load.kw is not None and len(load.kw) == 8760
    assert load.kw[60 * 24 : 60 * 24 + 2] == (D("0.5"), D("0.2"))
    assert load.kw[60 * 24 - 1] == 0 and load.kw[62 * 24] == 0
    assert sum(load.kw) == 2 * (D("0.5") + 23 * D("0.2"))
    # 1 January 2026 is a Thursday
    assert load.year_start_weekday == 3


def test_missing_days_are_counted_and_the_first_five_named(points):
    # given P2 with intervals for 1-30 April 2026 except seven days
    sp, register = points["P2"]
    gaps = [date(2026, 4, d) for d in (3, 4, 9, 10, 11, 12, 30)]
    store(
        register,
        [d for d in days(date(2026, 4, 1), date(2026, 4, 30)) if d not in gaps],
        "1" * 1 + ",1" * 47,
    )

    [load] = hourly_loads(
        {1: (sp, "power", date(2026, 4, 1), date(2026, 4, 30))}
    ).values()

    assert load.kw is None
    assert load.problem == (
        "the meter has no interval data for 7 of the 30 days (2026-04-03, "
        "2026-04-04, 2026-04-09, 2026-04-10, 2026-04-11 and 2 more)"
    )


def test_a_meter_installed_within_the_period_needs_days_from_then_on(points):
    # given P2's meter installed on 10 April 2026, with intervals from that day
    sp, register = points["P2"]
    Meter.objects.filter(pk=register.meter_id).update(installed_on=date(2026, 4, 10))
    store(register, days(date(2026, 4, 10), date(2026, 4, 30)), ",".join(["1"] * 48))

    [load] = hourly_loads(
        {1: (sp, "power", date(2026, 4, 1), date(2026, 4, 30))}
    ).values()

    # then nothing is missing: 21 days × 24 hours × 2 kWh
    assert load.problem == "" and load.kw is not None
    assert sum(load.kw) == 21 * 24 * 2


def test_a_leap_year_from_march_counts_1_january_a_day_later(points):
    # given P2's intervals of March 2028 (1 January 2028 is a Saturday)
    sp, register = points["P2"]
    store(register, days(date(2028, 3, 1), date(2028, 3, 31)), ",".join(["1"] * 48))

    [load] = hourly_loads(
        {1: (sp, "power", date(2028, 3, 1), date(2028, 3, 31))}
    ).values()

    # then 1 March is day 59 of the 365-day year, and the weekdays are those of a
    # year starting on Sunday: 1 March 2028 is a Wednesday, 6 + 59 = 65 ≡ 2 mod 7
    assert load.kw is not None and load.kw[59 * 24] == 2 and load.kw[59 * 24 - 1] == 0
    assert load.year_start_weekday == 6


def test_29_february_and_a_second_year_are_not_rated(points):
    sp, _register = points["P2"]

    loads = hourly_loads(
        {
            "leap": (sp, "power", date(2028, 2, 1), date(2028, 2, 29)),
            "two years": (sp, "power", date(2026, 12, 1), date(2027, 1, 31)),
        }
    )

    assert loads["leap"].kw is None and loads["two years"].kw is None
    assert loads["leap"].problem == (
        "the period includes 29 February 2028, which the rating year of 365 days "
        "does not have"
    )
    assert loads["two years"].problem.startswith(
        "the period runs into a second calendar year"
    )


def test_it_reads_every_service_point_with_two_queries(points):
    for name in ("P1", "P2"):
        store(
            points[name][1], days(date(2026, 5, 1), date(2026, 5, 31)), "1" + ",1" * 47
        )
    requests = {
        name: (points[name][0], "power", date(2026, 5, 1), date(2026, 5, 31))
        for name in ("P1", "P2")
    }

    with CaptureQueriesContext(connection) as queries:
        loads = hourly_loads(requests)

    assert len(queries) == 2
    # P1 holds Wh: 48 Wh a day; P2 kWh: 48 kWh a day
    assert sum(loads["P1"].kw or ()) == D("1.488")
    assert sum(loads["P2"].kw or ()) == 31 * 48
