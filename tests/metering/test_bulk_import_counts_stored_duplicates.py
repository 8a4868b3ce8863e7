from decimal import Decimal

from meterbill.audit.models import AuditEvent
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Reading, RejectedRow

from .conftest import TODAY


def test_it_counts_readings_already_stored_as_duplicates(branches, water_meters):
    north = branches["north"]
    options = ImportOptions(today=TODAY)
    import_readings(
        b"meter,date,value\nW1,2026-10-31,100\n",
        fmt="csv",
        branch=north,
        filename="october.csv",
        options=options,
    )
    data = (
        b"meter,date,value\n"
        b"W1,2026-10-31,100\n"  # the stored value again: a duplicate
        b"W1,2026-11-30,110\n"
        b"W9,2026-11-30,5\n"  # unknown meter: quarantined
        b"W2,2026-11-30,7.5\n"
    )

    report = import_readings(
        data, fmt="csv", branch=north, filename="november.csv", options=options
    )

    assert (report.rows_imported, report.rows_duplicate, report.rows_rejected) == (
        2,
        1,
        1,
    )
    assert sorted(
        Reading.objects.values_list("register__meter__serial", "read_on", "value")
    ) == [
        ("W1", TODAY.replace(month=10, day=31), Decimal("100")),
        ("W1", TODAY.replace(month=11, day=30), Decimal("110")),
        ("W2", TODAY.replace(month=11, day=30), Decimal("7.5")),
    ]
    rejected = RejectedRow.objects.get(batch_id=report.batch_id)
    assert (rejected.line, rejected.field) == (4, "meter")
    event = AuditEvent.objects.filter(action="readings.import").latest("pk")
    assert event.after["rows_duplicate"] == 1
    assert event.after["rows_imported"] == 2
