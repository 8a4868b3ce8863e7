"""The operators' screens. Thin: each view scopes its query through ``access``,
calls a service for a state change and renders a template."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from meterbill.audit.models import AuditEvent
from meterbill.billing.models import BillRun, Finding, Period
from meterbill.invoicing.documents import _readings, _shares, write_documents
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Meter, Reading
from meterbill.premises.models import Apartment, Residence

from .access import can, get_scoped, requires, scope
from .invoice_links import invoice_links

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("web:login")
    if can(request.user, "dashboard"):
        return redirect("web:dashboard")
    if can(request.user, "portal"):
        return redirect("portal:home")
    return render(request, "web/no_access.html", status=403)


def _count(queryset: QuerySet) -> Subquery:
    """A correlated ``SELECT COUNT(*)`` of ``queryset`` (filtered on OuterRef): a
    plain function, not an aggregate, so Django adds no GROUP BY."""
    return Subquery(
        queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def _next_step(period: Period) -> str:
    """What keeps the period from moving on, in words."""
    if period.blocking:  # type: ignore[attr-defined]
        return _("%(n)d blocking finding(s) to resolve in the review queue") % {
            "n": period.blocking  # type: ignore[attr-defined]
        }
    if period.state == Period.State.OPEN:
        return _("readings to collect, then the bill run")
    if period.state == Period.State.CALCULATED:
        return _("held invoices: resolve their findings and run again")
    if period.state == Period.State.INVOICED:
        return _("nothing: ready to close")
    return "–"


@requires("dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    findings = Finding.objects.filter(period=OuterRef("pk"))
    periods = list(
        scope(Period.objects.select_related("branch"), request.user)
        .annotate(
            readings=_count(
                Reading.objects.filter(
                    register__meter__branch__path__startswith=OuterRef("branch__path"),
                    read_on__gte=OuterRef("starts_on"),
                    read_on__lte=OuterRef("ends_on"),
                ).exclude(source=Reading.Source.ESTIMATE)
            ),
            findings_open=_count(findings.filter(status="open")),
            blocking=_count(findings.filter(status="open", severity="block")),
            issued=_count(
                Invoice.objects.filter(period=OuterRef("pk")).exclude(state="draft")
            ),
        )
        .annotate(
            readings_n=Coalesce("readings", 0),
            findings_open_n=Coalesce("findings_open", 0),
            blocking_n=Coalesce("blocking", 0),
            issued_n=Coalesce("issued", 0),
        )
        .order_by("-starts_on", "branch__code")[:50]
    )
    runs = {
        r.period_id: r
        for r in BillRun.objects.filter(period__in=periods).order_by("started_at")
    }
    rows = []
    for p in periods:
        p.blocking = p.blocking_n  # type: ignore[attr-defined]
        run = runs.get(p.pk)
        held = (run.summary or {}).get("held", 0) if run else 0
        rows.append({"period": p, "held": held, "run": run, "next": _next_step(p)})
    return render(request, "web/dashboard.html", {"rows": rows})


@requires("premises.view")
def residences(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = scope(Residence.objects.select_related("branch"), request.user).annotate(
        apartment_count=Count("apartments")
    )
    if q:
        qs = qs.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(street__icontains=q)
        )
    page = paginate(request, qs.order_by("branch__code", "code"))
    return render(request, "web/residences.html", {"page": page, "q": q})


@requires("premises.view")
def residence(request: HttpRequest, pk: int) -> HttpResponse:
    res = get_scoped(Residence.objects.select_related("branch"), request.user, pk=pk)
    q = request.GET.get("q", "").strip()
    qs = res.apartments.annotate(meter_count=Count("meters"))
    if q:
        qs = qs.filter(Q(number__iexact=q) | Q(owner_name__icontains=q))
    page = paginate(request, qs.order_by("staircase", "pk"))
    periods = scope(Period.objects.filter(branch=res.branch), request.user).order_by(
        "-starts_on"
    )
    return render(
        request,
        "web/residence.html",
        {"residence": res, "page": page, "q": q, "periods": periods},
    )


def _last_readings(meters: QuerySet[Meter]) -> QuerySet[Meter]:
    last = Reading.objects.filter(register__meter=OuterRef("pk")).order_by("-read_on")
    return meters.annotate(
        last_value=Subquery(last.values("value")[:1]),
        last_on=Subquery(last.values("read_on")[:1]),
        last_source=Subquery(last.values("source")[:1]),
    )


@requires("premises.view")
def apartment(request: HttpRequest, pk: int) -> HttpResponse:
    apt = get_scoped(
        Apartment.objects.select_related("residence__branch"), request.user, pk=pk
    )
    meters = _last_readings(
        scope(Meter.objects.filter(apartment=apt), request.user).select_related(
            "utility"
        )
    ).order_by("utility__code", "serial")
    return render(request, "web/apartment.html", {"apartment": apt, "meters": meters})


@requires("invoices.view")
def invoices(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = scope(
        Invoice.objects.select_related("customer", "apartment__residence", "period"),
        request.user,
    )
    if q:
        qs = qs.filter(
            Q(full_number__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(customer__code__iexact=q)
            | Q(apartment__residence__code__iexact=q.split("/")[0])
            & Q(apartment__number__iexact=q.split("/")[-1])
        )
    page = paginate(request, qs.order_by("-issue_date", "-number"))
    periods = (
        scope(Period.objects.select_related("branch"), request.user).order_by(
            "-starts_on", "branch__code"
        )[:6]
        if can(request.user, "invoices.act")
        else []
    )
    return render(
        request, "web/invoices.html", {"page": page, "q": q, "periods": periods}
    )


@requires("invoices.view")
def invoice(request: HttpRequest, pk: int) -> HttpResponse:
    inv = get_scoped(
        Invoice.objects.select_related("customer", "apartment__residence", "period"),
        request.user,
        pk=pk,
    )
    lines = sorted(inv.lines.all(), key=lambda ln: ln.position)
    lang = request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "en"
    return render(
        request,
        "web/invoice.html",
        {
            "invoice": inv,
            "lines": lines,
            "readings": _readings(lines, lang),
            "shares": _shares(lines, lang),
            **invoice_links(inv, request.user),
        },
    )


DOCUMENT_TYPES = {"pdf": "application/pdf", "xml": "application/xml"}


def document_response(inv: Invoice, kind: str) -> FileResponse:
    """The invoice's stored PDF or XML (written now if it is missing), served only
    from under ``settings.OUT_DIR``."""
    if kind not in DOCUMENT_TYPES or inv.state == Invoice.State.DRAFT:
        raise Http404
    if not (inv.pdf_file and inv.xml_file):
        write_documents(Invoice.objects.filter(pk=inv.pk))
        inv.refresh_from_db(fields=["pdf_file", "xml_file"])
    path = Path(inv.pdf_file if kind == "pdf" else inv.xml_file).resolve()
    if not path.is_relative_to(Path(settings.OUT_DIR).resolve()) or not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{inv.full_number}.{kind}",
        content_type=DOCUMENT_TYPES[kind],
    )


@requires("invoices.view")
def invoice_document(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    inv = get_scoped(Invoice.objects.select_related("branch"), request.user, pk=pk)
    return document_response(inv, kind)


@requires("audit.view")
def audit(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "").strip()
    username = request.GET.get("user", "").strip()
    qs = scope(AuditEvent.objects.select_related("user", "branch"), request.user)
    if action:
        qs = qs.filter(action__startswith=action)
    if username:
        qs = qs.filter(user__username__iexact=username)
    page = paginate(request, qs.order_by("-id"))
    return render(
        request,
        "web/audit.html",
        {"page": page, "action": action, "username": username},
    )
