"""Meters, registers, readings and reading imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from meterbill.orgs.models import Branch
from meterbill.premises.models import Apartment, Residence, ServicePoint, Utility


class Meter(models.Model):
    class Kind(models.TextChoices):
        MAIN = "main", "Main meter (building)"
        BRANCH_COUNTER = "branch_counter", "Branching counter"
        APARTMENT = "apartment", "Apartment meter"
        HCA = "hca", "Heat cost allocator"
        SERVICE_POINT = "service_point", "Service point meter"

    # Denormalised from the premises so that isolation is one filter on every query.
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    utility = models.ForeignKey(Utility, on_delete=models.PROTECT)
    serial = models.CharField(max_length=64)
    radio_id = models.CharField(max_length=16, blank=True, db_index=True)
    # AES-128 key of an encrypted radio meter, hex.
    aes_key = models.CharField(max_length=32, blank=True)
    multiplier = models.DecimalField(max_digits=12, decimal_places=6, default=1)
    installed_on = models.DateField(null=True, blank=True)
    removed_on = models.DateField(null=True, blank=True)
    residence = models.ForeignKey(
        Residence,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meters",
    )
    apartment = models.ForeignKey(
        Apartment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meters",
    )
    service_point = models.ForeignKey(
        ServicePoint, null=True, blank=True, on_delete=models.PROTECT
    )
    # A branching counter (or an apartment meter) under a main meter.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # EN 834 factors of a heat cost allocator: radiator rating and coupling.
    kq = models.DecimalField(max_digits=10, decimal_places=4, default=1)
    kc = models.DecimalField(max_digits=10, decimal_places=4, default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "serial"], name="meter_serial")
        ]

    def __str__(self) -> str:
        return self.serial


class Register(models.Model):
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="registers")
    code = models.CharField(max_length=16, blank=True, default="")
    unit = models.CharField(max_length=16)

    class Role(models.TextChoices):
        CONSUMPTION = "consumption", "Billed consumption"
        EXPORT = "export", "Export (generation)"
        REACTIVE = "reactive", "Reactive energy"
        INFO = "info", "Information only"

    # Number of integer digits: the index rolls over at 10**digits.
    digits = models.PositiveSmallIntegerField(default=8)
    # Only consumption registers are priced; the others are kept and shown.
    role = models.CharField(max_length=12, choices=Role.choices, default="consumption")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meter", "code"], name="register_code")
        ]


class ImportBatch(models.Model):
    """One imported file. Its rejected rows are quarantined, never dropped."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=16)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)

    class Meta:
        # Re-importing a file is found by its hash within the branch.
        indexes = [models.Index(fields=["branch", "sha256"])]


class RejectedRow(models.Model):
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rejected"
    )
    # The member of a zip archive the row came from, when it is not the batch's file.
    file = models.CharField(max_length=255, blank=True, default="")
    line = models.PositiveIntegerField(null=True)
    field = models.CharField(max_length=64, blank=True)
    message = models.TextField()


class Reading(models.Model):
    class Kind(models.TextChoices):
        INDEX = "index", "Index (register value)"
        CONSUMPTION = "consumption", "Consumed units"

    class Source(models.TextChoices):
        MANUAL = "manual", "Keyed in"
        DEVICE = "device", "Mobile device"
        RADIO = "radio", "Radio"
        FILE = "file", "Remote reading file"
        PORTAL = "portal", "Customer portal"
        ESTIMATE = "estimate", "Estimated"

    class Status(models.TextChoices):
        ACTUAL = "actual", "Actual"
        ESTIMATED = "estimated", "Estimated"
        CORRECTED = "corrected", "Corrected"
        REJECTED = "rejected", "Rejected"

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="readings"
    )
    read_on = models.DateField()
    # For consumption rows: the first day covered (read_on is the last).
    period_start = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INDEX)
    value = models.DecimalField(max_digits=20, decimal_places=6)
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTUAL
    )
    # Estimation method ("average_daily", …) when status is estimated.
    method = models.CharField(max_length=32, blank=True)
    quality = models.CharField(max_length=2, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)
    # Who read it on site (mobile device imports) and the photo the device took.
    reader = models.CharField(max_length=64, blank=True)
    photo_ref = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            # One value per register, day and kind: a second import of the same file
            # reports duplicates instead of doubling consumption.
            models.UniqueConstraint(
                fields=["register", "read_on", "kind"], name="reading_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["register", "read_on"])]


class ColumnMap(models.Model):
    """A branch's own column headers for the readings CSV/XLSX layout.

    ``mapping`` is {our column: their header}, e.g. {"meter": "Zaehlernummer"};
    ``date_format`` is one of ``csv_readings.DATE_FORMATS`` or blank (ISO dates).
    """

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE)
    name = models.CharField(max_length=64)
    # "csv", "xlsx", or blank for both.
    format = models.CharField(max_length=8, blank=True, default="")
    mapping = models.JSONField(default=dict)
    date_format = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="column_map_name")
        ]

    def __str__(self) -> str:
        return self.name
