"""The job pages: the progress fragment HTMX polls, the reload once a job ends, a
failed job run again, and the documents of a period written as a job."""

from __future__ import annotations

import pytest

from meterbill.invoicing.models import Invoice
from meterbill.jobs import runner
from meterbill.jobs.models import Job
from meterbill.jobs.services import launch_bill_run
from meterbill.jobs.worker import run_queued

pytestmark = pytest.mark.django_db


def test_the_fragment_polls_while_queued_and_reloads_the_page_at_the_end(
    small_building, alice, client_for, out_dir
):
    client = client_for(alice)
    job = launch_bill_run(small_building["period"], alice)
    url = f"/jobs/{job.pk}/progress/"

    queued = client.get(url, headers={"HX-Request": "true"})
    run_queued()
    ended = client.get(url, headers={"HX-Request": "true"})

    assert b'hx-trigger="every 1s"' in queued.content
    assert "HX-Refresh" not in queued
    assert ended["HX-Refresh"] == "true"
    assert b"hx-get" not in ended.content


def test_a_job_whose_worker_died_shows_failed_and_runs_again(
    small_building, alice, client_for, out_dir
):
    client = client_for(alice)
    job = launch_bill_run(small_building["period"], alice)
    Job.objects.filter(pk=job.pk).update(state="running", worker=f"{runner.HOST}:0")

    page = client.get(f"/jobs/{job.pk}/").content.decode()
    resumed = client.post(f"/jobs/{job.pk}/resume/")
    run_queued()
    job.refresh_from_db()

    # pid 0 is no worker's: the page reaps the job as it shows it.
    assert "stopped while running this job" in page
    assert 'id="resume"' in page
    assert resumed.status_code == 302
    assert job.state == "done"
    assert Invoice.objects.count() == 3


def test_it_writes_a_periods_missing_documents_as_a_job(
    small_building, alice, client_for, out_dir
):
    from meterbill.billing.billrun import bill_period

    bill_period(small_building["period"])  # issues 3 invoices, writes no document
    client = client_for(alice)
    period = small_building["period"].pk

    offered = client.get(f"/periods/{period}/billrun/")
    response = client.post(f"/periods/{period}/documents/")
    run_queued()
    again = client.post(f"/periods/{period}/documents/", follow=True)

    assert b"Write the documents of 3 invoices" in offered.content
    job = Job.objects.get(kind="documents")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.result == {"documents": 3}
    assert Invoice.objects.filter(pdf_file="").count() == 0
    assert b"every invoice of period 2026-11 has its documents already" in (
        again.content
    )


def test_a_second_launch_while_one_runs_goes_to_the_running_job(
    small_building, alice, client_for
):
    client = client_for(alice)
    period = small_building["period"].pk

    first = client.post(f"/periods/{period}/billrun/")
    second = client.post(f"/periods/{period}/billrun/")

    assert first["Location"] == second["Location"]
    assert Job.objects.count() == 1
