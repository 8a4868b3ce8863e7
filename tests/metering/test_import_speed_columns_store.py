"""A CSV file of meter, date and value is imported a column at a time: it stores
what the row by row path stores, and rejects, counts and quarantines the same."""

from datetime import date
from decimal import Decimal

from django.db import connection

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Reading, RejectedRow

from .conftest import TODAY

OPTIONS = ImportOptions(today=TODAY)


def _import(text, branch, filename="n.csv"):
    return import_readings(
        text.encode(), fmt="csv", branch=branch, filename=filename, options=OPTIONS
    )


def _stored(register):
    """The stored columns of a register's readings, as the database holds them."""
    text = "CHAR" if connection.vendor == "mysql" else "TEXT"  # MariaDB's name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CAST(read_on AS {text}), CAST(value AS {text}), period_start, "
            "kind, "
            "source, status, method, quality, note, reader, photo_ref, entered_by_id "
            "FROM metering_reading WHERE register_id = %s ORDER BY read_on",
            [register.pk],
        )
        return cursor.fetchall()


def test_it_stores_what_the_row_by_row_path_stores(branches, water_meters):
    north = branches["north"]
    days_values = [("2026-11-30", "110.5"), ("2026-11-29", "0"), ("2026-11-28", "7")]
    days_values += [("2026-11-27", "12345678.123456"), ("2026-11-26", "1.250")]
    columns = "".join(f"W1,{d},{v}\n" for d, v in days_values)
    # one more (empty) column: every row takes the row by row path
    rows = "".join(f"W2,{d},{v},\n" for d, v in days_values)

    first = _import("meter,date,value\n" + columns, north, "w1.csv")
    second = _import("meter,date,value,kind\n" + rows, north, "w2.csv")

    assert (first.rows_imported, second.rows_imported) == (5, 5)
    assert _stored(water_meters["W1"]) == _stored(water_meters["W2"])
    read_back = Reading.objects.filter(register=water_meters["W1"]).order_by("read_on")
    assert [(r.read_on, r.value, r.kind, r.quality) for r in read_back] == [
        (date(2026, 11, 26), Decimal("1.25"), "index", "A"),
        (date(2026, 11, 27), Decimal("12345678.123456"), "index", "A"),
        (date(2026, 11, 28), Decimal("7"), "index", "A"),
        (date(2026, 11, 29), Decimal("0"), "index", "A"),
        (date(2026, 11, 30), Decimal("110.5"), "index", "A"),
    ]


def test_it_rejects_the_rows_off_the_columns_as_before(branches, water_meters):
    text = (
        "meter,date,value\n"
        "W1,2026-11-30,110.5\n"  # line 2: good
        "W9,2026-11-30,12\n"  # line 3: unknown meter
        "W2,2026-12-24,13\n"  # line 4: in the future (the reader says)
        "W2,2026-12-05,13\n"  # line 5: in the future (the import says)
        "W2,2026-11-30,1.1234567\n"  # line 6: too many decimals
        "W2,2026-11-29,220\n"  # line 7: good
    )

    report = _import(text, branches["north"])

    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (6, 2, 4)
    assert [str(e) for e in report.rejected] == [
        "n.csv:3: field meter: unknown meter 'W9' in this branch",
        "n.csv:4: field date: 2026-12-24 is in the future",
        "n.csv:5: field date: 2026-12-05 is in the future",
        "n.csv:6: field value: 1.1234567 exceeds the stored precision",
    ]
    quarantined = RejectedRow.objects.filter(batch_id=report.batch_id)
    assert sorted(quarantined.values_list("line", "field")) == [
        (3, "meter"),
        (4, "date"),
        (5, "date"),
        (6, "value"),
    ]
    stored = Reading.objects.filter(batch_id=report.batch_id).order_by("value")
    assert [(r.register_id, r.read_on, r.value) for r in stored] == [
        (water_meters["W1"].pk, date(2026, 11, 30), Decimal("110.5")),
        (water_meters["W2"].pk, date(2026, 11, 29), Decimal("220")),
    ]


def test_the_first_row_of_a_day_wins_on_and_off_the_columns(branches, water_meters):
    text = (
        "meter,date,value\n"
        " W1,2026-11-30,1\n"  # line 2: a padded serial, off the columns: it wins
        "W1,2026-11-30,2\n"  # line 3: a duplicate of line 2
        "W2,2026-11-30,3\n"  # line 4
        "W2,2026-11-30,4\n"  # line 5: a duplicate of line 4
    )

    report = _import(text, branches["north"])

    assert (report.rows_imported, report.rows_duplicate, report.rows_rejected) == (
        2,
        2,
        0,
    )
    stored = Reading.objects.filter(batch_id=report.batch_id).order_by("value")
    assert [(r.register_id, r.value) for r in stored] == [
        (water_meters["W1"].pk, Decimal("1")),
        (water_meters["W2"].pk, Decimal("3")),
    ]


def test_it_compares_the_columns_with_the_stored_readings(branches, water_meters):
    north = branches["north"]
    _import("meter,date,value\nW1,2026-11-29,10\nW1,2026-11-30,11\n", north, "a.csv")

    report = _import(
        "meter,date,value\n"
        "W1,2026-11-29,10.000\n"  # line 2: the stored value again: a duplicate
        "W1,2026-11-30,12\n"  # line 3: another value: quarantined
        "W1,2026-12-01,13\n",  # line 4: a new day
        north,
        "b.csv",
    )

    assert (report.rows_imported, report.rows_duplicate, report.rows_rejected) == (
        1,
        1,
        1,
    )
    assert [str(e) for e in report.rejected] == [
        "b.csv:3: field value: 12 conflicts with the stored actual reading "
        "11.000000 of 2026-11-30; correct it through the review queue"
    ]
    values = Reading.objects.filter(register=water_meters["W1"]).order_by("read_on")
    assert [r.value for r in values] == [Decimal(10), Decimal(11), Decimal(13)]
