"""A contract's fees and one-off items: added, changed, ended (monthly) or
withdrawn (a one-off item not billed yet). They are listed on the contract page;
every change goes through ``meterbill.premises.contract_charges`` (checked and
audited), every object through ``access.get_scoped``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meterbill.premises.contract_charges import (
    ChargeRefused,
    end_contract_charge,
    save_contract_charge,
    withdraw_contract_charge,
)
from meterbill.premises.models import Contract, ContractCharge

from .access import get_scoped, requires
from .contract_charge_forms import ContractChargeForm, EndChargeForm


def _charge(request: HttpRequest, pk: int) -> ContractCharge:
    return get_scoped(
        ContractCharge.objects.select_related("contract__branch", "invoice"),
        request.user,
        pk=pk,
    )


@requires("customers.edit")
def charge_create(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = get_scoped(
        Contract.objects.select_related("branch"), request.user, pk=contract_id
    )
    return _charge_form(request, ContractCharge(contract=contract))


@requires("customers.edit")
def charge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _charge_form(request, _charge(request, pk))


def _charge_form(request: HttpRequest, charge: ContractCharge) -> HttpResponse:
    form = ContractChargeForm(request.POST or None, instance=charge)
    if request.method == "POST" and form.is_valid():
        try:
            save_contract_charge(form.save(commit=False), request.user)
        except ChargeRefused as refused:
            field = refused.field if refused.field in form.fields else None
            form.add_error(field, refused.message)
        else:
            messages.success(
                request, _("Charge %(c)s saved.") % {"c": charge.description}
            )
            return redirect("web:contract", charge.contract_id)
    return render(
        request,
        "web/premises/contract_charge_form.html",
        {"form": form, "charge": charge, "contract": charge.contract},
    )


@requires("customers.edit")
@require_POST
def charge_end(request: HttpRequest, pk: int) -> HttpResponse:
    charge = _charge(request, pk)
    form = EndChargeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the last day the charge is billed."))
        return redirect("web:contract", charge.contract_id)
    try:
        end_contract_charge(charge, form.cleaned_data["ends_on"], request.user)
    except ChargeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("%(c)s is billed until %(d)s.")
            % {"c": charge.description, "d": charge.valid_to},
        )
    return redirect("web:contract", charge.contract_id)


@requires("customers.edit")
@require_POST
def charge_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    charge = _charge(request, pk)
    try:
        withdraw_contract_charge(charge, request.user)
    except ChargeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("%(c)s withdrawn.") % {"c": charge.description})
    return redirect("web:contract", charge.contract_id)
