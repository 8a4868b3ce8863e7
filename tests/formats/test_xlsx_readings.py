import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from meterbill.formats import xlsx_readings
from meterbill.formats.errors import InvalidFormat

TODAY = datetime.date(2024, 3, 31)


def workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    book.create_sheet("ignored").append(["meter", "date", "value"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(data, **options):
    return xlsx_readings.read(data, filename="r.xlsx", today=TODAY, **options)


def test_it_reads_typed_cells_of_the_first_sheet():
    data = workbook(
        ["meter", "date", "value", "unit"],
        ["WM-1", datetime.datetime(2024, 3, 1), 12.345, "m³"],
        ["WM-2", "2024-03-02", 7, "m3"],
    )

    rows = read(data).rows

    assert [(r.line, r.meter_ref, r.read_on.day, r.value, r.unit) for r in rows] == [
        (2, "WM-1", 1, Decimal("12.345"), "m3"),
        (3, "WM-2", 2, Decimal(7), "m3"),
    ]


def test_it_numbers_rows_by_sheet_row_and_reports_bad_ones():
    data = workbook(
        ["meter", "date", "value"],
        [None, None, None],
        ["WM-1", "soon", 1],
    )

    result = read(data)

    assert result.rows == []
    assert [str(e) for e in result.errors] == [
        "r.xlsx:3: field date: 'soon' is not a date"
    ]


def test_it_uses_a_column_map():
    data = workbook(["Serial", "Read on", "Index"], ["WM-1", "01.03.2024", "4,5"])

    result = read(
        data,
        column_map={"meter": "Serial", "date": "Read on", "value": "Index"},
        date_format="DD.MM.YYYY",
    )

    assert [str(e) for e in result.errors] == [
        "r.xlsx:2: field value: '4,5' is not a number"
    ]


def test_it_rejects_a_missing_required_column():
    with pytest.raises(InvalidFormat) as caught:
        read(workbook(["meter", "value"], ["WM-1", 1]))

    assert caught.value.field == "date"


def test_it_rejects_bytes_that_are_no_workbook():
    with pytest.raises(InvalidFormat):
        read(b"PK\x03\x04 not really a zip")
