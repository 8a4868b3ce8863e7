"""Meters, registers, readings and reading imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meterbill.orgs.models import Branch
from meterbill.premises.models import Apartment, Residence, ServicePoint, Utility


class Meter(models.Model):
    class Kind(models.TextChoices):
        MAIN = "main", _("Main meter (building)")
        BRANCH_COUNTER = "branch_counter", _("Branching counter")
        APARTMENT = "apartment", _("Apartment meter")
        HCA = "hca", _("Heat cost allocator")
        SERVICE_POINT = "service_point", _("Service point meter")

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
        CONSUMPTION = "consumption", _("Billed consumption")
        EXPORT = "export", _("Export (generation)")
        REACTIVE = "reactive", _("Reactive energy")
        INFO = "info", _("Information only")

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
        INDEX = "index", _("Index (register value)")
        CONSUMPTION = "consumption", _("Consumed units")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Keyed in")
        DEVICE = "device", _("Mobile device")
        RADIO = "radio", _("Radio")
        FILE = "file", _("Remote reading file")
        PORTAL = "portal", _("Customer portal")
        ESTIMATE = "estimate", _("Estimated")

    class Status(models.TextChoices):
        ACTUAL = "actual", _("Actual")
        ESTIMATED = "estimated", _("Estimated")
        CORRECTED = "corrected", _("Corrected")
        REJECTED = "rejected", _("Rejected")

    # No index of its own: the unique constraint (register, read_on, kind) starts
    # with it and serves every lookup by register (and by register and day).
    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="readings", db_index=False
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
    # Device status words, comma-separated and sorted ("fault,low_battery"): the
    # radio import fills them from the telegram's status byte; engine.rules.FAULT_FLAGS
    # names those that make the reading untrustworthy.
    # A database default too: the bulk insert (metering.bulk) names no flags column.
    flags = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            # One value per register, day and kind: a second import of the same file
            # reports duplicates instead of doubling consumption.
            models.UniqueConstraint(
                fields=["register", "read_on", "kind"], name="reading_once_a_day"
            )
        ]


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


class LateReading(models.Model):
    """An actual reading that arrived after an issued invoice billed an estimate of
    the same register and day.

    The estimate stays the closing index of the billed period (the invoice does not
    change); the next period's consumption runs from the estimate to its own closing
    index, so the difference settles there, and the next bill's trace names this
    reading. Kept apart from ``Reading`` because that holds one value per register,
    day and kind."""

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="late_readings"
    )
    read_on = models.DateField()
    value = models.DecimalField(max_digits=20, decimal_places=6)
    source = models.CharField(max_length=10, choices=Reading.Source.choices)
    # The device's status words, as on Reading.flags: a faulty late actual must
    # still raise allocator_fault in the bill it settles.
    flags = models.CharField(max_length=64, blank=True, default="", db_default="")
    # The billed estimate this reading came too late for.
    estimate = models.ForeignKey(
        Reading, null=True, on_delete=models.SET_NULL, related_name="late_actuals"
    )
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["register", "read_on", "value"], name="late_reading_once"
            )
        ]


class TemperatureDay(models.Model):
    """The mean outdoor temperature of one day at a branch's weather station: the
    series the degree-day estimate regresses heating use on."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE)
    # A branch may hold several stations; blank is the branch's default one.
    station = models.CharField(max_length=32, blank=True, default="")
    day = models.DateField()
    mean_c = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "station", "day"], name="temperature_once_a_day"
            )
        ]


class EstimationSetting(models.Model):
    """Which estimation methods a branch uses for a utility, in order of preference
    (the first that can estimate wins); without a row: average daily use only.

    ``methods`` is comma-separated codes of ``engine.estimation.METHODS``."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE)
    utility = models.ForeignKey(Utility, on_delete=models.CASCADE)
    methods = models.CharField(max_length=128)
    # The TemperatureDay station the degree-day method reads; blank: the default.
    station = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "utility"], name="estimation_setting"
            )
        ]


class IntervalDay(models.Model):
    """One local day of interval quantities of a register (NEM12 300 records, Green
    Button IntervalReadings, MSCONS quarter hours): the hourly load that time-of-use
    and demand charges are rated from. The same import stores the day's sum as a
    consumption ``Reading``, which the bill run's quantities come from.

    ``values`` are the quantities in the register's unit, comma-separated decimal
    text, in time order from local midnight: ``24 * 60 / minutes`` of them, one
    hour's worth fewer on the day the clocks go forward and more on the day they
    go back. Text keeps every digit the file gave and costs one column per day."""

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="interval_days", db_index=False
    )
    day = models.DateField()
    # Interval length in minutes; it divides an hour.
    minutes = models.PositiveSmallIntegerField()
    values = models.TextField()
    # On a day of 23 or 25 hours: the position (0-based) of the first interval
    # after the clock change; from it on, an interval's clock time is its elapsed
    # time plus the hour the day lacks (or minus the hour it has in excess).
    shift_at = models.PositiveSmallIntegerField(null=True, blank=True)
    # The day's quality flag, as on Reading.quality (V: its intervals differ).
    quality = models.CharField(max_length=2, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        constraints = [
            # Also the index of the bill run's lookup by register and day range.
            models.UniqueConstraint(
                fields=["register", "day"], name="interval_day_once"
            )
        ]
