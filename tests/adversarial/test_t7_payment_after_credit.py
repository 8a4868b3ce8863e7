"""T7 adversarial (penalties): an invoice partly credited is owed less than its
gross total, but the payment of what is left is refused. 1,000.00 RON due on 15
October 2026, 4 of its 10 units credited on 20 October (400.00): the customer owes
600.00 (docs/penalties.md counts 600.00 overdue, worked example "4 of 10 units
credited"). Recording that 600.00 payment on 5 November is refused with "payment
of 600.00 RON is not the amount due 1000.00 RON", and the payment form offers
"Amount due: 1000.00": the invoice can only be marked paid for 400.00 more than
the customer owes, so it stays unpaid and the penalty runs on past the payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.test_penalties_helpers import make_debtor, make_invoice, make_rule
from meterbill.invoicing.corrections import credit_lines, mark_paid
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.penalties import assess_penalties

D = Decimal
pytestmark = pytest.mark.django_db


def test_the_amount_left_after_a_credit_note_is_accepted_as_payment(
    org, branches, alice, out_dir
):
    # given 1,000.00 due 15 October, 400.00 credited on 20 October
    make_rule(org)
    late = make_invoice(make_debtor(branches["north"]))
    [line] = late.lines.all()
    credit_lines(late, alice, "meter misread", {line.pk: D(4)}, date(2026, 10, 20))

    # when the 600.00 the customer owes is paid on 5 November
    paid = mark_paid(
        Invoice.objects.get(pk=late.pk), alice, date(2026, 11, 5), D("600.00")
    )

    # then the invoice is paid, and the penalty is 16 days × 0.1 % × 600.00 = 9.60
    assert paid.state == Invoice.State.PAID
    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)
    [due] = run.charged
    assert (due.ends_on, due.amount) == (date(2026, 11, 5), D("9.60"))


def test_the_payment_form_states_the_amount_left_after_a_credit_note(
    org, branches, alice, out_dir
):
    from meterbill.web.invoice_forms import PaymentForm

    late = make_invoice(make_debtor(branches["north"]))
    [line] = late.lines.all()
    credit_lines(late, alice, "meter misread", {line.pk: D(4)}, date(2026, 10, 20))
    inv = Invoice.objects.get(pk=late.pk)

    form = PaymentForm({"paid_on": "2026-11-05", "amount": "600.00"}, invoice=inv)

    assert "1000.00" not in str(form.fields["amount"].help_text)
    assert form.is_valid(), form.errors
