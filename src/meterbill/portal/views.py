"""The customer portal: a customer's own invoices, balance and consumption, and a
reading for its own meters. Everything is filtered by ``Customer.portal_user``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import F, Q, QuerySet, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meterbill.billing.models import Period
from meterbill.invoicing.models import Invoice, InvoiceLine
from meterbill.invoicing.queries import UNPAID, balance_of
from meterbill.metering.models import Reading, Register
from meterbill.premises.models import Customer
from meterbill.web.access import requires
from meterbill.web.forms import PortalReadingForm
from meterbill.web.services import enter_reading
from meterbill.web.views import document_response
from meterbill.web.work_views import error_texts

CHART_HEIGHT = 120


def _customer(user: Any) -> Customer:
    customer = Customer.objects.filter(portal_user=user).first()
    if customer is None:
        raise Http404
    return customer


def _invoices(customer: Customer) -> QuerySet[Invoice]:
    return Invoice.objects.filter(customer=customer).exclude(state=Invoice.State.DRAFT)


def _registers(customer: Customer) -> QuerySet[Register]:
    today = timezone.localdate()
    return Register.objects.filter(
        Q(meter__apartment__contract__valid_to__isnull=True)
        | Q(meter__apartment__contract__valid_to__gte=today),
        meter__apartment__contract__customer=customer,
        role=Register.Role.CONSUMPTION,
    ).select_related("meter__utility", "meter__branch")


def consumption_chart(invoices: QuerySet[Invoice]) -> list[dict[str, Any]]:
    """Billed quantity per utility and period, with bar heights scaled per utility
    to ``CHART_HEIGHT`` pixels (a server-side SVG, no script)."""
    rows = (
        # Lines in the utility's own unit: fixed charges ("month") are not consumption.
        # Only invoices that stand: a cancelled one and its credit note are left out.
        InvoiceLine.objects.filter(
            invoice__in=invoices,
            invoice__kind=Invoice.Kind.INVOICE,
            invoice__state__in=(*UNPAID, Invoice.State.PAID),
            utility__isnull=False,
            unit=F("utility__unit"),
        )
        .values("utility__name", "unit", "invoice__period__name")
        .annotate(quantity=Sum("quantity"))
        .order_by("utility__name", "invoice__period__name")
    )
    charts: dict[str, dict[str, Any]] = {}
    for r in rows:
        chart = charts.setdefault(
            r["utility__name"], {"utility": r["utility__name"], "unit": r["unit"]}
        )
        chart.setdefault("bars", []).append(
            {"period": r["invoice__period__name"] or "–", "quantity": r["quantity"]}
        )
    for chart in charts.values():
        top = max((b["quantity"] for b in chart["bars"]), default=Decimal(0))
        for i, bar in enumerate(chart["bars"]):
            share = bar["quantity"] / top if top > 0 else Decimal(0)
            bar["height"] = int(share * CHART_HEIGHT)
            bar["x"] = 10 + i * 50
            bar["y"] = CHART_HEIGHT - bar["height"] + 10
        chart["width"] = 20 + 50 * len(chart["bars"])
    return list(charts.values())


@requires("portal")
def home(request: HttpRequest) -> HttpResponse:
    customer = _customer(request.user)
    invoices = _invoices(customer).select_related("period").order_by("-issue_date")
    balance = balance_of(invoices)
    registers = _registers(customer)
    form = PortalReadingForm(registers=_choices(registers))
    return render(
        request,
        "portal/home.html",
        {
            "customer": customer,
            "invoices": invoices,
            "balance": balance or Decimal(0),
            "currency": invoices[0].currency if invoices else "",
            "charts": consumption_chart(invoices),
            "form": form,
        },
    )


def _choices(registers: QuerySet[Register]) -> list[tuple[int, str]]:
    return [
        (r.pk, f"{r.meter.utility.name} – {r.meter.serial}")
        for r in registers.order_by("meter__utility__code", "pk")
    ]


@requires("portal")
def document(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    customer = _customer(request.user)
    inv = get_object_or_404(_invoices(customer).select_related("branch"), pk=pk)
    return document_response(inv, kind)


def _open_period(register: Register) -> Period | None:
    """The newest open period of the meter's branch or a branch above it."""
    path = register.meter.branch.path
    ancestors = [
        "/".join(path.split("/")[:n]) + "/" for n in range(2, path.count("/") + 1)
    ]
    return (
        Period.objects.filter(state=Period.State.OPEN, branch__path__in=ancestors)
        .select_related("branch")
        .order_by("-starts_on")
        .first()
    )


@requires("portal")
@require_POST
def submit_reading(request: HttpRequest) -> HttpResponse:
    customer = _customer(request.user)
    registers = _registers(customer)
    form = PortalReadingForm(request.POST, registers=_choices(registers))
    if not form.is_valid():
        messages.error(request, _("The reading was not saved: check the fields."))
        return redirect("portal:home")
    register = registers.get(pk=form.cleaned_data["register"])
    period = _open_period(register)
    if period is None:
        messages.error(request, _("No open period for this meter."))
        return redirect("portal:home")
    result = enter_reading(
        register,
        period,
        form.cleaned_data["read_on"],
        form.cleaned_data["value"],
        user=request.user,
        source=Reading.Source.PORTAL,
    )
    if result.errors:
        text = "; ".join(error_texts(result.errors).values())
        messages.error(request, _("The reading was not saved: %(e)s") % {"e": text})
    else:
        messages.success(request, _("Thank you: your reading was saved."))
    return redirect("portal:home")
