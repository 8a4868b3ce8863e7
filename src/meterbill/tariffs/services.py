"""Utilities and tariffs: adding them and their effective-dated versions."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from meterbill.audit import trail
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.queries import STANDING
from meterbill.orgs.models import Organisation
from meterbill.orgs.services import SetupRefused
from meterbill.premises.models import Utility

from .models import Tariff, TariffVersion, VatCategory

# Net prices are stored with 18 digits, 6 of them decimals.
MAX_PRICE = Decimal(10) ** 12


def add_utility(
    org: Organisation,
    code: str,
    name: str,
    kind: str,
    unit: str,
    unit_code: str,
    user: Any = None,
) -> Utility:
    if not re.fullmatch(r"[a-z0-9_]{1,32}", code):
        raise SetupRefused(f"utility code {code!r}: 1 to 32 of a-z, 0-9 and '_'")
    if not unit.strip() or not name.strip():
        raise SetupRefused("a utility needs a name and a unit")
    if not re.fullmatch(r"[A-Z0-9]{2,3}", unit_code):
        raise SetupRefused(
            f"unit code {unit_code!r}: a UN/ECE Recommendation 20 code such as MTQ, "
            f"KWH or C62"
        )
    if kind not in Utility.Kind.values:
        raise SetupRefused(
            f"unknown utility kind {kind!r}; one of {', '.join(Utility.Kind.values)}"
        )
    try:
        with transaction.atomic():
            utility = Utility.objects.create(
                organisation=org,
                code=code,
                name=name,
                kind=kind,
                unit=unit,
                unit_code=unit_code,
            )
            trail.record(
                "utility.add",
                user=user,
                obj=utility,
                after={"code": code, "unit": unit},
            )
    except IntegrityError as exc:
        raise SetupRefused(f"utility {code!r} exists already") from exc
    return utility


def add_tariff_version(
    org: Organisation,
    code: str,
    utility_code: str,
    valid_from: date,
    unit_price_net: Decimal,
    vat_rate_percent: Decimal,
    fixed_charge_per_month: Decimal = Decimal(0),
    vat_category: str = VatCategory.STANDARD,
    currency: str | None = None,
    name: str = "",
    user: Any = None,
) -> TariffVersion:
    """Add a version of tariff ``code`` in force from ``valid_from`` (creating the
    tariff on its first version). Prices are net of VAT."""
    for label, price in (
        ("unit price", unit_price_net),
        ("fixed charge", fixed_charge_per_month),
    ):
        if not price.is_finite() or not Decimal(0) <= price < MAX_PRICE:
            raise SetupRefused(f"the {label} must be from 0 to below {MAX_PRICE}")
        if price != price.quantize(Decimal("0.000001")):
            raise SetupRefused(f"the {label} has more than 6 decimals")
    if not Decimal(0) <= vat_rate_percent <= Decimal(100):
        raise SetupRefused("the VAT rate is a percentage from 0 to 100")
    if vat_category not in VatCategory.values:
        raise SetupRefused(f"unknown VAT category {vat_category!r}")
    if vat_category != VatCategory.STANDARD and vat_rate_percent != 0:
        raise SetupRefused(
            f"VAT category {vat_category} is charged at 0%, not {vat_rate_percent}% "
            f"(EN 16931 BR-Z/E/AE/O rules)"
        )
    if currency and currency != org.currency:
        raise SetupRefused(
            f"{org.name} invoices in {org.currency}; a tariff in {currency} is not "
            f"supported"
        )
    billed = (
        Invoice.objects.filter(
            branch__organisation=org,
            state__in=STANDING,
            period__ends_on__gte=valid_from,
        )
        .order_by("-period__ends_on")
        .values_list("period__ends_on", flat=True)
        .first()
    )
    if billed is not None:
        raise SetupRefused(
            f"periods up to {billed} are invoiced; a new price starts after them "
            f"(correct invoiced periods with credit notes)"
        )
    utility = Utility.objects.filter(organisation=org, code=utility_code).first()
    if utility is None:
        raise SetupRefused(f"no utility {utility_code!r}")
    with transaction.atomic():
        tariff, _ = Tariff.objects.get_or_create(
            organisation=org,
            code=code,
            defaults={"name": name or code, "utility": utility},
        )
        if tariff.utility_id != utility.pk:
            raise SetupRefused(f"tariff {code!r} prices {tariff.utility.code}")
        try:
            with transaction.atomic():
                version = TariffVersion.objects.create(
                    tariff=tariff,
                    valid_from=valid_from,
                    currency=currency or org.currency,
                    fixed_charge_per_month=fixed_charge_per_month,
                    unit_price_net=unit_price_net,
                    vat_category=vat_category,
                    vat_rate_percent=vat_rate_percent,
                )
        except IntegrityError as exc:
            raise SetupRefused(
                f"tariff {code!r} has a version from {valid_from} already"
            ) from exc
        trail.record(
            "tariff.version.add",
            user=user,
            obj=version,
            after={
                "tariff": code,
                "valid_from": valid_from.isoformat(),
                "unit_price_net": str(unit_price_net),
                "fixed_charge_per_month": str(fixed_charge_per_month),
                "vat": f"{vat_category} {vat_rate_percent}",
            },
        )
    return version
