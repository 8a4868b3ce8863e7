"""Asking for a job: the checks made before anything is queued, then the queueing.
The web views call these; the work itself is in :mod:`.steps`."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from meterbill.billing.models import BillRun, Period
from meterbill.invoicing.models import Invoice

from .models import Job
from .runner import launch, resume


class JobRefused(Exception):
    """The job is not queued; the message says why in one line."""


class JobBusy(JobRefused):
    """A job doing the same work is queued or running: ``job`` is that one."""

    def __init__(self, message: str, job: Job) -> None:
        super().__init__(message)
        self.job = job


ACTIVE = (Job.State.QUEUED, Job.State.RUNNING)


def _refuse_if_busy(period: Period, kinds: tuple[str, ...]) -> None:
    busy = (
        Job.objects.filter(period=period, kind__in=kinds, state__in=ACTIVE)
        .order_by("pk")
        .first()
    )
    if busy is not None:
        raise JobBusy(
            f"{busy.get_kind_display()} job {busy.pk} of period {period.name} is "
            f"{busy.get_state_display().lower()}; wait for it to finish",
            busy,
        )


def launch_bill_run(period: Period, user: Any, issue_date: date | None = None) -> Job:
    """Queue the bill run of a period. When the period's last bill-run job failed
    before its run was done, that job is resumed instead of starting over."""
    day = issue_date or timezone.localdate()
    if day < period.ends_on:
        raise JobRefused(
            f"period {period.name} ends on {period.ends_on}; it can be billed from "
            f"that day on, not on {day}"
        )
    with transaction.atomic():
        # One launch at a time per period: the period row lock serialises them.
        Period.objects.select_for_update().get(pk=period.pk)
        _refuse_if_busy(period, (Job.Kind.BILLRUN, Job.Kind.DOCUMENTS))
        last = (
            Job.objects.filter(period=period, kind=Job.Kind.BILLRUN)
            .order_by("-pk")
            .first()
        )
        if last is not None and last.state == Job.State.FAILED and _unfinished(last):
            resume(last, user)
            return last
        params = {"issue_date": issue_date.isoformat()} if issue_date else {}
        return launch(
            Job.Kind.BILLRUN, period.branch, user, period=period, params=params
        )


def _unfinished(job: Job) -> bool:
    run_id = job.result.get("bill_run")
    return (
        run_id is not None
        and BillRun.objects.filter(pk=run_id)
        .exclude(status=BillRun.Status.DONE)
        .exists()
    )


def launch_documents(
    period: Period, user: Any, invoice_ids: list[int] | None = None
) -> Job:
    """Queue the writing of the PDF and XML of a period's invoices that have none;
    of the chosen ones only, given ``invoice_ids`` (already scoped by the caller)."""
    with transaction.atomic():
        Period.objects.select_for_update().get(pk=period.pk)
        _refuse_if_busy(period, (Job.Kind.BILLRUN, Job.Kind.DOCUMENTS))
        invoices = Invoice.objects.filter(period=period, pdf_file="").exclude(
            state=Invoice.State.DRAFT
        )
        params: dict[str, Any] = {}
        if invoice_ids is not None:
            invoices = invoices.filter(pk__in=invoice_ids)
            params["invoice_ids"] = sorted(invoice_ids)
        missing = invoices.count()
        if not missing:
            chosen = "chosen " if invoice_ids is not None else ""
            raise JobRefused(
                f"every {chosen}invoice of period {period.name} has its documents "
                "already"
            )
        return launch(
            Job.Kind.DOCUMENTS,
            period.branch,
            user,
            period=period,
            params={**params, "invoices": missing},
        )


def launch_import(
    branch: Any,
    user: Any,
    upload: UploadedFile,
    *,
    fmt: str,
    column_map: str = "",
    again: bool = False,
) -> Job:
    """Keep the uploaded file where the runner finds it and queue its import."""
    filename = Path(upload.name or "upload").name[:200]
    folder = Path(settings.JOB_UPLOAD_DIR) / secrets.token_hex(8)
    folder.mkdir(parents=True, exist_ok=False)
    # The stored name is ours; the user's file name is kept for messages only.
    path = folder / "upload"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    params = {"format": fmt, "filename": filename, "size": upload.size}
    if column_map:
        params["column_map"] = column_map
    if again:
        params["again"] = True
    return launch(Job.Kind.IMPORT, branch, user, params=params, upload_path=str(path))
