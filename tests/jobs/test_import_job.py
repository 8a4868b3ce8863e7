"""A reading file uploaded in the browser is imported by a job whose result lists
exactly the rows the import rejected."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from meterbill.jobs import runner
from meterbill.jobs.models import Job
from meterbill.jobs.services import launch_import
from meterbill.metering.models import Reading, RejectedRow

from .conftest import upload

pytestmark = pytest.mark.django_db

CSV = (
    "meter,date,value\n"
    "W1,2026-12-01,111.5\n"  # line 2: good
    "W2,2026-12-01,oops\n"  # line 3: not a number
    "W9,2026-12-01,12\n"  # line 4: unknown meter
)


def test_it_imports_the_good_rows_and_keeps_the_rejected_ones(
    small_building, alice, branches
):
    job = launch_import(branches["north"], alice, upload("dec.csv", CSV), fmt="csv")
    stored = job.upload_path

    runner.run_job(job.pk)
    job.refresh_from_db()

    assert job.state == "done", job.message
    r = job.result
    assert (r["rows_read"], r["rows_imported"], r["rows_rejected"]) == (3, 1, 2)
    rejected = RejectedRow.objects.filter(batch_id=r["batch"]).order_by("line")
    assert [(row.line, row.field) for row in rejected] == [(3, "value"), (4, "meter")]
    assert Reading.objects.filter(batch_id=r["batch"]).get().register.meter.serial == (
        "W1"
    )
    # The upload is removed once the import is done.
    assert not Path(stored).exists()


def test_a_file_refused_as_a_whole_fails_the_job_naming_the_file(
    small_building, alice, branches
):
    job = launch_import(
        branches["north"], alice, upload("dec.csv", "meter;when\nW1;x\n"), fmt="csv"
    )

    runner.run_job(job.pk)
    job.refresh_from_db()

    assert job.state == "failed"
    assert job.message.startswith("dec.csv")
    assert not RejectedRow.objects.exists()
    # Refused as a whole: the upload is gone, the same file would be refused again.
    assert not Path(job.upload_path).exists()


def test_the_worker_command_runs_what_is_queued(small_building, alice, branches):
    job = launch_import(branches["north"], alice, upload("dec.csv", CSV), fmt="csv")

    call_command("worker", "--once")
    job.refresh_from_db()

    assert job.state == "done"


def test_run_job_runs_one_job_and_refuses_one_not_queued(
    small_building, alice, branches
):
    job = launch_import(branches["north"], alice, upload("dec.csv", CSV), fmt="csv")

    call_command("run_job", str(job.pk))
    with pytest.raises(CommandError, match=f"job {job.pk} is done, not queued"):
        call_command("run_job", str(job.pk))

    assert Job.objects.get(pk=job.pk).state == "done"


DEVICE = (
    "meter_serial,register,value,read_at,reader_id,photo_ref,note,skipped_reason\n"
    "W1,1,111.5,2026-12-01T09:15:00+02:00,alice,,,\n"  # line 2: stored
    "W3,1,,2026-12-01T09:25:00+02:00,alice,,,no access\n"  # line 3: skipped stop
    "X9,1,12,2026-12-01T09:30:00+02:00,alice,,,\n"  # line 4: unknown meter
)


def test_it_imports_a_devices_result_with_its_skipped_stops(
    small_building, alice, branches
):
    job = launch_import(
        branches["north"], alice, upload("route.csv", DEVICE), fmt="device"
    )

    runner.run_job(job.pk)
    job.refresh_from_db()

    assert job.state == "done", job.message
    r = job.result
    # 3 rows: W1 stored, W3 skipped by the reader, X9 rejected.
    assert (r["rows_read"], r["rows_imported"], r["rows_rejected"]) == (3, 1, 1)
    assert r["skipped"] == [[3, "W3", "no access"]]
    assert RejectedRow.objects.get(batch_id=r["batch"]).line == 4
