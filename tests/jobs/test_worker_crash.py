"""A runner that dies leaves its job failed with the reason, never "running" for
ever; the job then runs again from where it stopped."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from meterbill.billing.models import BillRun, BillRunChunk
from meterbill.invoicing.models import Invoice
from meterbill.jobs import runner
from meterbill.jobs.models import Job
from meterbill.jobs.services import launch_bill_run

pytestmark = pytest.mark.django_db


def dead_pid() -> int:
    """The id of a process that has ended (and been waited for)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def running(job: Job, worker: str, heartbeat_ago: timedelta) -> Job:
    beat = timezone.now() - heartbeat_ago
    Job.objects.filter(pk=job.pk).update(
        state="running", worker=worker, started_at=beat, heartbeat_at=beat
    )
    job.refresh_from_db()
    return job


def test_it_fails_a_job_whose_worker_process_is_gone(small_building, alice):
    worker = f"{runner.HOST}:{dead_pid()}"
    job = running(launch_bill_run(small_building["period"], alice), worker, timedelta())

    lost = runner.reap()
    job.refresh_from_db()

    assert lost == 1
    assert job.state == "failed"
    assert job.message == (
        f"the worker ({worker}) stopped while running this job (crashed or "
        "killed); run it again to resume"
    )
    assert job.finished_at is not None


def test_it_fails_a_job_of_another_host_only_when_its_heartbeat_is_stale(
    small_building, alice, branches, settings
):
    from meterbill.billing.models import Period

    settings.JOB_STALE_SECONDS = 600
    other = Period.objects.create(
        branch=branches["north"],
        name="2026-10",
        starts_on=small_building["period"].starts_on - timedelta(days=31),
        ends_on=small_building["period"].starts_on - timedelta(days=1),
    )
    fresh = running(
        launch_bill_run(small_building["period"], alice),
        "elsewhere:12",
        timedelta(seconds=30),
    )
    stale = running(launch_bill_run(other, alice), "elsewhere:13", timedelta(hours=1))

    runner.reap()
    fresh.refresh_from_db()
    stale.refresh_from_db()

    assert fresh.state == "running"
    assert stale.state == "failed"
    assert stale.message.startswith("no sign of life from the worker (elsewhere:13)")


def test_it_leaves_a_job_of_a_live_worker_running(small_building, alice):
    job = running(
        launch_bill_run(small_building["period"], alice),
        runner.worker_name(),  # this test's own process
        timedelta(hours=5),
    )

    runner.reap()
    job.refresh_from_db()

    assert job.state == "running"


def test_a_bill_run_whose_worker_died_mid_chunk_resumes_without_a_second_invoice(
    small_building, alice, settings, out_dir
):
    # given a bill run job whose worker died while it held the only chunk
    settings.BILLRUN_CHUNK_SIZE = 1
    job = launch_bill_run(small_building["period"], alice)
    worker = f"{runner.HOST}:{dead_pid()}"
    running(job, worker, timedelta())
    from meterbill.billing.billrun import start_bill_run

    run = start_bill_run(small_building["period"], alice)
    Job.objects.filter(pk=job.pk).update(result={"bill_run": run.pk})
    BillRunChunk.objects.filter(bill_run=run).update(status="claimed")

    # when the page notices, and the operator launches the bill run again
    runner.reap()
    again = launch_bill_run(small_building["period"], alice)
    runner.run_job(again.pk)
    job.refresh_from_db()

    # then the same job and bill run finish, each apartment invoiced once
    assert again.pk == job.pk
    assert job.state == "done", job.message
    assert BillRun.objects.get().status == "done"
    assert Invoice.objects.count() == 3
    assert job.result["summary"]["issued"] == 3
