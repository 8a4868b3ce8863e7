"""Invoice series, invoices and their lines.

Numbers come from a locked counter row (``InvoiceSeries.next_number``) inside the
transaction that inserts the invoices, plus a unique constraint: never MAX()+1, and a
rolled-back chunk gives its numbers back, so the series stays gapless.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meterbill.billing.models import BillRun, Period
from meterbill.orgs.models import Branch
from meterbill.premises.models import Apartment, Contract, Customer, Utility


class InvoiceSeries(models.Model):
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    prefix = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "prefix", "year"], name="series_once"
            )
        ]
        verbose_name_plural = "invoice series"

    def format(self, number: int) -> str:
        return f"{self.prefix}-{self.year}-{number:06d}"


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")
        ADVANCE = "advance", _("Advance invoice")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        SENT = "sent", _("Sent")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    state = models.CharField(max_length=10, choices=State.choices, default="draft")
    series = models.ForeignKey(InvoiceSeries, on_delete=models.PROTECT)
    number = models.PositiveIntegerField(null=True, blank=True)
    full_number = models.CharField(max_length=40, blank=True)
    # Built from record ids (bill run scope + contract): a repeated chunk finds the
    # invoice it already issued instead of issuing a second one.
    idempotency_key = models.CharField(max_length=100, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT)
    apartment = models.ForeignKey(
        Apartment, null=True, blank=True, on_delete=models.PROTECT
    )
    period = models.ForeignKey(Period, null=True, blank=True, on_delete=models.PROTECT)
    bill_run = models.ForeignKey(
        BillRun, null=True, blank=True, on_delete=models.PROTECT
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why a credit note or corrective invoice was issued (the operator's words).
    reason = models.CharField(max_length=200, blank=True)
    # An advance invoice points at the settlement invoice that deducted it; an advance
    # is deducted once.
    settled_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="settled_advances",
    )
    issue_date = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    total_net = models.DecimalField(default=0, max_digits=18, decimal_places=2)
    total_vat = models.DecimalField(default=0, max_digits=18, decimal_places=2)
    total_gross = models.DecimalField(default=0, max_digits=18, decimal_places=2)
    # Seller, buyer, addresses and tariff versions as they were at issue.
    frozen = models.JSONField(default=dict, blank=True)
    pdf_file = models.CharField(max_length=255, blank=True)
    xml_file = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="invoice_number")
        ]
        indexes = [models.Index(fields=["branch", "period"])]

    def __str__(self) -> str:
        return self.full_number or f"draft {self.pk}"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    utility = models.ForeignKey(
        Utility, null=True, blank=True, on_delete=models.PROTECT
    )
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    unit = models.CharField(max_length=16)
    unit_code = models.CharField(max_length=3)
    unit_price_net = models.DecimalField(max_digits=18, decimal_places=6)
    net_amount = models.DecimalField(max_digits=18, decimal_places=2)
    vat_category = models.CharField(max_length=2)
    vat_rate_percent = models.DecimalField(max_digits=5, decimal_places=2)
    # How the line was computed: readings, estimates, shares, tariff version, formula.
    trace = models.JSONField(default=dict)
    # The days the line prices (EN 16931 BG-26 invoice line period): a part of the
    # period when it is split at a price or VAT change; empty for cost shares.
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        # A document's lines have an order (the PDF's, the e-invoice's): every
        # query gives them in it, whatever order the database happens to return.
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="invoice_line_position"
            )
        ]


class PrintJob(models.Model):
    """One batch PDF of a period's invoices, printed for dispatch: a residence's
    invoices in delivery order, or (residence empty) the direct contracts'."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    period = models.ForeignKey(Period, on_delete=models.PROTECT)
    residence = models.ForeignKey(
        "premises.Residence", null=True, blank=True, on_delete=models.PROTECT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_path = models.CharField(max_length=255)
    invoice_count = models.PositiveIntegerField()
    # Pages of the whole file, the cover page included.
    pages = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["branch", "period"])]


class PenaltyRule(models.Model):
    """How late payment is charged (invoicing.penalties): an organisation's rule, or
    a branch's override of it, from ``valid_from`` until the next row of the same
    level. The engine's ``late_payment_penalty`` prices it."""

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # Empty: the organisation's rule, for every branch without a rule of its own
    # (or of an ancestor).
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.PROTECT)
    valid_from = models.DateField()
    grace_days = models.PositiveSmallIntegerField(default=0)
    rate_per_day_percent = models.DecimalField(max_digits=9, decimal_places=4)
    # Of the overdue amount; bounds all the assessments of one invoice together.
    cap_percent = models.DecimalField(max_digits=7, decimal_places=2)
    # Empty: the engine's default formula (rate × days beyond grace, capped).
    formula = models.TextField(blank=True, default="")
    vat_category = models.CharField(max_length=2, default="O")
    # BT-120/BT-121 of the penalty invoice for categories E and O (BR-E-10, BR-O-10).
    exemption_reason = models.CharField(max_length=200, blank=True, default="")
    exemption_code = models.CharField(max_length=30, blank=True, default="")
    # A penalty below it is not charged yet: its days wait for a later assessment.
    minimum_amount = models.DecimalField(default=0, max_digits=18, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "branch", "valid_from"],
                name="penalty_rule_from",
            )
        ]

    def __str__(self) -> str:
        """Shown on the Penalties page ("the rule …") and by assess-penalties."""
        if self.branch_id and self.branch:
            return f"{self.branch.code} from {self.valid_from}"
        return gettext("%(org)s (whole organisation) from %(day)s") % {
            "org": self.organisation.name,
            "day": self.valid_from,
        }


class PenaltyAssessment(models.Model):
    """The days of one late invoice charged on one penalty invoice. The next
    assessment of the invoice starts the day after ``ends_on``, so no day is charged
    twice; the cap bounds the sum of ``amount`` over the invoice's assessments."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="penalty_assessments"
    )
    penalty_invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="penalties_charged"
    )
    rule = models.ForeignKey(PenaltyRule, on_delete=models.PROTECT)
    starts_on = models.DateField()
    ends_on = models.DateField()
    days = models.PositiveIntegerField()
    overdue_amount = models.DecimalField(max_digits=18, decimal_places=2)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)
    # Days charged, grace, rate, cap and the formula's trace.
    trace = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # True while the penalty invoice stands; NULL once it is cancelled, which
    # releases the days for a new assessment. NULL rather than False because
    # NULLs never clash in a unique constraint (SQLite, PostgreSQL, MariaDB):
    # ``penalty_days_once`` then binds only the assessments in force.
    in_force = models.BooleanField(null=True, default=True)
    # A payment recorded later with an earlier payment day: the days from
    # ``credited_from`` through ``ends_on`` were not late after all, and
    # ``credited_amount`` of ``amount`` went back on the credit note ``credited_by``
    # of the penalty invoice. Set once (the days after a payment never change).
    credited_by = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalties_credited",
    )
    credited_from = models.DateField(null=True, blank=True)
    credited_amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            # A concurrent second assessment of the same days fails here.
            models.UniqueConstraint(
                fields=["invoice", "starts_on", "in_force"], name="penalty_days_once"
            )
        ]
