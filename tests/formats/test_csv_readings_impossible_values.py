"""A negative index and a date before 1970 are row errors, in CSV and XLSX."""

import datetime
import io
from decimal import Decimal

from openpyxl import Workbook

from meterbill.formats import csv_readings, xlsx_readings

TODAY = datetime.date(2024, 3, 31)


def errors_of(text: str) -> list[str]:
    result = csv_readings.read(text, filename="r.csv", today=TODAY)
    return [str(e) for e in result.errors]


def test_it_rejects_a_negative_index():
    text = "meter,date,value,kind\nWM-1,2024-03-01,-5,index\nWM-2,2024-03-01,5,index\n"

    errors = errors_of(text)

    assert errors == ["r.csv:2: field value: -5: an index cannot be negative"]


def test_it_rejects_a_negative_index_in_a_file_without_a_kind_column():
    text = "meter,date,value\nWM-1,2024-03-01,-5\nWM-2,2024-03-01,-0.5\n"

    errors = errors_of(text)

    assert errors == [
        "r.csv:2: field value: -5: an index cannot be negative",
        "r.csv:3: field value: -0.5: an index cannot be negative",
    ]


def test_it_keeps_a_negative_consumption():
    text = "meter,date,value,kind\nWM-1,2024-03-01,-5,consumption\n"

    result = csv_readings.read(text, filename="r.csv", today=TODAY)

    assert [(r.kind, r.value) for r in result.rows] == [("consumption", Decimal(-5))]
    assert result.errors == []


def test_it_rejects_dates_before_1970():
    text = (
        "meter,date,value\n"
        "WM-1,0001-01-01,5\n"
        "WM-2,1900-01-01,5\n"
        "WM-3,1969-12-31,5\n"
        "WM-4,1970-01-01,5\n"
    )

    result = csv_readings.read(text, filename="r.csv", today=TODAY)

    assert [str(e) for e in result.errors] == [
        "r.csv:2: field date: 0001-01-01 is before 1970-01-01",
        "r.csv:3: field date: 1900-01-01 is before 1970-01-01",
        "r.csv:4: field date: 1969-12-31 is before 1970-01-01",
    ]
    assert [r.meter_ref for r in result.rows] == ["WM-4"]


def test_it_rejects_the_same_rows_in_an_xlsx_workbook():
    book = Workbook()
    sheet = book.active
    sheet.append(["meter", "date", "value", "kind"])
    sheet.append(["WM-1", datetime.datetime(1900, 1, 1), 5, "index"])
    sheet.append(["WM-2", "2024-03-01", -5, "index"])
    sheet.append(["WM-3", "2024-03-01", 5, "index"])
    buffer = io.BytesIO()
    book.save(buffer)

    result = xlsx_readings.read(buffer.getvalue(), filename="r.xlsx", today=TODAY)

    assert [str(e) for e in result.errors] == [
        "r.xlsx:2: field date: 1900-01-01 is before 1970-01-01",
        "r.xlsx:3: field value: -5: an index cannot be negative",
    ]
    assert [r.meter_ref for r in result.rows] == ["WM-3"]
