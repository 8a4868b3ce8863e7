"""Allocation screens: the distribution rules of residences (and branch defaults),
and the provider bills, entered by hand or read from the provider's e-invoice.

Every query goes through ``access.scope`` / ``get_scoped``; changes go through
``billing.distribution.set_distribution_rule`` and
``billing.provider_bills.save_provider_bill``, which record them in the audit trail.
Billing operators and branch managers edit; auditors read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from meterbill.billing.distribution import set_distribution_rule
from meterbill.billing.models import DistributionRule, Period, ProviderBill
from meterbill.billing.provider_bills import (
    InvalidFormat,
    ProviderBillRefused,
    ProviderInvoice,
    keep_file,
    kept_file,
    read_provider_invoice,
    save_provider_bill,
)
from meterbill.engine.scenario import ScenarioError

from .access import can, get_scoped, requires, scope
from .allocation_forms import (
    DistributionRuleForm,
    ProviderBillForm,
    ProviderInvoiceConfirmForm,
    ProviderInvoiceUploadForm,
)

VIEW, EDIT = "allocation.view", "allocation.edit"


@requires(VIEW)
def rules(request: HttpRequest) -> HttpResponse:
    rows = scope(DistributionRule.objects.all(), request.user).select_related(
        "branch", "residence", "utility"
    )
    ordered = rows.order_by(
        "branch__code", "residence__code", "utility__code", "valid_from"
    )
    return render(request, "web/allocation/rules.html", {"rules": ordered})


@requires(EDIT)
def rule_new(request: HttpRequest) -> HttpResponse:
    return _rule_form(request, None)


@requires(VIEW)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped(
        DistributionRule.objects.select_related("residence", "utility"),
        request.user,
        pk=pk,
    )
    return _rule_form(request, row)


def _rule_form(request: HttpRequest, row: DistributionRule | None) -> HttpResponse:
    editable = can(request.user, EDIT)
    if request.method == "POST" and not editable:
        raise PermissionDenied(EDIT)
    data = request.POST if request.method == "POST" else None
    form = DistributionRuleForm(data, user=request.user, instance=row)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if data is not None and form.is_valid():
        residence = form.cleaned_data["residence"]
        branch = residence.branch if residence else form.cleaned_data["branch"]
        try:
            saved = set_distribution_rule(
                branch=branch,
                residence=residence,
                utility=form.cleaned_data["utility"],
                valid_from=form.cleaned_data["valid_from"],
                splits=form.cleaned_data["splits"],
                rule=form.cleaned_data["rule"],
                user=request.user,
            )
        except ScenarioError as exc:
            form.add_error(exc.path if exc.path in form.fields else None, str(exc))
        else:
            messages.success(
                request, _("Distribution rule saved: %(r)s") % {"r": saved}
            )
            return redirect("web:allocation_rules")
    title = _("Distribution rule") if row else _("New distribution rule")
    return render(
        request,
        "web/allocation/rule_form.html",
        {"form": form, "row": row, "title": title, "editable": editable},
    )


@requires(VIEW)
def bills(request: HttpRequest) -> HttpResponse:
    periods = scope(Period.objects.all(), request.user).select_related("branch")
    periods = periods.order_by("-starts_on", "branch__code")
    chosen: Period | None = None
    if request.GET.get("period", "").isdigit():
        chosen = get_scoped(
            Period.objects.all(), request.user, pk=int(request.GET["period"])
        )
    elif periods:
        chosen = periods[0]
    rows = scope(ProviderBill.objects.all(), request.user).filter(period=chosen)
    rows = rows.select_related("residence", "utility", "provider").order_by(
        "residence__code", "utility__code"
    )
    return render(
        request,
        "web/allocation/bills.html",
        {"periods": periods, "chosen": chosen, "bills": rows},
    )


@requires(EDIT)
def bill_new(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ProviderBillForm(data, user=request.user)
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            bill = save_provider_bill(
                residence=d["residence"],
                period=d["period"],
                utility=d["utility"],
                provider=d["provider"],
                quantity=d["quantity"],
                amount_net=d["amount_net"],
                vat_rate_percent=d["vat_rate_percent"],
                currency=d["currency"],
                reference=d["reference"],
                user=request.user,
            )
        except ProviderBillRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _saved(request, bill)
    return render(
        request,
        "web/allocation/bill_form.html",
        {"form": form, "title": _("Enter a provider bill"), "upload": False},
    )


@requires(EDIT)
def bill_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: upload the provider's invoice and see what was read from it."""
    if request.method != "POST":
        form = ProviderInvoiceUploadForm(user=request.user)
    else:
        form = ProviderInvoiceUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                invoice = read_provider_invoice(
                    data, upload.name, form.cleaned_data["utility"]
                )
            except (InvalidFormat, ProviderBillRefused) as exc:
                form.add_error("file", str(exc))
            else:
                source = keep_file(data)
                confirm = ProviderInvoiceConfirmForm(
                    initial={
                        **{k: form.cleaned_data[k].pk for k in _PLACE},
                        "source": source,
                        "filename": shown_name(upload.name),
                    },
                    user=request.user,
                )
                return _confirm_page(request, confirm, invoice, form.cleaned_data)
    return render(
        request,
        "web/allocation/bill_form.html",
        {"form": form, "title": _("Read a provider invoice"), "upload": True},
    )


_PLACE = ("residence", "period", "utility", "provider")


def shown_name(name: str) -> str:
    """The uploaded file's name as messages show it: at most the confirmation
    form's 200 characters, the start and the end (with the extension) kept."""
    limit = ProviderInvoiceConfirmForm.FILENAME_LENGTH
    if len(name) <= limit:
        return name
    keep = (limit - 1) // 2
    return f"{name[:keep]}…{name[-(limit - 1 - keep) :]}"


def _confirm_page(
    request: HttpRequest,
    confirm: ProviderInvoiceConfirmForm,
    invoice: ProviderInvoice,
    place: dict[str, Any],
) -> HttpResponse:
    return render(
        request,
        "web/allocation/bill_confirm.html",
        {"confirm": confirm, "invoice": invoice, "place": place},
    )


@requires(EDIT)
def bill_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: save the bill read from the kept file (read again: what is saved is
    what the file says, whatever the page sent back)."""
    if request.method != "POST":
        return redirect("web:allocation_bill_upload")
    form = ProviderInvoiceConfirmForm(request.POST, user=request.user)
    if not form.is_valid():
        # Plain texts: str() of an error list is HTML, escaped in the message.
        problems = [
            f"{name}: {text}" if name != "__all__" else str(text)
            for name, texts in form.errors.items()
            for text in texts
        ]
        messages.error(
            request,
            _("The provider invoice could not be confirmed: %(e)s")
            % {"e": "; ".join(problems)},
        )
        return redirect("web:allocation_bill_upload")
    d = form.cleaned_data
    try:
        data = kept_file(d["source"])
        invoice = read_provider_invoice(data, d["filename"], d["utility"])
        bill = save_provider_bill(
            residence=d["residence"],
            period=d["period"],
            utility=d["utility"],
            provider=d["provider"],
            quantity=invoice.quantity,
            amount_net=invoice.amount_net,
            vat_rate_percent=invoice.vat_rate_percent,
            currency=invoice.currency,
            reference=invoice.number,
            source_file=d["source"],
            user=request.user,
        )
    except (InvalidFormat, ProviderBillRefused) as exc:
        messages.error(request, str(exc))
        return redirect("web:allocation_bill_upload")
    return _saved(request, bill)


def _saved(request: HttpRequest, bill: ProviderBill) -> HttpResponse:
    messages.success(
        request,
        _("Provider bill saved: %(r)s %(u)s %(a)s %(c)s")
        % {
            "r": bill.residence.code,
            "u": bill.utility.code,
            "a": bill.amount_net,
            "c": bill.currency,
        },
    )
    return redirect(f"{reverse('web:allocation_bills')}?period={bill.period_id}")


@requires(VIEW)
def bill_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider's invoice a bill was read from, as it was uploaded."""
    bill = get_scoped(ProviderBill.objects.all(), request.user, pk=pk)
    if not bill.source_file:
        return render(
            request, "web/allocation/no_file.html", {"bill": bill}, status=404
        )
    try:
        data = kept_file(bill.source_file)
    except ProviderBillRefused:
        return render(
            request, "web/allocation/no_file.html", {"bill": bill}, status=404
        )
    response = HttpResponse(data, content_type="application/xml")
    name = f"provider-bill-{bill.pk}.xml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
