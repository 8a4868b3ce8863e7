"""What each kind of job does, step by step, reporting progress as it goes.

Each function takes the claimed job and its :class:`~.runner.Progress`, returns the
values that go into the job's result, and raises :class:`~.runner.JobFailed` with a
one-line message when the work cannot be done. All of them can be run again after
a failure and go on from where they stopped.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from meterbill.billing.billrun import (
    BillRunRefused,
    finish,
    process_chunk,
    start_bill_run,
)
from meterbill.billing.models import BillRun, BillRunChunk
from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import (
    ImportOptions,
    ImportRefused,
    ImportReport,
    import_readings,
)
from meterbill.metering.routes import DeviceImportReport, import_device_result

from .models import Job
from .runner import JobFailed, Progress, discard_upload

log = logging.getLogger(__name__)

# The import format name of a mobile device's result file (metering/routes.py).
DEVICE_FORMAT = "device"

# Rejected rows and skipped stops kept in the job's result; all rejected rows stay
# in the import batch's quarantine.
KEPT_IN_RESULT = 200


# The bill run: its chunks, then the documents of the invoices it issued.


def billrun(job: Job, progress: Progress) -> dict:
    period = job.period
    assert period is not None, "a bill run job has a period"
    issue_date = _day(job.params.get("issue_date", ""))
    day = issue_date or timezone.localdate()
    if day < period.ends_on:
        raise JobFailed(
            f"period {period.name} ends on {period.ends_on}; it can be billed from "
            f"that day on, not on {day}"
        )
    started = time.perf_counter()
    run = _run_to_resume(job)
    if run is None:
        try:
            run = start_bill_run(period, job.created_by)
        except BillRunRefused as exc:
            raise JobFailed(str(exc)) from exc
        progress.keep(bill_run=run.pk)

    if run.status != BillRun.Status.DONE:
        chunk_ids = list(run.chunks.order_by("seq").values_list("pk", flat=True))
        _run_chunks(run, chunk_ids, issue_date, progress)
        summary = finish(run, time.perf_counter() - started)
        progress.keep(summary=summary)
        if summary["failed_chunks"]:
            raise JobFailed(
                f"{summary['failed_chunks']} of {len(chunk_ids)} chunk(s) failed "
                f"({summary['errors'][0]}); run the job again to retry them"
            )

    invoices = Invoice.objects.filter(period=period).exclude(state=Invoice.State.DRAFT)
    return {"documents": _write_documents(invoices, progress)}


def _run_to_resume(job: Job) -> BillRun | None:
    """The bill run a failed attempt of this job left, made ready to go on: the
    chunks its dead runner held or that failed are pending again."""
    run_id = job.result.get("bill_run")
    if run_id is None:
        return None
    run = BillRun.objects.select_related("period").get(pk=run_id)
    if run.status == BillRun.Status.DONE:
        return run
    unfinished = run.chunks.filter(
        status__in=[BillRunChunk.Status.CLAIMED, BillRunChunk.Status.FAILED]
    )
    if settings.CELERY_BROKER_URL:
        # A Celery worker may still be busy with a claimed chunk: leave it until
        # the chunk timeout has passed.
        stale = timezone.now() - timedelta(seconds=settings.BILLRUN_CHUNK_TIMEOUT)
        unfinished = unfinished.exclude(
            status=BillRunChunk.Status.CLAIMED, claimed_at__gte=stale
        )
    unfinished.update(status=BillRunChunk.Status.PENDING)
    BillRun.objects.filter(pk=run.pk).update(
        status=BillRun.Status.RUNNING, finished_at=None
    )
    run.refresh_from_db()
    return run


def _run_chunks(
    run: BillRun, chunk_ids: Sequence[int], issue_date: date | None, progress: Progress
) -> None:
    """Every chunk not done yet: here one after the other, or on the Celery workers
    when a broker is configured (this runner then watches the chunk table)."""
    finished = [BillRunChunk.Status.DONE, BillRunChunk.Status.FAILED]
    pending = list(
        run.chunks.exclude(status=BillRunChunk.Status.DONE)
        .order_by("seq")
        .values_list("pk", flat=True)
    )
    done = len(chunk_ids) - len(pending)
    progress.step("chunks", len(chunk_ids), done)
    if not settings.CELERY_BROKER_URL:
        for pk in pending:
            try:
                process_chunk(pk, issue_date)
            except Exception:
                # process_chunk logged it and marked the chunk failed; go on.
                log.info("bill run goes on after a failed chunk", extra={"chunk": pk})
            done += 1
            progress.advance(done)
        return

    import meterbill.celery  # noqa: F401  (binds the tasks to the configured app)
    from meterbill.billing.tasks import run_chunk

    for pk in pending:
        run_chunk.delay(pk, issue_date and issue_date.isoformat())
    deadline = time.monotonic() + settings.BILLRUN_CHUNK_TIMEOUT
    while True:
        done = run.chunks.filter(status__in=finished).count()
        progress.advance(done)
        if done >= len(chunk_ids) or time.monotonic() > deadline:
            return
        time.sleep(settings.JOB_POLL_SECONDS)


def _write_documents(invoices: QuerySet[Invoice], progress: Progress) -> int:
    """The PDF and XML of each invoice that has none yet, a batch at a time (each
    batch renders in a pool of processes), counting as it goes."""
    ids = list(invoices.filter(pdf_file="").order_by("pk").values_list("pk", flat=True))
    progress.step("documents", len(ids))
    size = 8 * (os.cpu_count() or 1)
    written = 0
    for start in range(0, len(ids), size):
        batch = Invoice.objects.filter(pk__in=ids[start : start + size])
        written += write_documents(batch)
        progress.advance(min(start + size, len(ids)))
    return written


def documents(job: Job, progress: Progress) -> dict:
    """The documents of a period's issued invoices, or of the invoices chosen."""
    invoices = Invoice.objects.filter(branch__path__startswith=job.branch.path)
    invoices = invoices.exclude(state=Invoice.State.DRAFT)
    if job.period is not None:
        invoices = invoices.filter(period=job.period)
    if job.params.get("invoice_ids"):
        invoices = invoices.filter(pk__in=job.params["invoice_ids"])
    return {"documents": _write_documents(invoices, progress)}


# A file of readings.


def import_file(job: Job, progress: Progress) -> dict:
    filename = job.params.get("filename", "")
    path = Path(job.upload_path)
    if not path.is_file():
        discard_upload(job.upload_path)  # its folder, left empty
        earlier = job.result.get("earlier_failure")
        why = f" (it had failed: {earlier})" if earlier else ""
        raise JobFailed(f"{filename}: the uploaded file is gone; upload it again{why}")
    progress.step("import", 1)
    try:
        if job.params["format"] == DEVICE_FORMAT:
            result = _import_device(job, path, filename)
        else:
            result = _import_readings(job, path, filename)
    except ImportRefused as exc:
        # Refused as a whole: the same file would be refused again, so it goes.
        discard_upload(job.upload_path)
        raise JobFailed(str(exc)) from exc
    progress.advance(1)
    return {"filename": filename, **result}


def _counts(report: ImportReport | DeviceImportReport) -> dict:
    return {
        "batch": report.batch_id,
        "rows_read": report.rows_read,
        "rows_imported": report.rows_imported,
        "rows_duplicate": report.rows_duplicate,
        "rows_rejected": report.rows_rejected,
    }


def _import_readings(job: Job, path: Path, filename: str) -> dict:
    report = import_readings(
        path,
        fmt=job.params["format"],
        branch=job.branch,
        user=job.created_by,
        filename=filename,
        options=ImportOptions(
            column_map=job.params.get("column_map", ""),
            again=bool(job.params.get("again")),
        ),
    )
    return {
        **_counts(report),
        "values_ignored": report.values_ignored,
        "estimates_replaced": report.estimates_replaced,
        "late_actuals": report.late_actuals,
        "interval_days": report.interval_days,
        "days_completed": report.days_completed,
    }


def _import_device(job: Job, path: Path, filename: str) -> dict:
    report = import_device_result(path, job.branch, job.created_by, filename=filename)
    return {
        **_counts(report),
        "rows_flagged": report.rows_flagged,
        "skipped": [
            [s.line, s.meter_serial, s.reason] for s in report.skipped[:KEPT_IN_RESULT]
        ],
        "skipped_count": len(report.skipped),
    }


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None
