"""Builders shared by the penalty tests (no tests here): a contract of the north
branch with a 1,000.00 RON invoice due on 15 October 2026, and the rules of the
worked example of docs/penalties.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from builders import make_contract

D = Decimal
ISSUED_ON = date(2026, 9, 30)  # + 15 payment days: due on 15 October 2026
REASON = "Penalties are damages, outside the scope of VAT"


def make_debtor(branch, number="C1"):
    """A customer and contract of ``branch`` (no services: invoices are made by
    ``make_invoice``) on a service point of its own."""
    from meterbill.premises.models import ServicePoint

    point = ServicePoint.objects.create(branch=branch, identifier=f"SP-{number}")
    return make_contract(
        branch,
        number,
        f"K{number}",
        f"Customer {number}",
        [],
        service_point=point,
        country="RO",
        city="SECTOR1",
        street="Strada 1",
        subdivision="RO-B",
        postal_code="010101",
    )


def make_invoice(contract, quantity="10", price="100.00", key="heat"):
    """An issued invoice of ``quantity`` × ``price`` heat units, zero-rated (so its
    gross is its net), issued 30 September and due 15 October 2026."""
    from meterbill.engine.rating import Line
    from meterbill.invoicing.corrections import issue_document

    net = D(quantity) * D(price)
    line = Line("", "Heat 2026-09", D(quantity), "", "C62", D(price), net, "Z", D(0))
    with transaction.atomic():
        return issue_document(
            contract.branch_id, contract, None, [line], f"test:{key}", ISSUED_ON
        )


def make_rule(org, branch=None, **fields):
    """The worked example's rule (5 grace days, 0.1 %/day, cap 100 %, category O)
    from 1 January 2026, stored through the service like the screens do."""
    from meterbill.invoicing.models import PenaltyRule
    from meterbill.invoicing.penalties import save_penalty_rule

    values = {
        "valid_from": date(2026, 1, 1),
        "grace_days": 5,
        "rate_per_day_percent": D("0.1"),
        "cap_percent": D(100),
        "vat_category": "O",
        "exemption_reason": REASON,
        **fields,
    }
    rule = PenaltyRule(organisation=org, branch=branch, **values)
    return save_penalty_rule(rule, None, audit_branch=branch)
