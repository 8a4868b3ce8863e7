"""T4 adversarial (E, penalties): payments are recorded after the fact (a bank
statement read days later, ``mark_paid(..., paid_on)`` takes the real day). An
unpaid invoice assessed through 10 November is charged through 10 November; when
its payment of 5 November is recorded afterwards, the 5 days after the payment stay
charged: 21.00 instead of the 16.00 the customer owes (docs/penalties.md worked
example, "paid 5 November" → 16.00). Nothing refuses the earlier payment day,
credits the difference or says so in docs/limits.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from invoicing.test_penalties_helpers import make_debtor, make_invoice, make_rule
from meterbill.invoicing.corrections import mark_paid
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.penalties import assess_penalties

D = Decimal
K, S = Invoice.Kind, Invoice.State
pytestmark = pytest.mark.django_db


def _net_penalty(contract_id: int) -> Decimal:
    """The penalty invoices of the contract, less the credit notes against them."""
    penalty = Invoice.objects.filter(
        contract_id=contract_id, penalties_charged__isnull=False
    ).distinct()
    billed = Invoice.objects.filter(pk__in=penalty.values("pk")).exclude(
        state=S.CANCELLED
    ).aggregate(t=Sum("total_gross"))["t"] or D(0)
    credited = Invoice.objects.filter(
        corrects__in=penalty.values("pk"), kind=K.CREDIT_NOTE
    ).exclude(corrects__state=S.CANCELLED).aggregate(t=Sum("total_gross"))["t"] or D(0)
    return billed - credited


def test_a_payment_recorded_late_leaves_only_the_days_late_charged(
    org, branches, alice, out_dir
):
    # given N-2026-000001 (1,000.00 due 15 October) assessed unpaid on 10 November:
    # 26 days late, 21 beyond grace → 21.00
    make_rule(org)
    late = make_invoice(make_debtor(branches["north"]))
    first = assess_penalties(branches["north"], date(2026, 11, 10), alice)
    assert first.charged[0].amount == D("21.00")

    # when its payment of 5 November is recorded on 12 November and the branch is
    # assessed again
    mark_paid(Invoice.objects.get(pk=late.pk), alice, date(2026, 11, 5))
    assess_penalties(branches["north"], date(2026, 11, 20), alice)

    # then the customer owes the penalty of 21 days late, 16 beyond grace: 16.00
    assert _net_penalty(late.contract_id) == D("16.00")
