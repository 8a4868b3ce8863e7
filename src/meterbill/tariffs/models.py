"""Tariffs with effective-dated versions made of components, and the VAT schedule.

A version prices with its ``components`` (fixed charges, unit prices, blocks, seasonal
prices, formulas, minimums, maximums, time of use, demand: ``engine.components``),
whose formulas may read the version's ``lookup_tables``; a version without
component rows keeps the simple prices it was created with: a fixed charge per month
per apartment plus a unit price, in its VAT category. ``tariffs.compile`` turns the
rows into engine objects."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from meterbill.orgs.models import Organisation


class VatCategory(models.TextChoices):
    """EN 16931 VAT category codes (UNTDID 5305 subset)."""

    STANDARD = "S", _("Standard rate")
    ZERO = "Z", _("Zero rated")
    EXEMPT = "E", _("Exempt")
    REVERSE_CHARGE = "AE", _("Reverse charge")
    OUTSIDE_SCOPE = "O", _("Outside the scope of VAT")


class RoundingPoint(models.TextChoices):
    LINE = "line", _("Each line")
    INVOICE = "invoice", _("The invoice (per VAT group)")


class RoundingMode(models.TextChoices):
    """``decimal`` rounding modes offered for money."""

    HALF_UP = "ROUND_HALF_UP", _("Half up")
    HALF_EVEN = "ROUND_HALF_EVEN", _("Half even (banker's)")
    DOWN = "ROUND_DOWN", _("Down (towards zero)")
    UP = "ROUND_UP", _("Up (away from zero)")


class ComponentKind(models.TextChoices):
    """The component kinds of ``engine.components``; params per kind in
    docs/tariffs.md."""

    FIXED = "fixed", _("Fixed charge per month")
    UNIT_PRICE = "unit_price", _("Price per unit")
    EXCISE = "excise", _("Excise tax per unit")
    BLOCK = "block", _("Block (tiered) prices")
    SEASONAL = "seasonal", _("Seasonal price by month")
    FORMULA = "formula", _("Formula")
    MINIMUM = "minimum", _("Minimum charge per month")
    MAXIMUM = "maximum", _("Maximum charge per month")
    TIME_OF_USE = "time_of_use", _("Time-of-use energy (hourly data)")
    DEMAND = "demand", _("Demand charge (hourly data)")


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
    # Used when the organisation has no VatRate for ``vat_category``.
    vat_rate_percent = models.DecimalField(max_digits=5, decimal_places=2)
    # Where amounts are rounded to the currency's precision, and how.
    rounding_mode = models.CharField(
        max_length=16, choices=RoundingMode.choices, default=RoundingMode.HALF_UP
    )
    rounding_point = models.CharField(
        max_length=8, choices=RoundingPoint.choices, default=RoundingPoint.LINE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tariff", "valid_from"], name="tariff_version_from"
            )
        ]
        ordering = ["tariff", "valid_from"]

    def __str__(self) -> str:
        return f"{self.tariff_id}@{self.valid_from}"


class TariffComponent(models.Model):
    """One priced component of a version, rated in ``position`` order (minimum and
    maximum charges compare with the lines of the components before them)."""

    version = models.ForeignKey(
        TariffVersion, on_delete=models.CASCADE, related_name="components"
    )
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=ComponentKind.choices)
    code = models.CharField(max_length=32)
    # The line text on the invoice (English; see docs/tariffs.md for languages).
    description = models.CharField(max_length=200)
    vat_category = models.CharField(
        max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    # The kind's parameters; Decimal values are stored as strings, never floats.
    params = models.JSONField(default=dict, blank=True)
    # For kind "formula": the amount (or unit price, with params["quantity"]).
    formula = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="tariff_component_position"
            ),
            models.UniqueConstraint(
                fields=["version", "code"], name="tariff_component_code"
            ),
        ]
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return f"{self.code} ({self.kind})"


class LookupTable(models.Model):
    """A price list of a version, read by its formulas with ``lookup("name", key)``:
    a value per key (a residence category, a heating zone, a consumer class). It
    belongs to the version, so a new price list is a new version, as prices are."""

    version = models.ForeignKey(
        TariffVersion, on_delete=models.CASCADE, related_name="lookup_tables"
    )
    # As formulas quote it: a letter or "_", then letters, digits and "_".
    name = models.CharField(max_length=32)
    # [key, value] pairs in the order entered. A key is stored as lookup() looks it
    # up (a number by its plain text: "2.50" as "2.5"); a value is a decimal
    # string ("1.20"), never a float. ``tariffs.compile.build_table`` checks both.
    rows = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "name"], name="lookup_table_name"
            )
        ]
        ordering = ["version", "name"]

    def __str__(self) -> str:
        return self.name


class VatRate(models.Model):
    """The organisation's VAT rate for a category from ``valid_from`` until the
    category's next row. Category O has no rate (null); Z, E and AE have 0."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    category = models.CharField(max_length=2, choices=VatCategory.choices)
    rate_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField()
    # Categories E, AE and O: why no VAT is charged, written in the e-invoice's VAT
    # breakdown of a tariff line in the category (EN 16931 BT-120, BT-121; BR-E-10,
    # BR-AE-10, BR-O-10). The VAT schedule form asks for one of them.
    exemption_reason = models.CharField(max_length=200, blank=True, default="")
    exemption_code = models.CharField(max_length=30, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "category", "valid_from"], name="vat_rate_from"
            )
        ]
        ordering = ["organisation", "category", "valid_from"]

    def __str__(self) -> str:
        return f"{self.category} {self.rate_percent}% from {self.valid_from}"
