"""Utilities, providers, residences (buildings), apartments, service points,
customers and contracts."""

from __future__ import annotations

from django.db import models

from meterbill.orgs.models import Branch, Organisation


class Utility(models.Model):
    """A billed commodity or service with its unit."""

    class Kind(models.TextChoices):
        COLD_WATER = "cold_water", "Cold water"
        HOT_WATER = "hot_water", "Hot water"
        HEAT = "heat", "Heat"
        GAS = "gas", "Gas"
        ELECTRICITY = "electricity", "Electricity"
        SEWERAGE = "sewerage", "Sewerage"
        FEE = "fee", "Flat fee"

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
        PERSON = "person", "Person"
        COMPANY = "company", "Company"

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


class ApartmentUtility(models.Model):
    """Per-utility parameters of an apartment."""

    class Metering(models.TextChoices):
        METERED = "metered", "Metered"
        UNMETERED = "unmetered", "Unmetered (billed by norm)"
        METER_FAULTY = "faulty", "Meter faulty (estimated)"

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
