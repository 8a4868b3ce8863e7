import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from meterbill.metering.imports import (
    ImportOptions,
    ImportRefused,
    import_readings,
    save_column_map,
)
from meterbill.metering.models import Reading

from .conftest import TODAY


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_it_reads_a_branch_workbook_through_its_saved_column_map(
    branches, water_meters
):
    save_column_map(
        branches["hq"],
        "stadtwerk",
        {"meter": "Zaehler", "date": "Datum", "value": "Stand"},
        fmt="xlsx",
        date_format="DD.MM.YYYY",
    )
    data = _xlsx([("Zaehler", "Datum", "Stand"), ("W1", "30.11.2026", 42.125)])

    report = import_readings(
        data,
        fmt="xlsx",
        branch=branches["north"],
        filename="stand.xlsx",
        options=ImportOptions(column_map="stadtwerk", today=TODAY),
    )

    assert (report.rows_imported, report.rows_rejected) == (1, 0)
    reading = Reading.objects.get()
    assert (reading.read_on, reading.value) == (date(2026, 11, 30), Decimal("42.125"))


def test_it_refuses_an_unknown_column_map(branches, water_meters):
    with pytest.raises(ImportRefused, match="no column map 'absent'"):
        import_readings(
            b"meter,date,value\n",
            fmt="csv",
            branch=branches["north"],
            filename="a.csv",
            options=ImportOptions(column_map="absent"),
        )
