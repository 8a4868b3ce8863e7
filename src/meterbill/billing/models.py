"""Calculation periods, provider bills, validation findings and bill runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meterbill.orgs.models import Branch
from meterbill.premises.models import Provider, Residence, Utility


class Period(models.Model):
    """A calculation period of a branch: open → … → archived."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        VALIDATED = "validated", _("Validated")
        CALCULATED = "calculated", _("Calculated")
        INVOICED = "invoiced", _("Invoiced")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    name = models.CharField(max_length=32)
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="last day, inclusive")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="period_name"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="period_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProviderBill(models.Model):
    """The provider's invoice for a building: quantity and amount to distribute."""

    residence = models.ForeignKey(Residence, on_delete=models.PROTECT)
    period = models.ForeignKey(Period, on_delete=models.PROTECT)
    utility = models.ForeignKey(Utility, on_delete=models.PROTECT)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT)
    reference = models.CharField(max_length=64, blank=True)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    amount_net = models.DecimalField(max_digits=18, decimal_places=6)
    vat_rate_percent = models.DecimalField(max_digits=5, decimal_places=2)
    currency = models.CharField(max_length=3)
    # The provider's electronic invoice it was read from, kept under
    # var/provider-bills/ (path relative to it); empty when entered by hand.
    source_file = models.CharField(max_length=300, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["residence", "period", "utility"], name="provider_bill_once"
            )
        ]


class Finding(models.Model):
    """A validation rule's verdict on a register, or on a residence's common
    consumption, in a period. Found again by a later run, it keeps its resolution."""

    class Severity(models.TextChoices):
        BLOCK = "block", _("Block")
        REVIEW = "review", _("Needs review")
        WARN = "warn", _("Accept with warning")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        CORRECTED = "corrected", _("Corrected")
        REJECTED = "rejected", _("Rejected")

    period = models.ForeignKey(Period, on_delete=models.CASCADE)
    # "register:<id>" or "residence:<id>:<utility>": what the finding is about.
    subject = models.CharField(max_length=64)
    register = models.ForeignKey(
        "metering.Register", null=True, blank=True, on_delete=models.CASCADE
    )
    residence = models.ForeignKey(
        Residence, null=True, blank=True, on_delete=models.CASCADE
    )
    reading = models.ForeignKey(
        "metering.Reading", null=True, blank=True, on_delete=models.SET_NULL
    )
    rule = models.CharField(max_length=32)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    message = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default="open")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "subject", "rule"], name="finding_once"
            )
        ]


class RuleSetting(models.Model):
    """A branch's severity for a validation rule (defaults: engine.validation)."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE)
    rule = models.CharField(max_length=32)
    severity = models.CharField(max_length=8)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "rule"], name="rule_setting")
        ]


class BillRun(models.Model):
    """One calculation of a period over its residences and direct contracts."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period = models.ForeignKey(Period, on_delete=models.PROTECT)
    status = models.CharField(max_length=8, choices=Status.choices, default="running")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    summary = models.JSONField(default=dict, blank=True)


class BillRunChunk(models.Model):
    """A slice of residences (or the direct contracts) claimed by one worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLAIMED = "claimed", _("Claimed")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    bill_run = models.ForeignKey(
        BillRun, on_delete=models.CASCADE, related_name="chunks"
    )
    seq = models.PositiveIntegerField()
    residence_ids = models.JSONField(default=list)
    # The direct (service point) contracts go in chunks of their own.
    contract_ids = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=Status.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bill_run", "seq"], name="chunk_seq")
        ]


class DistributionRule(models.Model):
    """How a residence's cost or common consumption of one utility is split, from
    ``valid_from`` on. A row without a residence is its branch's default.

    ``rule`` holds the scenario file's rule JSON (``engine.scenario.parse_rule``
    reads it); ``rule_type`` and ``key`` repeat what lists and filters need."""

    class Splits(models.TextChoices):
        # The common consumption (main meter − apartments), as quantities priced by
        # the tariff; the rule must be of type "consumption".
        QUANTITY = "quantity", _("Common consumption (priced by the tariff)")
        # The provider bill's net amount, as cost shares.
        COST = "cost", _("Provider bill amount")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    residence = models.ForeignKey(
        Residence, null=True, blank=True, on_delete=models.PROTECT
    )
    utility = models.ForeignKey(Utility, on_delete=models.PROTECT)
    valid_from = models.DateField()
    splits = models.CharField(max_length=8, choices=Splits.choices)
    rule = models.JSONField()
    rule_type = models.CharField(max_length=20)
    key = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "residence", "utility", "valid_from"],
                name="distribution_rule_once",
            )
        ]
        indexes = [models.Index(fields=["branch", "utility", "valid_from"])]

    def __str__(self) -> str:
        where = self.residence.code if self.residence else "branch default"
        return f"{where} {self.utility.code} from {self.valid_from}"
