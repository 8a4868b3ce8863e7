"""Rows that differ only in register, day and value are written with the shared
columns bound once: the database holds what the row by row statement writes."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import connection

from meterbill.metering.bulk import entered_at, insert_readings
from meterbill.metering.models import Reading

AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
DAYS_VALUES = [
    (date(2026, 11, 30), "110.5"),
    (date(2026, 11, 29), "0"),
    (date(2026, 11, 28), "12345678.123456"),
    (date(2026, 11, 27), "1.250"),
    (date(2026, 11, 26), "7E+2"),  # a converted unit's value keeps its exponent
]


def _row(register_id, read_on, value, quality="A"):
    return (
        register_id,
        read_on,
        None,
        "index",
        Decimal(value),
        "file",
        "actual",
        "",
        quality,
        None,
        None,
        entered_at(AT),
        "",
        "",
        "",
    )


def _stored(register_id):
    text = "CHAR" if connection.vendor == "mysql" else "TEXT"  # MariaDB's name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CAST(read_on AS {text}), CAST(value AS {text}), period_start, "
            "kind, "
            f"source, status, method, quality, CAST(entered_at AS {text}), note "
            "FROM metering_reading WHERE register_id = %s ORDER BY read_on",
            [register_id],
        )
        return cursor.fetchall()


def test_shared_rows_are_stored_as_rows_of_their_own_are(water_meters):
    w1, w2 = water_meters["W1"].pk, water_meters["W2"].pk
    shared = [_row(w1, day, value) for day, value in DAYS_VALUES]
    # One estimated-quality row makes the rows differ in more than three columns.
    mixed = [_row(w2, day, value) for day, value in DAYS_VALUES]
    mixed.append(_row(w2, date(2026, 12, 1), "1", quality="E"))

    inserted = (insert_readings(shared), insert_readings(mixed))

    assert inserted == (5, 6)
    assert _stored(w1) == _stored(w2)[:5]


def test_shared_rows_leave_the_stored_ones_out(water_meters):
    w1 = water_meters["W1"].pk
    insert_readings([_row(w1, date(2026, 11, 30), "999")])

    inserted = insert_readings([_row(w1, day, value) for day, value in DAYS_VALUES])

    assert inserted == 4
    stored = dict(
        Reading.objects.filter(register_id=w1).values_list("read_on", "value")
    )
    assert stored == {
        date(2026, 11, 30): Decimal("999"),
        date(2026, 11, 29): Decimal("0"),
        date(2026, 11, 28): Decimal("12345678.123456"),
        date(2026, 11, 27): Decimal("1.25"),
        date(2026, 11, 26): Decimal("700"),
    }
