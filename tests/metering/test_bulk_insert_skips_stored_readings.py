from datetime import UTC, date, datetime
from decimal import Decimal

from meterbill.metering.bulk import entered_at, insert_readings
from meterbill.metering.models import Reading

AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def _row(register_id, read_on, value, note=""):
    return (
        register_id,
        read_on,
        None,
        "index",
        Decimal(value),
        "file",
        "actual",
        "",
        "A",
        None,
        None,
        entered_at(AT),
        note,
        "",
        "",
    )


def test_it_inserts_only_the_rows_not_stored_yet(water_meters):
    w1 = water_meters["W1"].pk
    insert_readings(
        [_row(w1, date(2026, 10, 31), "100"), _row(w1, date(2026, 11, 30), "110")]
    )

    inserted = insert_readings(
        [_row(w1, date(2026, 11, 30), "999"), _row(w1, date(2026, 12, 1), "111")]
    )

    assert inserted == 1
    stored = dict(Reading.objects.values_list("read_on", "value"))
    assert stored == {
        date(2026, 10, 31): Decimal("100"),
        date(2026, 11, 30): Decimal("110"),
        date(2026, 12, 1): Decimal("111"),
    }


def test_it_keeps_every_column_as_given(water_meters):
    w2 = water_meters["W2"].pk
    row = (
        w2,
        date(2026, 11, 30),
        date(2026, 11, 1),
        "consumption",
        Decimal("12345678.123456"),
        "radio",
        "actual",
        "",
        "E",
        None,
        None,
        entered_at(AT),
        "register read 5 m3",
        "",
        "",
    )

    inserted = insert_readings([row])

    reading = Reading.objects.get()
    assert inserted == 1
    assert (reading.register_id, reading.read_on, reading.period_start) == (
        w2,
        date(2026, 11, 30),
        date(2026, 11, 1),
    )
    assert (reading.kind, reading.value, reading.source) == (
        "consumption",
        Decimal("12345678.123456"),
        "radio",
    )
    assert (reading.quality, reading.note, reading.entered_at) == (
        "E",
        "register read 5 m3",
        AT,
    )


def test_it_inserts_nothing_for_no_rows(water_meters):
    inserted = insert_readings([])

    assert inserted == 0
    assert not Reading.objects.exists()
