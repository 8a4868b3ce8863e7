"""Invoice actions in the browser: mark sent and paid, credit (whole or chosen lines),
cancel and rebill, correct a past period by the difference, issue advance invoices
for a period and settle them.

Each action is two steps: the form (GET, or a POST that does not validate), then a
confirmation page showing what will be issued (a valid POST without ``confirm``),
then the action itself (a valid POST with ``confirm``). The state changes are the
functions of ``invoicing.corrections``, ``invoicing.advances`` and
``invoicing.period_actions``, which lock, check and audit. The documents of a single
invoice's action are written in the request; those of a period action are queued
as a documents job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meterbill.billing.models import Period
from meterbill.engine.rating import Line
from meterbill.invoicing import corrections as c
from meterbill.invoicing import period_actions
from meterbill.invoicing.advances import AdvanceError
from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.models import Invoice, InvoiceLine
from meterbill.jobs.services import JobRefused, launch_documents

from .access import get_scoped, requires, scope
from .invoice_forms import AdvancesForm, CreditForm, PaymentForm, ReasonForm

ACT = "invoices.act"
REFUSALS = (c.InvoiceStateError, AdvanceError)
GET_POST = require_http_methods(["GET", "POST"])


def _invoice(request: HttpRequest, pk: int) -> Invoice:
    return get_scoped(
        Invoice.objects.select_related("branch", "customer", "period", "series"),
        request.user,
        pk=pk,
    )


def _period(request: HttpRequest, period_id: int) -> Period:
    return get_scoped(
        Period.objects.select_related("branch"), request.user, pk=period_id
    )


def _step(
    request: HttpRequest,
    form: forms.Form,
    context: dict[str, Any],
    preview: Callable[[], dict[str, Any]],
    act: Callable[[], HttpResponse],
    template: str = "web/invoices/action.html",
) -> HttpResponse:
    """Form → confirmation → action. A refusal of the action's function (a state
    that changed meanwhile, held data) is shown on the form, not as an error page."""
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("confirm") == "yes":
                return act()
            return render(
                request,
                "web/invoices/confirm.html",
                {**context, "form": form, "carry": {}, **preview()},
            )
        except REFUSALS as exc:
            form.add_error(None, str(exc))
    return render(request, template, {**context, "form": form})


def _issued(request: HttpRequest, docs: Iterable[Invoice | None]) -> list[Invoice]:
    """Write the documents of a single invoice's action now and say what was issued."""
    issued = [d for d in docs if d is not None]
    if issued:
        write_documents(Invoice.objects.filter(pk__in=[d.pk for d in issued]))
        messages.success(
            request,
            _("Issued: %(numbers)s.")
            % {"numbers": ", ".join(d.full_number for d in issued)},
        )
    else:
        messages.info(request, _("Nothing to issue: the documents already agree."))
    return issued


def _line_rows(lines: Iterable[Line]) -> list[dict[str, Any]]:
    return [
        {
            "description": ln.description,
            "quantity": ln.quantity,
            "unit": ln.unit,
            "unit_price": ln.unit_price_net,
            "net": ln.net_amount,
        }
        for ln in lines
    ]


def _net(lines: Iterable[Line]) -> Decimal:
    return sum((ln.net_amount for ln in lines), Decimal(0))


@requires(ACT)
@GET_POST
def mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    inv = _invoice(request, pk)
    form = forms.Form(request.POST or None)

    def act() -> HttpResponse:
        c.mark_sent(inv, request.user)
        messages.success(request, _("Invoice %(n)s marked as sent.") % {"n": inv})
        return redirect("web:invoice", inv.pk)

    return _step(
        request,
        form,
        {"invoice": inv, "title": _("Mark as sent"), "verb": "send"},
        lambda: {"summary": _("The invoice is marked as sent to the customer.")},
        act,
    )


@requires(ACT)
@GET_POST
def mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    inv = _invoice(request, pk)
    form = PaymentForm(request.POST or None, invoice=inv)

    def act() -> HttpResponse:
        d = form.cleaned_data
        c.mark_paid(inv, request.user, d["paid_on"], d["amount"])
        messages.success(request, _("Invoice %(n)s marked as paid.") % {"n": inv})
        return redirect("web:invoice", inv.pk)

    return _step(
        request,
        form,
        {"invoice": inv, "title": _("Record the payment"), "verb": "pay"},
        lambda: {"summary": _payment_summary(form, inv)},
        act,
    )


def _payment_summary(form: PaymentForm, inv: Invoice) -> str:
    summary = _("Paid %(amount)s %(currency)s on %(day)s.") % {
        "amount": form.cleaned_data["amount"],
        "currency": inv.currency,
        "day": form.cleaned_data["paid_on"],
    }
    unpaid = [n for n in form.credit_notes if n.state != Invoice.State.PAID]
    if unpaid:
        summary += " " + _(
            "Credit notes %(notes)s are set off against it and marked as paid."
        ) % {"notes": ", ".join(n.full_number for n in unpaid)}
    return summary


@requires(ACT)
@GET_POST
def credit(request: HttpRequest, pk: int) -> HttpResponse:
    inv = _invoice(request, pk)
    left = c.creditable(inv) if inv.kind == Invoice.Kind.INVOICE else {}
    form = CreditForm(request.POST or None, creditable=left)
    lines = list(InvoiceLine.objects.filter(invoice=inv).order_by("position"))
    rows = [
        {
            "line": ln,
            "left": left.get(ln.pk),
            "field": form[f"line_{ln.pk}"] if ln.pk in left else None,
        }
        for ln in lines
    ]

    def preview() -> dict[str, Any]:
        if form.cleaned_data["mode"] == CreditForm.FULL:
            return {
                "summary": _(
                    "A credit note of the whole invoice (%(gross)s %(currency)s gross) "
                    "is issued and invoice %(n)s is cancelled."
                )
                % {"gross": inv.total_gross, "currency": inv.currency, "n": inv},
            }
        credited = c.credit_preview(inv, form.quantities())
        return {
            "summary": _(
                "A credit note of the chosen quantities at the invoice's unit prices "
                "(net rounded to the cent) is issued; invoice %(n)s stays in force "
                "for the rest."
            )
            % {"n": inv},
            "lines": _line_rows(credited),
        }

    def act() -> HttpResponse:
        reason = form.cleaned_data["reason"]
        if form.cleaned_data["mode"] == CreditForm.FULL:
            note = c.cancel_invoice(inv, request.user, reason)
        else:
            note = c.credit_lines(inv, request.user, reason, form.quantities())
        _issued(request, [note])
        return redirect("web:invoice", note.pk)

    return _step(
        request,
        form,
        {"invoice": inv, "title": _("Credit note"), "verb": "credit", "rows": rows},
        preview,
        act,
        template="web/invoices/credit.html",
    )


@requires(ACT)
@GET_POST
def rebill(request: HttpRequest, pk: int) -> HttpResponse:
    inv = _invoice(request, pk)
    form = ReasonForm(request.POST or None)

    def preview() -> dict[str, Any]:
        lines = c.rebill_preview(inv)
        return {
            "summary": _(
                "Invoice %(n)s is cancelled by a full credit note (%(gross)s "
                "%(currency)s gross), and a new invoice is issued from the period's "
                "current data: net %(net)s %(currency)s before VAT."
            )
            % {
                "n": inv,
                "gross": inv.total_gross,
                "currency": inv.currency,
                "net": _net(lines),
            },
            "lines": _line_rows(lines),
        }

    def act() -> HttpResponse:
        note, new = c.rebill(inv, request.user, form.cleaned_data["reason"])
        _issued(request, [note, new])
        return redirect("web:invoice", new.pk)

    return _step(
        request,
        form,
        {"invoice": inv, "title": _("Cancel and rebill"), "verb": "rebill"},
        preview,
        act,
    )


@requires(ACT)
@GET_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    inv = _invoice(request, pk)
    form = ReasonForm(request.POST or None)

    def preview() -> dict[str, Any]:
        increases, decreases = c.correction_preview(inv)
        return {
            "summary": _(
                "Only the difference between the period's current data and what has "
                "been billed for it is issued: increases %(more)s, decreases "
                "%(less)s %(currency)s net."
            )
            % {
                "more": _net(increases),
                "less": _net(decreases),
                "currency": inv.currency,
            },
            "lines": _line_rows(increases),
            "credit_lines": _line_rows(decreases),
            "nothing": not increases and not decreases,
        }

    def act() -> HttpResponse:
        done = c.correct_past_period(inv, request.user, form.cleaned_data["reason"])
        _issued(request, [done.credit_note, done.additional_invoice])
        return redirect("web:invoice", inv.pk)

    return _step(
        request,
        form,
        {"invoice": inv, "title": _("Correct the period"), "verb": "correct"},
        preview,
        act,
    )


def _queue_documents(request: HttpRequest, period: Period, issued: list) -> None:
    if not issued:
        return
    try:
        job = launch_documents(period, request.user)
    except JobRefused as exc:
        messages.info(request, str(exc))
        return
    messages.info(
        request,
        _("The documents are written in the background (job #%(id)s).")
        % {"id": job.pk},
    )


def _outcome(request: HttpRequest, outcome: period_actions.PeriodOutcome) -> None:
    if outcome.issued:
        messages.success(
            request,
            _("Issued: %(numbers)s.")
            % {"numbers": ", ".join(d.full_number for d in outcome.issued)},
        )
    for number, why in outcome.refused.items():
        messages.error(
            request, _("Contract %(n)s: %(why)s") % {"n": number, "why": why}
        )


@requires(ACT)
@GET_POST
def advances(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    candidates = list(
        scope(period_actions.advance_candidates(period), request.user)[:500]
    )
    form = AdvancesForm(
        request.POST or None, request.FILES or None, contracts=candidates
    )
    by_id = {ct.pk: ct for ct in candidates}

    def preview() -> dict[str, Any]:
        chosen = [by_id[i] for i in form.cleaned_data["contracts"]]
        temps = form.cleaned_data["temperatures"]
        return {
            "summary": _(
                "One advance invoice per contract, forecast from its readings and "
                "%(days)s days of temperatures (%(first)s – %(last)s): %(contracts)s."
            )
            % {
                "days": len(temps),
                "first": min(temps),
                "last": max(temps),
                "contracts": ", ".join(ct.number for ct in chosen),
            },
            "carry": {"temperatures_text": form.cleaned_data["temperatures_text"]},
        }

    def act() -> HttpResponse:
        chosen = [by_id[i] for i in form.cleaned_data["contracts"]]
        outcome = period_actions.issue_advances(
            period, chosen, request.user, form.cleaned_data["temperatures"]
        )
        _outcome(request, outcome)
        _queue_documents(request, period, outcome.issued)
        return redirect("web:invoices")

    return _step(
        request,
        form,
        {"period": period, "title": _("Advance invoices"), "verb": "advances"},
        preview,
        act,
    )


@requires(ACT)
@GET_POST
def settle(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    open_advances = scope(period_actions.open_advances(period), request.user)
    form = forms.Form(request.POST or None)

    def preview() -> dict[str, Any]:
        total = open_advances.aggregate(t=Sum("total_gross"))["t"] or Decimal(0)
        return {
            "summary": _(
                "A settlement invoice per contract bills the period's actual "
                "consumption and deducts its advances: %(n)s open advance(s), "
                "%(total)s gross."
            )
            % {"n": open_advances.count(), "total": total},
            "advances": list(open_advances.order_by("number")),
        }

    def act() -> HttpResponse:
        outcome = period_actions.settle_period(period, request.user)
        _outcome(request, outcome)
        _queue_documents(request, period, outcome.issued)
        return redirect("web:invoices")

    return _step(
        request,
        form,
        {
            "period": period,
            "title": _("Settle the advances"),
            "verb": "settle",
            "advances": list(open_advances.order_by("number")),
        },
        preview,
        act,
    )
