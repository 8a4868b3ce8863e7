"""Meters: the list, a meter's page, create and edit (main meters and branching
counters of a residence, apartment meters and heat cost allocators of an apartment),
delete while unread, and the meter exchange."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from meterbill.metering.exchange import ExchangeRefused, NewMeter, exchange_meter
from meterbill.metering.models import Meter, Reading, Register
from meterbill.premises.actions import record_change, snapshot
from meterbill.premises.models import Apartment, Residence

from .access import get_scoped, requires, scope
from .premises_forms import MeterExchangeForm, MeterForm
from .premises_views import try_delete
from .views import paginate

RESIDENCE_KINDS: list[str] = [Meter.Kind.MAIN, Meter.Kind.BRANCH_COUNTER]
APARTMENT_KINDS: list[str] = [Meter.Kind.APARTMENT, Meter.Kind.HCA]
RECENT_READINGS = 12


def _meters(user):
    return scope(
        Meter.objects.select_related(
            "branch", "utility", "residence", "apartment__residence", "parent"
        ),
        user,
    )


@requires("premises.view")
def meters(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = _meters(request.user)
    if q:
        qs = qs.filter(
            Q(serial__icontains=q)
            | Q(radio_id__iexact=q)
            | Q(residence__code__iexact=q)
            | Q(apartment__residence__code__iexact=q)
        )
    page = paginate(request, qs.order_by("branch__code", "serial", "pk"))
    return render(request, "web/premises/meters.html", {"page": page, "q": q})


@requires("premises.view")
def meter(request: HttpRequest, pk: int) -> HttpResponse:
    m = get_scoped(_meters(request.user), request.user, pk=pk)
    registers = list(m.registers.order_by("pk"))
    readings = (
        Reading.objects.filter(register__meter=m)
        .select_related("register")
        .order_by("-read_on", "register_id")[:RECENT_READINGS]
    )
    return render(
        request,
        "web/premises/meter.html",
        {
            "meter": m,
            "registers": registers,
            "readings": readings,
            "children": m.children.order_by("serial"),
        },
    )


# The AES keys typed into the meter and exchange forms never reach an error report.
SECRET_POST = ("aes_key_new", "aes_key")


@requires("premises.edit")
@sensitive_post_parameters(*SECRET_POST)
def meter_create_residence(request: HttpRequest, residence_id: int) -> HttpResponse:
    residence = get_scoped(
        Residence.objects.select_related("branch"), request.user, pk=residence_id
    )
    new = Meter(branch=residence.branch, residence=residence, kind=Meter.Kind.MAIN)
    return _meter_form(request, new, RESIDENCE_KINDS)


@requires("premises.edit")
@sensitive_post_parameters(*SECRET_POST)
def meter_create_apartment(request: HttpRequest, apartment_id: int) -> HttpResponse:
    apartment = get_scoped(
        Apartment.objects.select_related("residence__branch"),
        request.user,
        pk=apartment_id,
    )
    new = Meter(
        branch=apartment.residence.branch,
        apartment=apartment,
        kind=Meter.Kind.APARTMENT,
    )
    return _meter_form(request, new, APARTMENT_KINDS)


@requires("premises.edit")
@sensitive_post_parameters(*SECRET_POST)
def meter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    m = get_scoped(_meters(request.user), request.user, pk=pk)
    kinds = RESIDENCE_KINDS if m.residence_id else APARTMENT_KINDS
    if m.kind not in kinds:
        kinds = [m.kind]
    return _meter_form(request, m, kinds)


def _meter_form(request: HttpRequest, m: Meter, kinds: list[str]) -> HttpResponse:
    """Create or edit; a new meter gets one register in its utility's unit."""
    before = snapshot(m) if m.pk else None
    form = MeterForm(request.POST or None, instance=m, user=request.user, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        form.apply_key()
        with transaction.atomic():
            m = form.save()
            if before is None:
                Register.objects.create(meter=m, unit=m.utility.unit)
            action = "meter.update" if before else "meter.create"
            record_change(
                action, m, user=request.user, before=before, after=snapshot(m)
            )
        messages.success(request, _("Meter %(m)s saved.") % {"m": m.serial})
        return redirect("web:meter", m.pk)
    return render(request, "web/premises/meter_form.html", {"form": form, "meter": m})


@requires("premises.edit")
@require_POST
def meter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Only a meter without readings: its registers and readings would go with it."""
    m = get_scoped(Meter.objects.all(), request.user, pk=pk)
    read = Reading.objects.filter(register__meter=m).count()
    if read:
        messages.error(
            request,
            _(
                "%(m)s cannot be deleted: it has %(n)d reading(s). Record its removal "
                "with a meter exchange instead."
            )
            % {"m": m.serial, "n": read},
        )
        return redirect("web:meter", pk)
    place = ("web:apartment", m.apartment_id) if m.apartment_id else None
    if not try_delete(request, m, "meter.delete"):
        return redirect("web:meter", pk)
    if place:
        return redirect(*place)
    return redirect("web:meters")


@requires("premises.edit")
@sensitive_post_parameters(*SECRET_POST)
def meter_exchange(request: HttpRequest, pk: int) -> HttpResponse:
    old = get_scoped(_meters(request.user), request.user, pk=pk)
    form = MeterExchangeForm(request.POST or None, meter=old)
    if request.method == "POST" and form.is_valid():
        try:
            new = exchange_meter(
                old,
                on=form.cleaned_data["on"],
                final_indexes=form.indexes("final"),
                initial_indexes=form.indexes("initial"),
                new=NewMeter(
                    serial=form.cleaned_data["serial"],
                    radio_id=form.cleaned_data["radio_id"],
                    aes_key=form.cleaned_data["aes_key"],
                ),
                user=request.user,
            )
        except ExchangeRefused as refused:
            form.add_error(
                refused.field if refused.field in form.fields else None, str(refused)
            )
        else:
            messages.success(
                request,
                _("Meter %(old)s exchanged for %(new)s.")
                % {"old": old.serial, "new": new.serial},
            )
            return redirect("web:meter", new.pk)
    return render(
        request, "web/premises/meter_exchange.html", {"form": form, "meter": old}
    )
