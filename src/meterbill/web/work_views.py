"""Screens that change state: reading entry, the review queue and the bill run
(which runs as a background job, see job_views.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meterbill.billing import review
from meterbill.billing.models import BillRun, Finding, Period
from meterbill.invoicing.models import Invoice
from meterbill.jobs.models import Job
from meterbill.jobs.services import JobBusy, JobRefused, launch_bill_run
from meterbill.metering.models import Register
from meterbill.premises.models import Residence

from .access import get_scoped, requires, scope
from .forms import CorrectForm, ReasonForm
from .services import enter_reading, with_indexes

ERROR_TEXT = {
    "not_a_number": lambda: _("not a number"),
    "register_decrease": lambda: _("register decrease: below the previous index"),
    "outside_period": lambda: _("date outside the period"),
    "already_billed": lambda: _(
        "already billed: cancel or correct the invoice before changing this reading"
    ),
}


def error_texts(errors: list[Any]) -> dict[str, str]:
    return {e.field: ERROR_TEXT[e.code]() for e in errors}


@requires("readings.enter")
def readings(request: HttpRequest) -> HttpResponse:
    """Choose a residence and a period to key in."""
    q = request.GET.get("q", "").strip()
    residences = scope(Residence.objects.select_related("branch"), request.user)
    if q:
        residences = residences.filter(Q(code__icontains=q) | Q(name__icontains=q))
    periods = scope(
        Period.objects.filter(state=Period.State.OPEN).select_related("branch"),
        request.user,
    )
    by_branch: dict[int, list[Period]] = {}
    for p in periods.order_by("-starts_on"):
        by_branch.setdefault(p.branch_id, []).append(p)
    rows = [
        {"residence": r, "periods": by_branch.get(r.branch_id, [])}
        for r in residences.order_by("branch__code", "code")[:200]
    ]
    return render(request, "web/readings.html", {"rows": rows, "q": q})


def _grid_registers(residence: Residence, period: Period, user: Any):
    registers = scope(
        Register.objects.filter(
            Q(meter__apartment__residence=residence) | Q(meter__residence=residence)
        ).select_related("meter__apartment", "meter__utility"),
        user,
    )
    return with_indexes(registers, period).order_by(
        "meter__kind", "meter__apartment_id", "meter__utility__code", "pk"
    )


def _period_of(branch_path: str, period_id: int, user: Any) -> Period:
    """A period of the user's subtree whose branch covers ``branch_path``; else 404."""
    period = get_scoped(Period.objects.select_related("branch"), user, pk=period_id)
    if not branch_path.startswith(period.branch.path):
        raise Http404
    return period


@requires("readings.enter")
def reading_grid(
    request: HttpRequest, residence_id: int, period_id: int
) -> HttpResponse:
    residence = get_scoped(
        Residence.objects.select_related("branch"), request.user, pk=residence_id
    )
    period = _period_of(residence.branch.path, period_id, request.user)
    read_on = period.ends_on
    return render(
        request,
        "web/reading_grid.html",
        {
            "residence": residence,
            "period": period,
            "read_on": read_on,
            "registers": _grid_registers(residence, period, request.user),
        },
    )


@requires("readings.enter")
@require_POST
def reading_save(
    request: HttpRequest, register_id: int, period_id: int
) -> HttpResponse:
    """HTMX: save one index and return its grid row, with the error next to the
    field when it is refused."""
    register = get_scoped(
        Register.objects.select_related(
            "meter__branch", "meter__apartment", "meter__utility"
        ),
        request.user,
        pk=register_id,
    )
    period = _period_of(register.meter.branch.path, period_id, request.user)
    text = request.POST.get("value", "")
    try:
        read_on = date.fromisoformat(request.POST.get("read_on", ""))
    except ValueError:
        errors = {"read_on": _("not a date")}
        saved = False
    else:
        result = enter_reading(register, period, read_on, text, user=request.user)
        errors = error_texts(result.errors)
        saved = result.reading is not None
    row = with_indexes(Register.objects.filter(pk=register.pk), period).select_related(
        "meter__apartment", "meter__utility"
    )[0]
    status = 200 if saved else 422
    return render(
        request,
        "web/_reading_row.html",
        {
            "r": row,
            "period": period,
            "typed": text,
            "errors": errors,
            "saved": saved,
        },
        status=status,
    )


@requires("findings.view")
def review_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Finding.Status.OPEN)
    findings = scope(
        Finding.objects.select_related(
            "period__branch",
            "reading",
            "register__meter__apartment__residence",
            "residence",
        ),
        request.user,
    )
    if status in Finding.Status.values:
        findings = findings.filter(status=status)
    findings = findings.order_by("-period__starts_on", "severity", "pk")[:200]
    return render(
        request,
        "web/review.html",
        {
            "findings": findings,
            "status": status,
            "statuses": Finding.Status.choices,
            "correct_form": CorrectForm(),
        },
    )


@requires("findings.resolve")
@require_POST
def resolve_finding(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    if verb not in ("accept", "correct", "reject"):
        raise Http404
    finding = get_scoped(Finding.objects.all(), request.user, pk=pk)
    form = (CorrectForm if verb == "correct" else ReasonForm)(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Finding %(pk)s: %(errors)s") % _form_errors(pk, form)
        )
        return redirect("web:review")
    reason = form.cleaned_data["reason"]
    try:
        if verb == "accept":
            review.accept_finding(finding.pk, user=request.user, reason=reason)
        elif verb == "reject":
            review.reject_finding(finding.pk, user=request.user, reason=reason)
        else:
            review.correct_finding(
                finding.pk,
                user=request.user,
                value=form.cleaned_data["value"],
                reason=reason,
            )
    except review.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Finding %(pk)s resolved.") % {"pk": pk})
    return redirect("web:review")


def _form_errors(pk: int, form: Any) -> dict[str, Any]:
    text = "; ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items())
    return {"pk": pk, "errors": text}


@requires("billrun.launch")
def billrun(request: HttpRequest, period_id: int) -> HttpResponse:
    """GET: the period, its last run and its latest job; POST: queue the bill run as
    a background job and go to its progress page."""
    period = get_scoped(
        Period.objects.select_related("branch__organisation"),
        request.user,
        pk=period_id,
    )
    if request.method == "POST":
        try:
            job = launch_bill_run(period, request.user)
        except JobBusy as busy:
            messages.error(request, str(busy))
            return redirect("web:job", pk=busy.job.pk)
        except JobRefused as refused:
            messages.error(request, str(refused))
            return redirect("web:billrun", period_id=period.pk)
        return redirect("web:job", pk=job.pk)
    runs = BillRun.objects.filter(period=period).order_by("-started_at")[:5]
    jobs = Job.objects.filter(
        period=period, kind__in=[Job.Kind.BILLRUN, Job.Kind.DOCUMENTS]
    )
    invoices = Invoice.objects.filter(period=period).exclude(state=Invoice.State.DRAFT)
    return render(
        request,
        "web/billrun.html",
        {
            "period": period,
            "runs": runs,
            "last": runs[0] if runs else None,
            "job": jobs.order_by("-pk").first(),
            "missing_documents": invoices.filter(pdf_file="").count(),
            "currency": period.branch.organisation.currency,
        },
    )
