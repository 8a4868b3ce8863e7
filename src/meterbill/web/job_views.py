"""Background jobs in the browser: launch an import, follow a job's progress (HTMX
polls a small fragment), read its result, run a failed job again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from meterbill.billing.models import Period
from meterbill.invoicing.models import Invoice
from meterbill.jobs import runner
from meterbill.jobs.models import Job
from meterbill.jobs.services import JobBusy, JobRefused, launch_documents, launch_import
from meterbill.metering.models import ColumnMap, ImportBatch, RejectedRow
from meterbill.orgs.models import Branch

from .access import can, get_scoped, requires, scope
from .job_forms import ImportForm
from .views import paginate

# Who may see a job of each kind, and who may launch (or run again) one.
VIEW_ACTION: dict[str, str] = {
    Job.Kind.BILLRUN: "invoices.view",
    Job.Kind.DOCUMENTS: "invoices.view",
    Job.Kind.IMPORT: "readings.view",
}
LAUNCH_ACTION: dict[str, str] = {
    Job.Kind.BILLRUN: "billrun.launch",
    Job.Kind.DOCUMENTS: "billrun.launch",
    Job.Kind.IMPORT: "imports.launch",
}
STEP_LABELS = {
    "chunks": gettext_lazy("Billing the residences, chunk by chunk"),
    "documents": gettext_lazy("Writing the PDF and XML documents"),
    "import": gettext_lazy("Reading and checking the file"),
}
# Rows shown on a result page; the rest stay in the import batch's quarantine.
SHOWN = 1000
# A job queued longer than this is said to wait for a worker.
WAITING = timedelta(seconds=10)


def visible_jobs(user: Any) -> QuerySet[Job]:
    """The jobs of the user's subtree, of the kinds its roles may see."""
    kinds = [kind for kind, action in VIEW_ACTION.items() if can(user, action)]
    return scope(Job.objects.filter(kind__in=kinds), user).select_related(
        "branch__organisation", "period", "created_by"
    )


def _job(request: HttpRequest, pk: int) -> Job:
    job = get_scoped(visible_jobs(request.user), request.user, pk=pk)
    # A job whose runner died is shown failed, not running for ever.
    if job.state == Job.State.RUNNING and runner.reap(Job.objects.filter(pk=pk)):
        job.refresh_from_db()
    return job


@requires("jobs.view")
def jobs(request: HttpRequest) -> HttpResponse:
    page = paginate(request, visible_jobs(request.user).order_by("-pk"))
    return render(request, "web/jobs/list.html", {"page": page, "q": ""})


def _progress_context(job: Job) -> dict[str, Any]:
    waiting = job.state == Job.State.QUEUED and (
        timezone.now() - job.created_at > WAITING
    )
    return {"job": job, "step": STEP_LABELS.get(job.step, job.step), "waiting": waiting}


@requires("jobs.view")
def job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context = {
        **_progress_context(job),
        "may_resume": runner.may_run_again(job)
        and can(request.user, LAUNCH_ACTION[job.kind]),
    }
    if job.kind == Job.Kind.IMPORT:
        context.update(_import_result(job, request.user))
    else:
        context.update(_invoices_result(job, request.user))
    return render(request, "web/jobs/job.html", context)


def _import_result(job: Job, user: Any) -> dict[str, Any]:
    batch = scope(ImportBatch.objects.all(), user).filter(pk=job.result.get("batch"))
    rejected = RejectedRow.objects.filter(batch__in=batch).order_by(
        "file", "line", "pk"
    )
    return {
        "rejected": rejected[:SHOWN],
        "rejected_count": job.result.get("rows_rejected", 0),
        "shown": SHOWN,
    }


def _invoices_result(job: Job, user: Any) -> dict[str, Any]:
    run_id = job.result.get("bill_run")
    invoices = scope(Invoice.objects.select_related("customer"), user)
    if run_id is not None:
        invoices = invoices.filter(bill_run_id=run_id)
    elif job.period is not None:
        invoices = invoices.filter(period=job.period)
    else:
        invoices = invoices.none()
    invoices = invoices.exclude(state=Invoice.State.DRAFT).order_by("number")
    summary = job.result.get("summary") or {}
    currency = job.branch.organisation.currency
    return {
        "summary": summary,
        "invoices": invoices[:SHOWN],
        "invoice_count": invoices.count(),
        "currency": currency,
        "shown": SHOWN,
    }


@requires("jobs.view")
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX: the progress fragment; once the job has ended, the whole page is
    reloaded to show the result."""
    job = _job(request, pk)
    response = render(request, "web/jobs/_progress.html", _progress_context(job))
    if not job.active and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response


@requires("jobs.view")
@require_POST
def job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if not can(request.user, LAUNCH_ACTION[job.kind]):
        raise PermissionDenied(LAUNCH_ACTION[job.kind])
    if runner.resume(job, request.user):
        messages.success(request, _("Job %(pk)s queued again.") % {"pk": job.pk})
    elif job.state == Job.State.FAILED:
        messages.error(
            request,
            _(
                "Job %(pk)s cannot run again: its uploaded file is gone; "
                "upload it again."
            )
            % {"pk": pk},
        )
    else:
        messages.error(
            request, _("Job %(pk)s has not failed; nothing to run again.") % {"pk": pk}
        )
    return redirect("web:job", pk=job.pk)


@requires("imports.launch")
def import_file(request: HttpRequest) -> HttpResponse:
    """Upload a file of readings; its import runs as a job."""
    branches = scope(Branch.objects.all(), request.user)
    if request.method == "POST":
        # A body over the limit never gets here: web.body_limit answers 413.
        form = ImportForm(request.POST, request.FILES, branches=branches)
        if form.is_valid():
            data = form.cleaned_data
            job = launch_import(
                data["branch"],
                request.user,
                data["file"],
                fmt=data["format"],
                column_map=data["column_map"],
                again=data["again"],
            )
            return redirect("web:job", pk=job.pk)
        return _import_page(request, form, status=400)
    initial = {"branch": getattr(request.user, "branch", None), "format": "csv"}
    form = ImportForm(branches=branches, initial=initial)
    return _import_page(request, form)


def _import_page(
    request: HttpRequest, form: ImportForm, status: int = 200
) -> HttpResponse:
    maps = scope(ColumnMap.objects.select_related("branch"), request.user)
    recent = visible_jobs(request.user).filter(kind=Job.Kind.IMPORT).order_by("-pk")
    return render(
        request,
        "web/jobs/import.html",
        {
            "form": form,
            "column_maps": maps.order_by("branch__code", "name"),
            "recent": recent[:10],
            "limit": settings.IMPORT_MAX_BYTES,
        },
        status=status,
    )


@requires("billrun.launch")
@require_POST
def documents(request: HttpRequest, period_id: int) -> HttpResponse:
    """Write the missing PDF and XML documents of a period's invoices, as a job."""
    period = get_scoped(
        Period.objects.select_related("branch"), request.user, pk=period_id
    )
    try:
        job = launch_documents(period, request.user)
    except JobBusy as busy:
        messages.error(request, str(busy))
        return redirect("web:job", pk=busy.job.pk)
    except JobRefused as refused:
        messages.error(request, str(refused))
        return redirect("web:billrun", period_id=period.pk)
    return redirect("web:job", pk=job.pk)
