"""Green Button feeds imported from the CLI: daily readings and days of hourly
intervals on local days of 23 and 25 hours, and bad feeds refused or their days
quarantined."""

from __future__ import annotations

import datetime
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from intervals_world import POINT, cli_import, register_at
from meterbill.metering.intervals import hourly_loads
from meterbill.metering.models import ImportBatch, IntervalDay, Reading

from .greenbutton_feed import feed, reading

D = Decimal
# US Eastern time as Green Button samples write it: UTC-5, DST from the second
# Sunday of March 02:00 to the first Sunday of November 02:00.
EASTERN = (
    "<entry><content><e:LocalTimeParameters><e:dstEndRule>B40E2000</e:dstEndRule>"
    "<e:dstOffset>3600</e:dstOffset><e:dstStartRule>360E2000</e:dstStartRule>"
    "<e:tzOffset>-18000</e:tzOffset></e:LocalTimeParameters></content></entry>"
)


def utc(*args: int) -> int:
    return int(datetime.datetime(*args, tzinfo=datetime.UTC).timestamp())


def hours(start: int, count: int, first_wh: int = 1000) -> str:
    """``count`` hourly readings from ``start``: 1000, 1001, 1002 … Wh."""
    return "".join(reading(start + 3600 * i, str(first_wh + i)) for i in range(count))


@pytest.fixture
def point(org, branches):
    """Service point POINT (south) with meter G-1, register "01" in kWh."""
    register = register_at(org, branches["south"], POINT, "G-1")
    return {"sp": register.meter.service_point, "register": register}


def run(tmp_path, text: str, name: str = "usage.xml") -> str:
    return cli_import(tmp_path / name, text, "greenbutton")


def test_it_imports_the_day_the_clocks_go_forward_as_23_hours(point, tmp_path):
    # given 8 March 2026 in Eastern time: local midnight is 05:00 UTC, and the day
    # has 23 hourly readings of 1000 … 1022 Wh
    text = feed(hours(utc(2026, 3, 8, 5), 23), local=EASTERN)

    out = run(tmp_path, text)

    # then one daily reading of 1000 × 23 + (0 + … + 22) = 23253 Wh = 23.253 kWh
    assert "imported:               1" in out
    assert "interval days:          1" in out
    reading_ = Reading.objects.get(register=point["register"])
    assert (reading_.read_on, reading_.value) == (date(2026, 3, 8), D("23.253"))
    # and the hours in kWh, the third (1002 Wh) being 03:00 local time
    day = IntervalDay.objects.get(register=point["register"])
    assert (day.day, day.minutes, day.shift_at) == (date(2026, 3, 8), 60, 2)
    assert day.values.split(",")[:4] == ["1.000", "1.001", "1.002", "1.003"]
    assert len(day.values.split(",")) == 23


def test_the_hourly_load_leaves_the_skipped_hour_empty(point, tmp_path):
    # given the 23-hour day of 8 March 2026 imported
    run(tmp_path, feed(hours(utc(2026, 3, 8, 5), 23), local=EASTERN))

    # when its hourly load is asked for
    sp = point["sp"].pk
    [load] = hourly_loads(
        {0: (sp, "power", date(2026, 3, 8), date(2026, 3, 8))}
    ).values()

    # then 8 March is day 31 + 28 + 7 = 66 of the rating year: 02:00 does not
    # exist, 03:00 holds the third reading
    assert load.kw is not None and load.problem == ""
    first = 66 * 24
    assert load.kw[first : first + 4] == (D("1.000"), D("1.001"), D(0), D("1.002"))
    assert sum(load.kw) == D("23.253")


def test_the_day_the_clocks_go_back_keeps_both_hours(point, tmp_path):
    # given 1 November 2026: local midnight is 04:00 UTC (EDT), 25 hours
    run(tmp_path, feed(hours(utc(2026, 11, 1, 4), 25), local=EASTERN))

    day = IntervalDay.objects.get(register=point["register"])
    assert (len(day.values.split(",")), day.shift_at) == (25, 2)
    sp = point["sp"].pk
    [load] = hourly_loads(
        {0: (sp, "power", date(2026, 11, 1), date(2026, 11, 1))}
    ).values()

    # then 01:00 holds both 01:00 hours (1.001 + 1.002 kWh); the day's energy is
    # 1000 × 25 + (0 + … + 24) = 25300 Wh
    assert load.kw is not None
    first = (date(2026, 11, 1) - date(2026, 1, 1)).days * 24
    assert load.kw[first : first + 3] == (D("1.000"), D("2.003"), D("1.003"))
    assert sum(load.kw) == D("25.300")


def test_a_partial_day_gets_its_reading_and_is_not_rated(point, tmp_path):
    # given 2 June 2026 with only its first 20 hours (local midnight 04:00 UTC)
    run(tmp_path, feed(hours(utc(2026, 6, 2, 4), 20), local=EASTERN))

    # then the day's reading is stored, its intervals with the last four hours
    # empty, and the day counts as one without intervals
    assert Reading.objects.get().value == D("20.190")
    day = IntervalDay.objects.get()
    assert day.values.split(",")[18:] == ["1.018", "1.019", "", "", "", ""]
    [load] = hourly_loads(
        {0: (point["sp"].pk, "power", date(2026, 6, 2), date(2026, 6, 2))}
    ).values()
    assert load.kw is None
    assert "no interval data for 1 of the 1 days" in load.problem


def test_a_second_file_completes_a_partial_day(point, tmp_path):
    # given 2 June's first 20 hours (1000 … 1019 Wh), then a file with its last
    # four (1020 … 1023 Wh) and 3 June's first hour
    run(tmp_path, feed(hours(utc(2026, 6, 2, 4), 20), local=EASTERN), "one.xml")
    out = run(
        tmp_path, feed(hours(utc(2026, 6, 3, 0), 5, 1020), local=EASTERN), "two.xml"
    )

    # then 2 June holds 20.190 + 4.086 = 24.276 kWh and its 24 hours, rated
    assert Reading.objects.get(read_on=date(2026, 6, 2)).value == D("24.276")
    day = IntervalDay.objects.get(day=date(2026, 6, 2))
    assert day.values.split(",")[-5:] == ["1.019", "1.020", "1.021", "1.022", "1.023"]
    [load] = hourly_loads(
        {0: (point["sp"].pk, "power", date(2026, 6, 2), date(2026, 6, 2))}
    ).values()
    assert load.problem == "" and sum(load.kw or ()) == D("24.276")
    # and the completion counts as an imported row, 3 June's hour as another
    assert "imported: 2" in " ".join(out.split())


def test_an_interval_given_again_with_another_value_is_rejected(point, tmp_path):
    # given 2 June's first 20 hours, then a file giving its 20th hour (23:00 UTC)
    # as 5000 Wh and its last four
    run(tmp_path, feed(hours(utc(2026, 6, 2, 4), 20), local=EASTERN), "one.xml")
    second = feed(
        reading(utc(2026, 6, 2, 23), "5000") + hours(utc(2026, 6, 3, 0), 4, 1020),
        local=EASTERN,
    )
    with pytest.raises(CommandError) as failed:
        run(tmp_path, second, "two.xml")

    # then the day keeps its 20 hours and the row is quarantined naming the hour
    assert "1 row(s) rejected" in str(failed.value)
    assert Reading.objects.get().value == D("20.190")
    [rejected] = ImportBatch.objects.order_by("pk").last().rejected.all()
    assert rejected.field == "value"
    assert rejected.message == (
        "the interval from 19:00 of 2026-06-02 is stored as 1.019, the file gives 5.000"
    )


def test_a_partial_day_imported_again_is_a_duplicate(point, tmp_path):
    # given 2 June's first 20 hours, imported, then the last 12 of them again
    run(tmp_path, feed(hours(utc(2026, 6, 2, 4), 20), local=EASTERN), "one.xml")
    out = run(
        tmp_path, feed(hours(utc(2026, 6, 2, 12), 12, 1008), local=EASTERN), "two.xml"
    )

    # then nothing changes and the row is a duplicate
    assert Reading.objects.get().value == D("20.190")
    assert "imported: 0 duplicate: 1" in " ".join(out.split())


def test_a_bad_value_quarantines_that_day_and_its_intervals(point, tmp_path):
    # given two whole days, the second with an hour that is no number
    day_one = hours(utc(2026, 6, 2, 4), 24)
    day_two = hours(utc(2026, 6, 3, 4), 5) + reading(utc(2026, 6, 3, 9), "1x")
    day_two += hours(utc(2026, 6, 3, 10), 18)
    path = tmp_path / "bad.xml"
    path.write_text(feed(day_one + day_two, local=EASTERN))

    with pytest.raises(CommandError) as failed:
        call_command(
            "import_readings", str(path), format="greenbutton", branch="S",
            today="2026-12-04",
        )  # fmt: skip

    # then the first day and its intervals are stored, the second is rejected
    assert "1 row(s) rejected" in str(failed.value)
    assert list(Reading.objects.values_list("read_on", flat=True)) == [date(2026, 6, 2)]
    assert list(IntervalDay.objects.values_list("day", flat=True)) == [date(2026, 6, 2)]
    [rejected] = ImportBatch.objects.get().rejected.all()
    assert (rejected.field, rejected.message) == ("value", "'1x' is not a number")
    assert rejected.line is not None and rejected.line > 1


def test_a_feed_that_is_not_xml_is_refused_whole(point, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text(feed(hours(utc(2026, 6, 2, 4), 24)).replace("</feed>", ""))

    with pytest.raises(CommandError) as refused:
        call_command(
            "import_readings", str(path), format="greenbutton", branch="S",
            today="2026-12-04",
        )  # fmt: skip

    assert str(refused.value).startswith(
        "refused, nothing imported: broken.xml: not well-formed XML"
    )
    assert not ImportBatch.objects.exists() and not IntervalDay.objects.exists()
