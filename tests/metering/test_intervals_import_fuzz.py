"""Odd MSCONS interchanges through the import: refused whole with a one-line message
naming the file (nothing stored), or imported with every rejection located; and
every stored day of intervals adds up to its stored daily reading."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meterbill.metering.imports import ImportOptions, ImportRefused, import_readings
from meterbill.metering.models import ImportBatch, IntervalDay, Meter, Reading, Register
from meterbill.premises.models import ServicePoint, Utility

MIDNIGHT = datetime(2026, 6, 9, 22, tzinfo=UTC)  # 10 June 2026 00:00 CEST
QUARTER = timedelta(minutes=15)
OPTIONS = ImportOptions(today=date(2026, 12, 4), again=True)

quantity = st.tuples(
    st.integers(0, 200),  # quarter hours after MIDNIGHT
    st.sampled_from([1, 1, 1, 2, 96]),  # length in quarter hours
    st.sampled_from(["0.25", "1", "x", "-1", "", "1.1234567", "99999999999999999"]),
    st.sampled_from(["KWH", "WHR", "MTQ", "FOO"]),
    st.sampled_from(["DE1", "DE2", ""]),  # DE2 is no metering location of ours
)


def interchange(quantities, whole_day: bool, damage: str) -> str:
    body = ["UNH+1+MSCONS:D:04B:UN:2.4b"]
    location = None
    spans = [
        (MIDNIGHT + QUARTER * q, QUARTER * n, v, u, loc)
        for q, n, v, u, loc in quantities
    ]
    if whole_day:
        spans += [
            (MIDNIGHT + QUARTER * q, QUARTER, "1", "KWH", "DE1") for q in range(96)
        ]
    for start, length, value, unit, loc in spans:
        if loc != location:
            body += [f"LOC+172+{loc}", "PIA+5+AUA"]
            location = loc
        body += [
            f"QTY+220:{value}:{unit}",
            f"DTM+163:{start:%Y%m%d%H%M}?+00:303",
            f"DTM+164:{start + length:%Y%m%d%H%M}?+00:303",
        ]
    body.append(f"UNT+{len(body) + 1}+1")
    text = "UNA:+.? '" + "'".join(["UNB+UNOC:3+S+R+1+X", *body, "UNZ+1+X"]) + "'"
    return text.replace("UNZ", damage) if damage else text


@pytest.fixture
def register(org, branches):
    power = Utility.objects.create(
        organisation=org, code="power", name="Power", kind="electricity", unit="kWh"
    )
    sp = ServicePoint.objects.create(branch=branches["south"], identifier="DE1")
    meter = Meter.objects.create(
        branch=branches["south"],
        kind="service_point",
        utility=power,
        serial="M1",
        service_point=sp,
    )
    return Register.objects.create(meter=meter, code="AUA", unit="kWh")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(quantity, max_size=12),
    st.booleans(),
    st.sampled_from(["", "", "UNX", "UNT"]),
)
def test_odd_interchanges_are_refused_or_imported_consistently(
    register, quantities, whole_day, damage
):
    batches = ImportBatch.objects.count()
    text = interchange(quantities, whole_day, damage)

    try:
        report = import_readings(
            text.encode(),
            fmt="mscons",
            branch=register.meter.branch,
            filename="odd.edi",
            options=OPTIONS,
        )
    except ImportRefused as refused:
        message = str(refused)
        assert message.startswith("odd.edi") and "\n" not in message
        assert ImportBatch.objects.count() == batches
        return

    assert all(e.file == "odd.edi" and e.field for e in report.rejected)
    readings = dict(
        Reading.objects.filter(register=register).values_list("read_on", "value")
    )
    for day, values in IntervalDay.objects.values_list("day", "values"):
        # a partial day leaves its missing intervals empty
        assert sum(Decimal(v) for v in values.split(",") if v) == readings[day]
