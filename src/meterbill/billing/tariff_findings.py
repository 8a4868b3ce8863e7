"""Findings about a contract's charge as a whole, recorded in the review queue once
per period and contract (subject ``contract:<id>``):

- the tariff's (``tariff_missing``, ``tariff_error``, ``tariff_needs_intervals``);
- a contract charge's VAT (``contract_charge_vat``: no rate for its category on
  the day, or category O beside another one, see engine.contract_charges);
- ``vat_exemption_missing``: a line in VAT category E, AE or O with no exemption
  reason from the line nor from the organisation's VAT schedule on the issue date,
  which would give an e-invoice that fails EN 16931 (invoicing.einvoice);
- ``tariff_error`` also when a line or the invoice totals cannot be stored (more
  digits than the invoice columns hold): ``hold_unstorable``. Rated lines are
  checked when priced (engine.pricing, naming the component); this catches the
  other lines and the sums.

They hold the invoice until the cause is fixed and the period billed again;
accepting one does not release it (there is no amount it could bill as it is)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone

from meterbill.engine.billing import Charge
from meterbill.engine.components import invoice_totals
from meterbill.engine.contract_charges import FINDING as CONTRACT_CHARGE_VAT
from meterbill.engine.pricing import arithmetic_text, stored_fault
from meterbill.engine.validation import BLOCK
from meterbill.engine.validation import Finding as EngineFinding
from meterbill.invoicing.einvoice import EXEMPTION_MISSING, hold_without_vat_exemption
from meterbill.invoicing.models import Invoice, InvoiceLine

from .models import Finding, Period

RULES = (
    "tariff_missing",
    "tariff_error",
    "tariff_needs_intervals",
    CONTRACT_CHARGE_VAT,
    EXEMPTION_MISSING,
)


def save_contract_findings(
    period: Period, charges: Sequence[Charge], issue_date: date | None = None
) -> int:
    """Hold the charges whose e-invoice would lack a VAT exemption reason on
    ``issue_date`` (today when not given, as the bill run's default), then record
    the charges' contract findings that are not recorded yet; returns how many
    the charges carry."""
    organisation_id = period.branch.organisation_id
    on = issue_date or timezone.localdate()
    hold_without_vat_exemption([c for c in charges if c.lines], organisation_id, on)
    hold_unstorable(charges, period.branch.organisation.currency)
    rows: dict[tuple[str, str], Finding] = {}
    for c in charges:
        for f in c.findings:
            if f.rule not in RULES:
                continue
            subject = f"contract:{c.contract_id}"
            if (subject, f.rule) in rows:
                continue  # one per contract and rule; the first names the cause
            rows[(subject, f.rule)] = Finding(
                period=period,
                subject=subject,
                rule=f.rule,
                severity=f.severity,
                message=f.message[:300],
            )
    if not rows:
        return 0
    known = set(
        Finding.objects.filter(
            period=period, subject__in={s for s, _r in rows}
        ).values_list("subject", "rule")
    )
    Finding.objects.bulk_create(
        [f for key, f in rows.items() if key not in known], batch_size=2000
    )
    return len(rows)


# A line's numbers in words, with their InvoiceLine columns.
LINE_NUMBERS = (
    ("quantity", "quantity"),
    ("unit price", "unit_price_net"),
    ("amount", "net_amount"),
)


# Lines whose net amounts add up, in size, below this have totals that fit the
# invoice's columns (18 digits, 2 decimals, 15 significant): a VAT rate is below
# 1000 % (its column), so the gross stays below 11 × 10^11, 15 digits with cents.
TOTALS_SURELY_FIT = Decimal(10) ** 11


def hold_unstorable(charges: Sequence[Charge], currency: str) -> int:
    """Hold each charge with a line or an invoice total that its column cannot
    store and read back as it is (``tariff_error``: the number and the limit),
    instead of an invoice that fails to insert (PostgreSQL) or to be read back
    (SQLite). Returns how many were held."""
    held = 0
    for charge in charges:
        if not charge.lines:
            continue
        why = _unstorable(charge, currency)
        if not why:
            continue
        held += 1
        charge.findings.append(
            EngineFinding(
                "tariff_error", BLOCK, f"contract {charge.contract_id}: {why}"
            )
        )
    return held


def _unstorable(charge: Charge, currency: str) -> str:
    """Why the charge's invoice cannot be stored ("" when it can): the first line
    number, then the first total, that does not fit its column."""
    columns = [(what, name, _column(InvoiceLine, name)) for what, name in LINE_NUMBERS]
    for line in charge.lines:
        for what, name, column in columns:
            why = stored_fault(
                what,
                getattr(line, name),
                column,
                "an invoice line",
            )
            if why:
                return f"{line.utility_code} line {line.description!r}: {why}"
    if sum(abs(line.net_amount) for line in charge.lines) < TOTALS_SURELY_FIT:
        return ""  # the usual invoice: no need to work the totals out here
    try:
        t = invoice_totals(charge.lines, currency)
    except ArithmeticError as exc:
        return f"the invoice totals: {arithmetic_text(exc)}"
    for what, value, name in (
        ("net total", t.tax_exclusive, "total_net"),
        ("VAT total", t.vat_total, "total_vat"),
        ("gross total", t.tax_inclusive, "total_gross"),
    ):
        column = _column(Invoice, name)
        why = stored_fault(what, value, column, "an invoice")
        if why:
            return why
    return ""


def _column(model: type[models.Model], name: str) -> models.DecimalField:
    field = model._meta.get_field(name)
    assert isinstance(field, models.DecimalField)
    return field
