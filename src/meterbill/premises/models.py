"""Utilities, providers, residences (buildings), apartments, service points,
customers and contracts."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from meterbill.orgs.models import Branch, Organisation


class Utility(models.Model):
    """A billed commodity or service with its unit."""

    class Kind(models.TextChoices):
        COLD_WATER = "cold_water", _("Cold water")
        HOT_WATER = "hot_water", _("Hot water")
        HEAT = "heat", _("Heat")
        GAS = "gas", _("Gas")
        ELECTRICITY = "electricity", _("Electricity")
        SEWERAGE = "sewerage", _("Sewerage")
        FEE = "fee", _("Flat fee")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    unit = models.CharField(max_length=16, help_text="m3, kWh, GJ, units")
    # UN/ECE Recommendation 20 code for e-invoices: MTQ m3, KWH kWh, GJ? -> "GV"…
    unit_code = models.CharField(max_length=3, default="C62")
    # Quantities are kept to this many decimals (3 for m3, 3 for kWh).
    quantity_decimals = models.PositiveSmallIntegerField(default=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="utility_code"
            )
        ]
        verbose_name_plural = "utilities"

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    vat_id = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return self.name


class Residence(models.Model):
    """A building (block) with its main meters; the unit of parallel work."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    subdivision = models.CharField(max_length=10, blank=True)
    country = models.CharField(max_length=2, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "code"], name="residence_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Customer(models.Model):
    """Who pays: a person or a company."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    code = models.CharField(max_length=32)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(max_length=200)
    vat_id = models.CharField(max_length=32, blank=True)
    company_id = models.CharField(max_length=64, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, default="en")
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    subdivision = models.CharField(max_length=10, blank=True)
    country = models.CharField(max_length=2, blank=True)
    # The login of the customer portal, if the customer has one.
    portal_user = models.OneToOneField(
        "orgs.User", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "code"], name="customer_code")
        ]

    def __str__(self) -> str:
        return self.name


# Apartments in a list: by residence, then by number as people count (2 before
# 10: the shorter number first, then the text).
APARTMENT_ORDER = ("residence__code", Length("number"), "number")


class Apartment(models.Model):
    residence = models.ForeignKey(
        Residence, on_delete=models.PROTECT, related_name="apartments"
    )
    number = models.CharField(max_length=16)
    staircase = models.CharField(max_length=8, blank=True)
    floor = models.SmallIntegerField(default=0)
    area_m2 = models.DecimalField(max_digits=10, decimal_places=2)
    persons = models.PositiveSmallIntegerField(default=0)
    # Undivided share of the common parts (quota of ownership), as a fraction of 1.
    quota = models.DecimalField(max_digits=9, decimal_places=6, default=0)
    owner_name = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["residence", "number"], name="apartment_no")
        ]

    def __str__(self) -> str:
        return f"{self.residence.code}/{self.number}"


class ApartmentPersons(models.Model):
    """The apartment's persons from a day on: its history, so that a bill run counts
    person-days when the number changes within a period. ``Apartment.persons`` is
    the current figure; saving a new count from the apartment screen adds a row.
    An apartment's first row also stands for the days before it; an apartment
    without rows has had ``Apartment.persons`` all along."""

    apartment = models.ForeignKey(
        Apartment, on_delete=models.CASCADE, related_name="persons_history"
    )
    valid_from = models.DateField()  # the first day with this number of persons
    persons = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["apartment", "valid_from"], name="apartment_persons_once_a_day"
            )
        ]
        verbose_name_plural = "apartment persons"

    def __str__(self) -> str:
        return f"{self.apartment_id}: {self.persons} from {self.valid_from}"


class ApartmentUtility(models.Model):
    """Per-utility parameters of an apartment."""

    class Metering(models.TextChoices):
        METERED = "metered", _("Metered")
        UNMETERED = "unmetered", _("Unmetered (billed by norm)")
        METER_FAULTY = "faulty", _("Meter faulty (estimated)")

    apartment = models.ForeignKey(
        Apartment, on_delete=models.CASCADE, related_name="utilities"
    )
    utility = models.ForeignKey(Utility, on_delete=models.PROTECT)
    metering = models.CharField(
        max_length=10, choices=Metering.choices, default=Metering.METERED
    )
    # Takes a share of the residence's common consumption of this utility.
    in_common = models.BooleanField(default=True)
    distribution_area_m2 = models.DecimalField(
        null=True, blank=True, max_digits=10, decimal_places=2
    )
    # Overrides Apartment.persons for this utility when set.
    persons = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["apartment", "utility"], name="apartment_utility"
            )
        ]


class ServicePoint(models.Model):
    """A directly contracted supply point outside a residence (an NMI in Australia)."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    identifier = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "identifier"], name="service_point_id"
            )
        ]

    def __str__(self) -> str:
        return self.identifier


class Contract(models.Model):
    """Customer + apartment or service point + services with tariffs, over dates."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    number = models.CharField(max_length=32)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT)
    apartment = models.ForeignKey(
        Apartment, null=True, blank=True, on_delete=models.PROTECT
    )
    service_point = models.ForeignKey(
        ServicePoint, null=True, blank=True, on_delete=models.PROTECT
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "number"], name="contract_no"),
            models.CheckConstraint(
                condition=models.Q(apartment__isnull=False)
                | models.Q(service_point__isnull=False),
                name="contract_has_premises",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ContractService(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="services"
    )
    utility = models.ForeignKey(Utility, on_delete=models.PROTECT)
    tariff = models.ForeignKey("tariffs.Tariff", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "utility"], name="contract_service"
            )
        ]


class ContractCharge(models.Model):
    """A fee or an item billed on a contract without a meter: a monthly service
    fee, the rent of a meter, a connection fee, a reminder fee. The bill run adds
    it to the contract's invoice (``engine.contract_charges``)."""

    class Recurrence(models.TextChoices):
        # Per month, prorated by days over the contract's days in the period.
        MONTHLY = "monthly", _("Every month")
        # Billed once, by the first period that ends on or after valid_from.
        ONCE = "once", _("Once")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="charges"
    )
    code = models.CharField(max_length=32, blank=True)  # the seller's item id
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=1)
    # UN/ECE Recommendation 20: C62 one, H87 piece, MTR metre...
    unit_code = models.CharField(max_length=3, default="C62")
    # Per unit (and per month for a monthly charge), in the organisation's currency.
    unit_price_net = models.DecimalField(max_digits=14, decimal_places=4)
    vat_category = models.CharField(max_length=2, default="S")
    # Empty: the organisation's rate for the category (tariffs.VatRate) on the day.
    vat_rate_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    # Categories E, AE and O: why no VAT is charged (EN 16931 BT-120, BT-121).
    vat_exemption_reason = models.CharField(max_length=200, blank=True)
    vat_exemption_code = models.CharField(max_length=30, blank=True)  # VATEX-EU-…
    recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.MONTHLY
    )
    valid_from = models.DateField()  # a one-off item: the day it is due
    valid_to = models.DateField(null=True, blank=True)  # set when the charge ends
    # A one-off item: the invoice that billed it, so that it is billed only once;
    # set when that invoice is issued, cleared when it is cancelled.
    invoice = models.ForeignKey(
        "invoicing.Invoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="contract_charge_dates",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="contract_charge_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number}: {self.description}"
