"""Findings about a contract's charge as a whole, recorded in the review queue once
per period and contract (subject ``contract:<id>``):

- the tariff's (``tariff_missing``, ``tariff_error``, ``tariff_needs_intervals``);
- a contract charge's VAT (``contract_charge_vat``: no rate for its category on
  the day, or category O beside another one, see engine.contract_charges);
- ``vat_exemption_missing``: a line in VAT category E, AE or O with no exemption
  reason from the line nor from the organisation's VAT schedule on the issue date,
  which would give an e-invoice that fails EN 16931 (invoicing.einvoice).

They hold the invoice until the cause is fixed and the period billed again;
accepting one does not release it (there is no amount it could bill as it is)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils import timezone

from meterbill.engine.billing import Charge
from meterbill.engine.contract_charges import FINDING as CONTRACT_CHARGE_VAT
from meterbill.invoicing.einvoice import EXEMPTION_MISSING, hold_without_vat_exemption

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
