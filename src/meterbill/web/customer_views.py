"""Customers and contracts: lists with search, create, edit, delete while unused.
A contract is edited together with its services (utility + tariff)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meterbill.premises.actions import record_change, snapshot
from meterbill.premises.models import Apartment, Contract, Customer

from .access import can, get_scoped, requires, scope
from .premises_forms import (
    ContractForm,
    ContractServiceFormSet,
    CustomerForm,
    lock_billed_services,
)
from .premises_views import read_only, try_delete
from .views import paginate


@requires("customers.view")
def customers(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = scope(
        Customer.objects.select_related("branch", "portal_user"), request.user
    ).annotate(contract_count=Count("contract"))
    if q:
        qs = qs.filter(
            Q(code__iexact=q)
            | Q(name__icontains=q)
            | Q(vat_id__icontains=q)
            | Q(email__icontains=q)
        )
    page = paginate(request, qs.order_by("branch__code", "code"))
    return render(request, "web/premises/customers.html", {"page": page, "q": q})


@requires("customers.edit")
def customer_create(request: HttpRequest) -> HttpResponse:
    return _customer_form(request, Customer())


@requires("customers.view")
def customer_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's page: the form for editors, read-only fields for the others."""
    customer = get_scoped(
        Customer.objects.select_related("branch", "portal_user"), request.user, pk=pk
    )
    return _customer_form(request, customer)


def _customer_form(request: HttpRequest, customer: Customer) -> HttpResponse:
    may_edit = can(request.user, "customers.edit")
    if request.method == "POST" and not may_edit:
        raise PermissionDenied("customers.edit")
    before = snapshot(customer) if customer.pk else None
    data = request.POST if request.method == "POST" else None
    form = CustomerForm(data, instance=customer, user=request.user)
    if not may_edit:
        read_only(form)
    if data is not None and form.is_valid():
        with transaction.atomic():
            customer = form.save()
            action = "customer.update" if before else "customer.create"
            record_change(
                action,
                customer,
                user=request.user,
                before=before,
                after=snapshot(customer),
            )
        messages.success(request, _("Customer %(c)s saved.") % {"c": customer.code})
        return redirect("web:customer", customer.pk)
    # Only the contracts of the user's subtree, even of a customer it may see.
    contracts = scope(
        Contract.objects.filter(customer_id=customer.pk).select_related(
            "apartment__residence", "service_point"
        ),
        request.user,
    )
    return render(
        request,
        "web/premises/customer_form.html",
        {
            "form": form,
            "customer": customer,
            "may_edit": may_edit,
            "contracts": contracts.order_by("-valid_from"),
        },
    )


@requires("customers.edit")
@require_POST
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_scoped(Customer.objects.all(), request.user, pk=pk)
    if try_delete(request, customer, "customer.delete"):
        return redirect("web:customers")
    return redirect("web:customer", pk)


@requires("customers.view")
def contracts(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = scope(
        Contract.objects.select_related(
            "branch", "customer", "apartment__residence", "service_point"
        ).annotate(service_count=Count("services")),
        request.user,
    )
    if q:
        residence, _slash, number = q.partition("/")
        qs = qs.filter(
            Q(number__iexact=q)
            | Q(customer__code__iexact=q)
            | Q(customer__name__icontains=q)
            | Q(service_point__identifier__iexact=q)
            | Q(apartment__residence__code__iexact=residence)
            & Q(apartment__number__iexact=number)
        )
    page = paginate(request, qs.order_by("branch__code", "number"))
    return render(request, "web/premises/contracts.html", {"page": page, "q": q})


@requires("customers.edit")
def contract_create(request: HttpRequest) -> HttpResponse:
    contract = Contract()
    initial: dict[str, Any] = {}
    # Started from an apartment's or a customer's page: preselect it (if visible).
    apartment_id = request.GET.get("apartment", "")
    if apartment_id.isdigit():
        apartment = scope(Apartment.objects.all(), request.user).filter(pk=apartment_id)
        initial["apartment"] = apartment.values_list("pk", flat=True).first()
    customer_id = request.GET.get("customer", "")
    if customer_id.isdigit():
        customer = scope(Customer.objects.all(), request.user).filter(pk=customer_id)
        initial["customer"] = customer.values_list("pk", flat=True).first()
    return _contract_form(request, contract, initial)


@requires("customers.view")
def contract_page(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_scoped(
        Contract.objects.select_related(
            "branch", "customer", "apartment__residence", "service_point"
        ),
        request.user,
        pk=pk,
    )
    return _contract_form(request, contract, {})


def _contract_snapshot(contract: Contract) -> dict[str, Any]:
    return snapshot(contract, services=contract.services.order_by("utility_id", "pk"))


def _contract_form(
    request: HttpRequest, contract: Contract, initial: dict[str, Any]
) -> HttpResponse:
    """The contract and its services, saved together."""
    may_edit = can(request.user, "customers.edit")
    if request.method == "POST" and not may_edit:
        raise PermissionDenied("customers.edit")
    before = _contract_snapshot(contract) if contract.pk else None
    data = request.POST if request.method == "POST" else None
    form = ContractForm(data, instance=contract, initial=initial, user=request.user)
    services = ContractServiceFormSet(
        data,
        instance=contract,
        prefix="services",
        form_kwargs={"user": request.user},
    )
    if form.billed_through is not None:
        lock_billed_services(services)
    if not may_edit:
        read_only(form, *services.forms)
    if data is not None and form.is_valid() and services.is_valid():
        with transaction.atomic():
            contract = form.save()
            services.instance = contract
            services.save()
            action = "contract.update" if before else "contract.create"
            record_change(
                action,
                contract,
                user=request.user,
                before=before,
                after=_contract_snapshot(contract),
            )
        messages.success(request, _("Contract %(c)s saved.") % {"c": contract.number})
        return redirect("web:contract", contract.pk)
    return render(
        request,
        "web/premises/contract_form.html",
        {
            "form": form,
            "services": services,
            "contract": contract,
            "may_edit": may_edit,
        },
    )


@requires("customers.edit")
@require_POST
def contract_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_scoped(Contract.objects.all(), request.user, pk=pk)
    before = _contract_snapshot(contract)
    if try_delete(request, contract, "contract.delete", before):
        return redirect("web:contracts")
    return redirect("web:contract", pk)
