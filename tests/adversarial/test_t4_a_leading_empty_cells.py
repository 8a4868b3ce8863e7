"""T4 (A, columnar CSV import): a readings file whose first line holds only empty
cells (";;", the blank first row of a spreadsheet export) is refused whole since
the columnar reader (e08bfaf) takes the first line as the header; the row by row
reader skips a line of empty cells and finds the header on the next line, as it
did before."""

from datetime import date
from decimal import Decimal

import pytest

from meterbill.formats import csv_readings
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Reading, Register

TODAY = date(2026, 12, 4)
FILE = ";;\nmeter;date;value\nW1;2026-11-30;5\n"


@pytest.fixture
def w1(org, branches):
    from meterbill.premises.models import Utility

    cold = Utility.objects.create(
        organisation=org, code="cold", name="Cold water", kind="cold_water", unit="m3"
    )
    meter = Meter.objects.create(
        branch=branches["north"], kind="apartment", utility=cold, serial="W1"
    )
    return Register.objects.create(meter=meter, unit="m3")


def test_the_row_by_row_reader_reads_it():
    # the rules of read_fields, as before the columnar path: line 3 is a reading
    rows = csv_readings.read_fields(
        FILE + '"W1";2026-11-29;4\n',  # a quote: the columnar path steps aside
        filename="lead.csv",
        today=TODAY,
    )
    assert [(f.line, f.meter_ref, f.value) for f in rows.rows] == [
        (3, "W1", Decimal("5")),
        (4, "W1", Decimal("4")),
    ]


def test_a_first_line_of_empty_cells_does_not_refuse_the_file(branches, w1):
    report = import_readings(
        FILE.encode(),
        fmt="csv",
        branch=branches["north"],
        filename="lead.csv",
        options=ImportOptions(today=TODAY),
    )

    assert (report.rows_imported, report.rows_rejected) == (1, 0)
    stored = Reading.objects.get(register=w1)
    assert (stored.read_on, stored.value) == (date(2026, 11, 30), Decimal("5"))
