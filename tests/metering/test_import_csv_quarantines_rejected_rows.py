from datetime import date
from decimal import Decimal

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import ImportBatch, Reading, RejectedRow

from .conftest import TODAY

CSV = (
    "meter,date,value\n"
    "W1,2026-11-30,110.5\n"  # line 2: good
    "W9,2026-11-30,12\n"  # line 3: unknown meter
    "W2,2026-13-01,12\n"  # line 4: bad date
    "W2,2026-11-30,twelve\n"  # line 5: not a number
    "W2,2026-12-24,13\n"  # line 6: in the future
    "W2,2026-11-30,220\n"  # line 7: good
)


def test_it_imports_the_good_rows_and_quarantines_exactly_the_others(
    branches, water_meters
):
    north = branches["north"]

    report = import_readings(
        CSV.encode(),
        fmt="csv",
        branch=north,
        filename="november.csv",
        options=ImportOptions(today=TODAY),
    )

    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (6, 2, 4)
    assert [str(e) for e in report.rejected] == [
        "november.csv:3: field meter: unknown meter 'W9' in this branch",
        "november.csv:4: field date: '2026-13-01' is not a date",
        "november.csv:5: field value: 'twelve' is not a number",
        "november.csv:6: field date: 2026-12-24 is in the future",
    ]
    quarantined = RejectedRow.objects.filter(batch_id=report.batch_id)
    assert sorted(quarantined.values_list("line", "field")) == [
        (3, "meter"),
        (4, "date"),
        (5, "value"),
        (6, "date"),
    ]
    stored = Reading.objects.filter(batch_id=report.batch_id).order_by("value")
    assert [(r.register_id, r.read_on, r.value, r.source) for r in stored] == [
        (water_meters["W1"].pk, date(2026, 11, 30), Decimal("110.5"), "file"),
        (water_meters["W2"].pk, date(2026, 11, 30), Decimal("220"), "file"),
    ]
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.rows_read, batch.rows_imported, batch.rows_rejected) == (6, 2, 4)


def test_it_rejects_a_meter_of_another_branch(branches, water_meters):
    south = branches["south"]

    report = import_readings(
        b"meter,date,value\nW1,2026-11-30,1\n",
        fmt="csv",
        branch=south,
        filename="south.csv",
        options=ImportOptions(today=TODAY),
    )

    assert report.rows_imported == 0
    assert [(e.line, e.field) for e in report.rejected] == [(2, "meter")]
    assert not Reading.objects.filter(batch_id=report.batch_id).exists()
