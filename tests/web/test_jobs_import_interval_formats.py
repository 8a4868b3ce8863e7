"""The import screen takes Green Button and MSCONS files: the job imports them as
the CLI does, days of intervals included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meterbill.jobs.models import Job
from meterbill.jobs.worker import run_queued
from meterbill.metering.models import IntervalDay, Meter, Register
from meterbill.premises.models import ServicePoint, Utility

# 10 June 2026 in German legal time (CEST) starts at 22:00 UTC the day before.
MIDNIGHT = datetime(2026, 6, 9, 22, tzinfo=UTC)
QUARTER = timedelta(minutes=15)


def mscons() -> bytes:
    """96 quarter hours of 0.25 kWh at metering location 51238696788."""
    body = ["UNH+1+MSCONS:D:04B:UN:2.4b", "LOC+172+51238696788", "PIA+5+AUA:Z08"]
    for start in (MIDNIGHT + QUARTER * i for i in range(96)):
        body += [
            "QTY+220:0.25:KWH",
            f"DTM+163:{start:%Y%m%d%H%M}?+00:303",
            f"DTM+164:{start + QUARTER:%Y%m%d%H%M}?+00:303",
        ]
    body.append(f"UNT+{len(body) + 1}+1")
    segments = ["UNB+UNOC:3+S+R+1+X", *body, "UNZ+1+X"]
    return ("UNA:+.? '" + "'".join(segments) + "'").encode()


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.JOB_UPLOAD_DIR = tmp_path / "uploads"


@pytest.mark.django_db
def test_an_mscons_upload_is_imported_with_its_quarter_hours(
    org, branches, alice, client_for
):
    # given metering location 51238696788 in alice's branch (north)
    north = branches["north"]
    power = Utility.objects.create(
        organisation=org, code="power", name="Power", kind="electricity", unit="kWh"
    )
    sp = ServicePoint.objects.create(branch=north, identifier="51238696788")
    meter = Meter.objects.create(
        branch=north, kind="service_point", utility=power, serial="M1", service_point=sp
    )
    Register.objects.create(meter=meter, code="AUA", unit="kWh")

    # when she uploads the interchange and the job runs
    response = client_for(alice).post(
        "/imports/",
        {
            "branch": north.pk,
            "format": "mscons",
            "file": SimpleUploadedFile("june.edi", mscons()),
        },
    )
    run_queued()

    # then the day is imported with its 96 quarter hours
    assert response.status_code == 302, response.content[:500]
    job = Job.objects.get()
    assert job.state == "done", job.message
    day = IntervalDay.objects.get()
    assert (str(day.day), len(day.values.split(","))) == ("2026-06-10", 96)
