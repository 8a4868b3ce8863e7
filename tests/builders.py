"""Plain builders the fixtures share: a utility with its tariff, and a customer's
contract with its services. Each test keeps its own numbers; only the shape is here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def make_tariff(
    org,
    utility_code: str,
    tariff_code: str,
    *,
    kind: str,
    unit: str,
    unit_code: str,
    unit_price: str,
    vat: str,
    fixed: str = "0",
    name: str = "",
    valid_from: date = date(2026, 1, 1),
):
    """A utility and a tariff for it with one version (net prices, VAT in %)."""
    from meterbill.premises.models import Utility
    from meterbill.tariffs.models import Tariff, TariffVersion

    name = name or utility_code.replace("_", " ").capitalize()
    utility = Utility.objects.create(
        organisation=org,
        code=utility_code,
        name=name,
        kind=kind,
        unit=unit,
        unit_code=unit_code,
    )
    tariff = Tariff.objects.create(
        organisation=org, code=tariff_code, name=name, utility=utility
    )
    TariffVersion.objects.create(
        tariff=tariff,
        valid_from=valid_from,
        currency=org.currency,
        fixed_charge_per_month=Decimal(fixed),
        unit_price_net=Decimal(unit_price),
        vat_rate_percent=Decimal(vat),
    )
    return utility, tariff


def make_contract(
    branch,
    number: str,
    customer_code: str,
    customer_name: str,
    tariffs,
    *,
    apartment=None,
    service_point=None,
    valid_from: date = date(2020, 1, 1),
    **customer,
):
    """A customer and its contract on an apartment or a service point, with one
    service per tariff (each tariff prices its own utility)."""
    from meterbill.premises.models import Contract, ContractService, Customer

    payer = Customer.objects.create(
        branch=branch, code=customer_code, name=customer_name, **customer
    )
    contract = Contract.objects.create(
        branch=branch,
        number=number,
        customer=payer,
        apartment=apartment,
        service_point=service_point,
        valid_from=valid_from,
    )
    for tariff in tariffs:
        ContractService.objects.create(
            contract=contract, utility_id=tariff.utility_id, tariff=tariff
        )
    return contract


def preview_get(client, version, apartment, starts_on="", ends_on="", **more):
    """GET the formula preview of ``version`` on ``apartment`` (the form's fields;
    ``more``: consumption, previous_balance)."""
    fields = {"version": version.pk, "apartment": apartment.pk}
    if starts_on:
        fields |= {"starts_on": starts_on, "ends_on": ends_on}
    return client.get("/config/preview/", fields | more)
