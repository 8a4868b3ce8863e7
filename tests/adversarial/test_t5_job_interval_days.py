"""T5: after a web import of an interval file the job's result page showed the rows
read and imported but not the interval days stored, which `import-readings` prints;
a user importing MSCONS on the web could not see that the quarter hours were kept."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meterbill.jobs.models import Job
from meterbill.jobs.worker import run_queued
from meterbill.metering.models import Meter, Register
from meterbill.premises.models import ServicePoint, Utility
from web.test_jobs_import_interval_formats import mscons

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.JOB_UPLOAD_DIR = tmp_path / "uploads"


def test_the_job_page_shows_the_interval_days_imported(
    org, branches, alice, client_for
):
    north = branches["north"]
    power = Utility.objects.create(
        organisation=org, code="power", name="Power", kind="electricity", unit="kWh"
    )
    sp = ServicePoint.objects.create(branch=north, identifier="51238696788")
    meter = Meter.objects.create(
        branch=north, kind="service_point", utility=power, serial="M1", service_point=sp
    )
    Register.objects.create(meter=meter, code="AUA", unit="kWh")
    client = client_for(alice)
    client.post(
        "/imports/",
        {
            "branch": north.pk,
            "format": "mscons",
            "file": SimpleUploadedFile("june.edi", mscons()),
        },
    )
    run_queued()

    job = Job.objects.get()
    page = client.get(f"/jobs/{job.pk}/").content.decode()

    assert job.result["interval_days"] == 1
    assert "<dt>Interval days</dt><dd>1</dd>" in page
