"""T4 (A, readings import): with a file name longer than the batch keeps (255
characters, e.g. an upload named by a browser or the Python API), the rows that
``_accepted`` rejects (unknown meter) carry the batch's cut name while the reader's
rejections carry the whole name: the report lists the rejections grouped by those
two names instead of in line order, and the quarantine stores the cut name in
``RejectedRow.file`` (which names the member of a zip archive) for some rows only.
The columnar path (``_accepted_columns``) does as the row by row one."""

from datetime import date

import pytest

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Register, RejectedRow

TODAY = date(2026, 12, 4)
NAME = "readings-" + "n" * 300 + ".csv"
FILE = (
    "meter,date,value\n"
    "W1,2026-13-01,5\n"  # line 2: not a date (the reader)
    "X,2026-11-30,5\n"  # line 3: unknown meter (the checks)
    "W1,2026-13-02,5\n"  # line 4: not a date (the reader)
)


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


def test_rejections_are_in_line_order_and_name_no_other_file(branches, w1):
    report = import_readings(
        FILE.encode(),
        fmt="csv",
        branch=branches["north"],
        filename=NAME,
        options=ImportOptions(today=TODAY),
    )

    assert [(e.line, e.field) for e in report.rejected] == [
        (2, "date"),
        (3, "meter"),
        (4, "date"),
    ]
    stored = RejectedRow.objects.filter(batch_id=report.batch_id).order_by("line")
    assert [(r.line, r.file) for r in stored] == [(2, ""), (3, ""), (4, "")]
