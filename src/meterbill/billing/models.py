"""Calculation periods, provider bills, validation findings and bill runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from meterbill.orgs.models import Branch
from meterbill.premises.models import Provider, Residence, Utility


class Period(models.Model):
    """A calculation period of a branch: open → … → archived."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        VALIDATED = "validated", "Validated"
        CALCULATED = "calculated", "Calculated"
        INVOICED = "invoiced", "Invoiced"
        CLOSED = "closed", "Closed"
        ARCHIVED = "archived", "Archived"

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
        BLOCK = "block", "Block"
        REVIEW = "review", "Needs review"
        WARN = "warn", "Accept with warning"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        CORRECTED = "corrected", "Corrected"
        REJECTED = "rejected", "Rejected"

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
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

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
        PENDING = "pending", "Pending"
        CLAIMED = "claimed", "Claimed"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

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
