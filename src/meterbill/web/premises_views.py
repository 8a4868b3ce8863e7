"""Editing the premises: residences and apartments (with their per-utility
parameters). Meters are in ``meter_views``, customers and contracts in
``customer_views``. Every object comes through ``access.get_scoped``; every change
is saved through ``meterbill.premises.actions`` and so lands in the audit trail."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from meterbill.premises.actions import InUse, delete_unused, record_change, snapshot
from meterbill.premises.models import Apartment, Residence
from meterbill.premises.persons import record_persons

from .access import get_scoped, requires
from .premises_forms import ApartmentForm, ApartmentUtilityFormSet, ResidenceForm


def read_only(*forms: Any) -> None:
    """Show the forms' values to a role that may look but not change."""
    for form in forms:
        for field in form.fields.values():
            field.disabled = True


# What may still use a residence, an apartment, a meter, a customer or a contract.
USED_BY = {
    "premises.apartment": lambda n: ngettext("%(n)d apartment", "%(n)d apartments", n),
    "metering.meter": lambda n: ngettext("%(n)d meter", "%(n)d meters", n),
    "premises.contract": lambda n: ngettext("%(n)d contract", "%(n)d contracts", n),
    "invoicing.invoice": lambda n: ngettext("%(n)d invoice", "%(n)d invoices", n),
    "invoicing.invoiceline": lambda n: ngettext(
        "%(n)d invoice line", "%(n)d invoice lines", n
    ),
    "billing.providerbill": lambda n: ngettext(
        "%(n)d provider bill", "%(n)d provider bills", n
    ),
    "billing.distributionrule": lambda n: ngettext(
        "%(n)d distribution rule", "%(n)d distribution rules", n
    ),
    "billing.finding": lambda n: ngettext(
        "%(n)d open finding of the bill run", "%(n)d open findings of the bill run", n
    ),
}


def _used_by(label: str, n: int) -> str:
    if label in USED_BY:
        return USED_BY[label](n) % {"n": n}
    # A model without its own wording: its name, singular for one. (Languages with
    # more plural forms get the list above.)
    meta = apps.get_model(label)._meta
    return f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}"


def refuse_delete(request: HttpRequest, error: InUse) -> None:
    """The message shown instead of deleting an object that is still used."""
    used = ", ".join(_used_by(label, n) for label, n in sorted(error.used_by.items()))
    messages.error(
        request,
        _("%(obj)s cannot be deleted: it is still used by %(used)s.")
        % {"obj": error.obj, "used": used},
    )


def try_delete(
    request: HttpRequest,
    obj: Model,
    action: str,
    before: dict[str, Any] | None = None,
) -> bool:
    """Delete ``obj`` (audited) or say why not; True when it is gone."""
    label = str(obj)
    try:
        delete_unused(obj, user=request.user, action=action, before=before)
    except InUse as error:
        refuse_delete(request, error)
        return False
    messages.success(request, _("%(obj)s deleted.") % {"obj": label})
    return True


def _apartment_snapshot(apartment: Apartment) -> dict[str, Any]:
    return snapshot(
        apartment, utilities=apartment.utilities.order_by("utility_id", "pk")
    )


@requires("premises.edit")
def residence_create(request: HttpRequest) -> HttpResponse:
    return _residence_form(request, Residence())


@requires("premises.edit")
def residence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    residence = get_scoped(
        Residence.objects.select_related("branch"), request.user, pk=pk
    )
    return _residence_form(request, residence)


def _residence_form(request: HttpRequest, residence: Residence) -> HttpResponse:
    before = snapshot(residence) if residence.pk else None
    form = ResidenceForm(request.POST or None, instance=residence, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            residence = form.save()
            action = "residence.update" if before else "residence.create"
            record_change(
                action,
                residence,
                user=request.user,
                before=before,
                after=snapshot(residence),
            )
        messages.success(request, _("Residence %(r)s saved.") % {"r": residence.code})
        return redirect("web:residence", residence.pk)
    return render(
        request,
        "web/premises/residence_form.html",
        {"form": form, "residence": residence},
    )


@requires("premises.edit")
@require_POST
def residence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    residence = get_scoped(Residence.objects.all(), request.user, pk=pk)
    if try_delete(request, residence, "residence.delete"):
        return redirect("web:residences")
    return redirect("web:residence_edit", pk)


@requires("premises.edit")
def apartment_create(request: HttpRequest, residence_id: int) -> HttpResponse:
    residence = get_scoped(
        Residence.objects.select_related("branch"), request.user, pk=residence_id
    )
    return _apartment_form(request, Apartment(residence=residence))


@requires("premises.edit")
def apartment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    apartment = get_scoped(
        Apartment.objects.select_related("residence__branch"), request.user, pk=pk
    )
    return _apartment_form(request, apartment)


def _apartment_form(request: HttpRequest, apartment: Apartment) -> HttpResponse:
    """The apartment and its per-utility parameters, saved together."""
    before = _apartment_snapshot(apartment) if apartment.pk else None
    data = request.POST or None
    form = ApartmentForm(data, instance=apartment)
    utilities = ApartmentUtilityFormSet(
        data,
        instance=apartment,
        prefix="utilities",
        form_kwargs={"user": request.user},
        queryset=apartment.utilities.select_related("utility").order_by("pk")
        if apartment.pk
        else None,
    )
    if request.method == "POST" and form.is_valid() and utilities.is_valid():
        with transaction.atomic():
            apartment = form.save()
            utilities.instance = apartment
            utilities.save()
            if before is None or "persons" in form.changed_data:
                record_persons(
                    apartment,
                    apartment.persons,
                    form.cleaned_data["persons_from"] or timezone.localdate(),
                    previous=before["persons"] if before else None,
                    user=request.user,
                )
            action = "apartment.update" if before else "apartment.create"
            record_change(
                action,
                apartment,
                user=request.user,
                before=before,
                after=_apartment_snapshot(apartment),
            )
        messages.success(request, _("Apartment %(a)s saved.") % {"a": apartment})
        return redirect("web:apartment", apartment.pk)
    return render(
        request,
        "web/premises/apartment_form.html",
        {"form": form, "utilities": utilities, "apartment": apartment},
    )


@requires("premises.edit")
@require_POST
def apartment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    apartment = get_scoped(
        Apartment.objects.select_related("residence"), request.user, pk=pk
    )
    residence_id = apartment.residence_id
    before = _apartment_snapshot(apartment)
    if try_delete(request, apartment, "apartment.delete", before):
        return redirect("web:residence", residence_id)
    return redirect("web:apartment_edit", pk)
