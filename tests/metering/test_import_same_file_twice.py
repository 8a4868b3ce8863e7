import pytest

from meterbill.metering.imports import ImportOptions, ImportRefused, import_readings
from meterbill.metering.models import ImportBatch, Reading

from .conftest import TODAY

CSV = b"meter,date,value\nW1,2026-10-31,100\nW1,2026-11-30,110\n"


def test_it_refuses_the_same_file_twice_unless_asked_again(branches, water_meters):
    north = branches["north"]
    options = ImportOptions(today=TODAY)
    first = import_readings(
        CSV, fmt="csv", branch=north, filename="a.csv", options=options
    )

    with pytest.raises(ImportRefused, match="already imported into branch N"):
        import_readings(CSV, fmt="csv", branch=north, filename="b.csv", options=options)
    again = import_readings(
        CSV,
        fmt="csv",
        branch=north,
        filename="b.csv",
        options=ImportOptions(today=TODAY, again=True),
    )

    assert (first.rows_imported, first.rows_duplicate) == (2, 0)
    assert (again.rows_imported, again.rows_duplicate, again.rows_rejected) == (0, 2, 0)
    assert Reading.objects.count() == 2
    assert ImportBatch.objects.count() == 2


def test_it_counts_a_day_repeated_in_the_file_once_as_duplicate(branches, water_meters):
    data = b"meter,date,value\nW1,2026-11-30,110\nW1,2026-11-30,111\n"

    report = import_readings(
        data,
        fmt="csv",
        branch=branches["north"],
        filename="twice.csv",
        options=ImportOptions(today=TODAY),
    )

    assert (report.rows_imported, report.rows_duplicate) == (1, 1)
    assert Reading.objects.get().value == 110
