"""Utilities and tariffs: adding them and their effective-dated versions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from meterbill.audit import trail
from meterbill.orgs.models import Organisation
from meterbill.orgs.services import SetupRefused
from meterbill.premises.models import Utility

from .models import Tariff, TariffVersion, VatCategory


def add_utility(
    org: Organisation,
    code: str,
    name: str,
    kind: str,
    unit: str,
    unit_code: str,
    user: Any = None,
) -> Utility:
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
    if unit_price_net < 0 or fixed_charge_per_month < 0:
        raise SetupRefused("prices must not be negative")
    if not Decimal(0) <= vat_rate_percent <= Decimal(100):
        raise SetupRefused("the VAT rate is a percentage from 0 to 100")
    if vat_category not in VatCategory.values:
        raise SetupRefused(f"unknown VAT category {vat_category!r}")
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
