import datetime
from decimal import Decimal

import pytest

from meterbill.formats import csv_readings
from meterbill.formats.errors import InvalidFormat

TODAY = datetime.date(2024, 3, 31)


def read(data, **options):
    return csv_readings.read(data, filename="r.csv", today=TODAY, **options)


def test_it_reads_every_documented_column():
    data = (
        "meter,register,date,value,kind,unit,quality,reader,note\n"
        "WM-1,1,2024-03-01,123.456,index,M3,e,alice,behind the door\n"
    )

    [row] = read(data).rows

    assert row == csv_readings.ReadingRow(
        line=2,
        meter_ref="WM-1",
        register="1",
        read_on=datetime.date(2024, 3, 1),
        value=Decimal("123.456"),
        kind="index",
        unit="m3",
        quality="E",
        source_ref="readings file line 2",
    )


def test_it_defaults_kind_to_index_and_quality_to_actual():
    [row] = read("meter,date,value\nWM-1,2024-03-01,7\n").rows

    assert (row.kind, row.quality, row.register, row.unit) == ("index", "A", "", "")


def test_it_reads_semicolons_with_a_decimal_comma_and_a_bom():
    data = "\ufeffmeter;date;value;kind\nHM-9;2024-03-01;12,5;consumption\n"

    [row] = read(data.encode("utf-8")).rows

    assert (row.value, row.kind) == (Decimal("12.5"), "consumption")


def test_it_reads_tabs():
    [row] = read("meter\tdate\tvalue\nWM-1\t2024-03-01\t3\n").rows

    assert row.value == Decimal(3)


def test_it_falls_back_to_cp1252():
    data = "meter,date,value,note\nWM-1,2024-03-01,3,Küche\n".encode("cp1252")

    assert len(read(data).rows) == 1


def test_it_reads_day_first_dates_when_told():
    data = "meter,date,value\nA,05.03.2024,1\nB,2024-03-06,2\n"

    rows = read(data, date_format="DD.MM.YYYY").rows

    assert [r.read_on.day for r in rows] == [5, 6]


def test_it_maps_a_branch_layout_onto_our_columns():
    data = "Zähler;Datum;Stand\nWM-1;01/03/2024;10\n"

    [row] = read(
        data,
        column_map={"meter": "Zähler", "date": "Datum", "value": "Stand"},
        date_format="DD/MM/YYYY",
    ).rows

    assert (row.meter_ref, row.read_on) == ("WM-1", datetime.date(2024, 3, 1))


def test_it_rejects_a_file_missing_a_required_column():
    with pytest.raises(InvalidFormat) as caught:
        read("meter,date\nWM-1,2024-03-01\n")

    assert str(caught.value) == (
        "r.csv:1: field value: required column 'value' is missing"
    )
