"""A bill run launched as a job: queued, run by a worker chunk by chunk, then its
documents; a fault leaves it failed with the reason, and running it again goes on
from where it stopped."""

from __future__ import annotations

import pytest

from billing.conftest import add_building
from meterbill.audit.models import AuditEvent
from meterbill.billing import billrun
from meterbill.billing.models import BillRun
from meterbill.invoicing.models import Invoice, InvoiceSeries
from meterbill.jobs import runner
from meterbill.jobs.models import Job
from meterbill.jobs.services import JobBusy, launch_bill_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_chunks(small_building, settings, out_dir):
    # R1 (3 apartments) and R2 (2 apartments), one residence per chunk.
    settings.BILLRUN_CHUNK_SIZE = 1
    r2, _ = add_building(small_building, "R2", 2)
    return small_building["residence"], r2


def test_it_queues_runs_and_finishes_a_bill_run(small_building, alice, two_chunks):
    period = small_building["period"]

    job = launch_bill_run(period, alice)
    queued = job.state
    ran = runner.run_job(job.pk)
    job.refresh_from_db()

    assert queued == "queued"
    assert ran is not None
    assert job.state == "done", job.message
    # The last step is the documents: 3 + 2 invoices, all written.
    assert (job.step, job.done, job.total) == ("documents", 5, 5)
    assert job.result["documents"] == 5
    assert job.result["summary"]["issued"] == 5
    assert job.attempts == 1
    assert job.started_at <= job.finished_at
    assert Invoice.objects.exclude(pdf_file="").count() == 5
    period.refresh_from_db()
    assert period.state == "invoiced"
    actions = list(
        AuditEvent.objects.filter(object_type="jobs.job", object_id=str(job.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["job.launch", "job.finish"]


def test_it_runs_a_job_once_however_many_runners_ask(small_building, alice, out_dir):
    job = launch_bill_run(small_building["period"], alice)

    first = runner.run_job(job.pk, "host-a:1")
    second = runner.run_job(job.pk, "host-b:2")

    assert first is not None
    assert second is None
    assert BillRun.objects.count() == 1


def test_it_refuses_a_second_launch_while_one_is_queued(small_building, alice):
    job = launch_bill_run(small_building["period"], alice)

    with pytest.raises(JobBusy) as busy:
        launch_bill_run(small_building["period"], alice)

    assert busy.value.job == job
    assert "is queued; wait for it to finish" in str(busy.value)


def test_a_failed_chunk_fails_the_job_and_a_new_launch_resumes_it(
    small_building, alice, two_chunks, monkeypatch
):
    r1, _r2 = two_chunks
    real = billrun.bill_residence

    def failing(res, *args, **kwargs):
        if res.residence_id == r1.pk:
            raise RuntimeError("engine fault")
        return real(res, *args, **kwargs)

    monkeypatch.setattr(billrun, "bill_residence", failing)
    job = launch_bill_run(small_building["period"], alice)
    runner.run_job(job.pk)
    job.refresh_from_db()
    failed = (job.state, job.message)
    monkeypatch.setattr(billrun, "bill_residence", real)

    again = launch_bill_run(small_building["period"], alice)
    runner.run_job(again.pk)
    job.refresh_from_db()

    assert failed == (
        "failed",
        "1 of 2 chunk(s) failed (chunk 0: RuntimeError: engine fault); run the job "
        "again to retry them",
    )
    # The same job and the same bill run went on: R2's chunk was not run twice.
    assert again.pk == job.pk
    assert job.state == "done", job.message
    assert job.attempts == 2
    assert BillRun.objects.count() == 1
    # R2 took numbers 1 and 2 in the first attempt, R1 3 to 5 now: no gap.
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert InvoiceSeries.objects.get().next_number == 6
    assert job.result["documents"] == 5


def test_it_refuses_a_period_not_yet_ended(small_building, alice):
    from datetime import date

    from meterbill.jobs.services import JobRefused

    with pytest.raises(JobRefused, match="it can be billed from that day on"):
        launch_bill_run(small_building["period"], alice, issue_date=date(2026, 11, 29))

    assert not Job.objects.exists()


def test_a_documents_job_writes_only_the_chosen_invoices(
    small_building, alice, out_dir
):
    from meterbill.billing.billrun import bill_period
    from meterbill.jobs.services import launch_documents

    bill_period(small_building["period"])  # 3 invoices, no documents yet
    chosen = list(Invoice.objects.order_by("number").values_list("pk", flat=True)[:2])

    job = launch_documents(small_building["period"], alice, invoice_ids=chosen)
    runner.run_job(job.pk)
    job.refresh_from_db()

    assert job.result == {"documents": 2}
    written = Invoice.objects.exclude(pdf_file="").values_list("pk", flat=True)
    assert sorted(written) == chosen
