"""MSCONS interchanges imported from the CLI: quarter hours into daily readings and
days of intervals, on German market days of 24 and 23 hours."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from intervals_world import (
    LOCATION,
    QUARTER,
    cli_import,
    mscons_interchange,
    mscons_message,
    register_at,
)
from meterbill.metering.models import ImportBatch, IntervalDay, Reading

D = Decimal


def one_message(quarters: list[tuple[datetime, str]]) -> str:
    """One message for LOCATION, register AUA, one QTY per (UTC start, kWh)."""
    return mscons_interchange(mscons_message(1, quarters))


def quarters(first: datetime, count: int) -> list[tuple[datetime, str]]:
    """``count`` quarter hours from ``first`` (UTC): 0.25, 0.50, 0.75, 1.00, 0.25 …"""
    return [
        (first + QUARTER * i, f"{(i % 4 + 1) * 25 / 100:.2f}") for i in range(count)
    ]


@pytest.fixture
def register(org, branches):
    """Metering location LOCATION (south) with meter M-1, register AUA in kWh."""
    return register_at(org, branches["south"], LOCATION, "M-1", "AUA")


def run(tmp_path, text: str) -> str:
    return cli_import(tmp_path / "mscons.edi", text, "mscons")


def test_it_imports_a_summer_day_and_the_day_of_92_quarter_hours(register, tmp_path):
    # given 29 March 2026 (clocks forward at 02:00 CET: 23 hours, local midnight
    # 23:00 UTC the day before) and 10 June 2026 (CEST: from 22:00 UTC)
    text = one_message(
        quarters(datetime(2026, 3, 28, 23, tzinfo=UTC), 92)
        + quarters(datetime(2026, 6, 9, 22, tzinfo=UTC), 96)
    )

    out = run(tmp_path, text)

    # then two daily readings: 23 hours × 2.50 kWh = 57.50, 24 × 2.50 = 60.00
    assert "imported:               2" in out
    assert "interval days:          2" in out
    assert dict(Reading.objects.values_list("read_on", "value")) == {
        date(2026, 3, 29): D("57.50"),
        date(2026, 6, 10): D("60.00"),
    }
    # and the quarter hours, the ninth of 29 March starting at 03:00 local time
    days = {d.day: d for d in IntervalDay.objects.filter(register=register)}
    march, june = days[date(2026, 3, 29)], days[date(2026, 6, 10)]
    assert (march.minutes, len(march.values.split(",")), march.shift_at) == (15, 92, 8)
    assert (june.minutes, len(june.values.split(",")), june.shift_at) == (15, 96, None)
    assert june.values.split(",")[:5] == ["0.25", "0.50", "0.75", "1.00", "0.25"]
    assert june.batch_id == ImportBatch.objects.get().pk


def test_a_bad_quantity_quarantines_its_day(register, tmp_path):
    # given 10 June 2026 with one quantity that is no number, and 11 June whole
    june_10 = quarters(datetime(2026, 6, 9, 22, tzinfo=UTC), 96)
    june_10[40] = (june_10[40][0], "4,5")
    text = one_message(june_10 + quarters(datetime(2026, 6, 10, 22, tzinfo=UTC), 96))
    path = tmp_path / "bad.edi"
    path.write_text(text)

    with pytest.raises(CommandError, match="1 row"):
        call_command(
            "import_readings", str(path), format="mscons", branch="S",
            today="2026-12-04",
        )  # fmt: skip

    # then 11 June is stored with its intervals, 10 June is rejected naming the
    # segment (the 41st QTY: 5 segments before the first, 3 per quantity, UNA and
    # UNB first: 2 + 5 + 40 × 3 + 1 = 128) and the data element
    assert list(IntervalDay.objects.values_list("day", flat=True)) == [
        date(2026, 6, 11)
    ]
    assert list(Reading.objects.values_list("read_on", flat=True)) == [
        date(2026, 6, 11)
    ]
    [rejected] = ImportBatch.objects.get().rejected.all()
    assert (rejected.line, rejected.field) == (128, "QTY C186.6060")


def test_an_interchange_without_unz_is_refused_whole(register, tmp_path):
    text = one_message(quarters(datetime(2026, 6, 9, 22, tzinfo=UTC), 96))

    with pytest.raises(CommandError) as refused:
        run(tmp_path, text.removesuffix("UNZ+1+REF1'"))

    assert "refused, nothing imported: mscons.edi:" in str(refused.value)
    assert "field UNZ: no UNZ segment at the end" in str(refused.value)
    assert not ImportBatch.objects.exists() and not IntervalDay.objects.exists()


def test_two_interchanges_that_split_a_german_day_complete_it(register, tmp_path):
    # given 10 June 2026 (from 22:00 UTC the day before): its first 40 quarter
    # hours in one interchange, the other 56 in the next
    first = quarters(datetime(2026, 6, 9, 22, tzinfo=UTC), 96)
    run(tmp_path, one_message(first[:40]))
    out = run(tmp_path, one_message(first[40:]))

    # then the day holds 24 × 2.50 = 60 kWh and its 96 quarter hours, rated
    assert "imported:               1" in out
    assert Reading.objects.get().value == D("60.00")
    values = IntervalDay.objects.get().values.split(",")
    assert (len(values), values[39:41]) == (96, ["1.00", "0.25"])
