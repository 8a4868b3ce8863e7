"""Tariffs with effective-dated versions. This version: a fixed charge per month, a
price per unit and a VAT rate; later versions add tiers, time of use and formulas."""

from __future__ import annotations

from django.db import models

from meterbill.orgs.models import Organisation


class VatCategory(models.TextChoices):
    """EN 16931 VAT category codes (UNTDID 5305 subset)."""

    STANDARD = "S", "Standard rate"
    ZERO = "Z", "Zero rated"
    EXEMPT = "E", "Exempt"
    REVERSE_CHARGE = "AE", "Reverse charge"
    OUTSIDE_SCOPE = "O", "Outside the scope of VAT"


class Tariff(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    utility = models.ForeignKey("premises.Utility", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="tariff_code")
        ]

    def __str__(self) -> str:
        return self.code


class TariffVersion(models.Model):
    """Prices in force from ``valid_from`` until the next version's ``valid_from``."""

    tariff = models.ForeignKey(
        Tariff, on_delete=models.PROTECT, related_name="versions"
    )
    valid_from = models.DateField()
    currency = models.CharField(max_length=3)
    # Net amounts, VAT excluded.
    fixed_charge_per_month = models.DecimalField(
        default=0, max_digits=18, decimal_places=6
    )
    unit_price_net = models.DecimalField(max_digits=18, decimal_places=6)
    vat_category = models.CharField(
        max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    vat_rate_percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tariff", "valid_from"], name="tariff_version_from"
            )
        ]
        ordering = ["tariff", "valid_from"]
