"""Paying an invoice that credit notes reduced (docs/invoices.md, "Paying an
invoice"): the amount due is the gross total less the credit notes that stand
against it; the payment of that amount sets them off, so the customer's balance
is 0 afterwards. 1,000.00 RON (10 units × 100.00, zero-rated), issued 30 September
and due 15 October 2026."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.test_penalties_helpers import make_debtor, make_invoice, make_rule
from meterbill.audit.models import AuditEvent
from meterbill.invoicing.corrections import InvoiceStateError, credit_lines, mark_paid
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.penalties import assess_penalties
from meterbill.invoicing.queries import amount_due, balance_of, with_amount_due

D = Decimal
S = Invoice.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def late(branches, out_dir):
    return make_invoice(make_debtor(branches["north"]))


def _credit(inv, alice, units, day=date(2026, 10, 20)):
    [line] = inv.lines.all()
    return credit_lines(inv, alice, "meter misread", {line.pk: D(units)}, day)


def _fresh(inv):
    return Invoice.objects.get(pk=inv.pk)


def _customer_docs(inv):
    return Invoice.objects.filter(customer_id=inv.customer_id)


def test_the_gross_after_a_credit_note_is_refused_naming_the_amount_due(late, alice):
    note = _credit(late, alice, 4)

    with pytest.raises(InvoiceStateError) as refused:
        mark_paid(_fresh(late), alice, date(2026, 11, 5), D("1000.00"))

    # then the message names the amount due and the credit note that reduced it
    message = str(refused.value)
    assert "is not the amount due 600.00 RON" in message
    assert f"credit note {note.full_number} (400.00)" in message
    assert _fresh(late).state == S.ISSUED
    assert _fresh(note).state == S.ISSUED


def test_paying_what_is_left_sets_the_credit_note_off_in_one_audit_each(late, alice):
    note = _credit(late, alice, 4)
    before = balance_of(_customer_docs(late))

    mark_paid(_fresh(late), alice, date(2026, 11, 5), D("600.00"))

    # then invoice and credit note are paid; the customer owes 0 instead of 600.00
    assert before == D("600.00")
    assert (_fresh(late).state, _fresh(note).state) == (S.PAID, S.PAID)
    assert _fresh(note).paid_on == date(2026, 11, 5)
    assert balance_of(_customer_docs(late)) == D(0)
    paid = AuditEvent.objects.get(action="invoice.paid")
    assert paid.after["amount"] == "600.00"
    assert paid.after["set_off"] == [note.full_number]
    set_off = AuditEvent.objects.get(action="invoice.set_off")
    assert set_off.object_id == str(note.pk)
    assert set_off.after == {
        "state": "paid",
        "paid_on": "2026-11-05",
        "against": late.full_number,
        "amount": "400.00",
    }


def test_two_partial_credit_notes_both_count_and_are_both_set_off(late, alice):
    first = _credit(late, alice, 4)
    second = _credit(late, alice, 1, date(2026, 10, 25))

    with pytest.raises(InvoiceStateError, match=r"amount due 500\.00 RON"):
        mark_paid(_fresh(late), alice, date(2026, 11, 5), D("600.00"))
    mark_paid(_fresh(late), alice, date(2026, 11, 5), D("500.00"))

    assert amount_due(late) == D("500.00")
    assert [_fresh(n).state for n in (first, second)] == [S.PAID, S.PAID]
    assert AuditEvent.objects.filter(action="invoice.set_off").count() == 2
    assert balance_of(_customer_docs(late)) == D(0)


def test_a_cancelled_credit_note_does_not_count(late, alice):
    note = _credit(late, alice, 4)
    Invoice.objects.filter(pk=note.pk).update(state=S.CANCELLED)

    mark_paid(_fresh(late), alice, date(2026, 11, 5), D("1000.00"))

    # then the gross was due, and the cancelled credit note is left as it is
    assert _fresh(late).state == S.PAID
    assert _fresh(note).state == S.CANCELLED
    assert not AuditEvent.objects.filter(action="invoice.set_off").exists()


def test_a_payment_without_an_amount_records_the_amount_due(late, alice):
    _credit(late, alice, 4)

    mark_paid(_fresh(late), alice, date(2026, 11, 5))

    assert AuditEvent.objects.get(action="invoice.paid").after["amount"] == "600.00"
    assert balance_of(_customer_docs(late)) == D(0)


def test_a_credit_note_is_not_refunded_while_its_invoice_is_unpaid(late, alice):
    note = _credit(late, alice, 4)

    with pytest.raises(InvoiceStateError, match="set off when"):
        mark_paid(note, alice, date(2026, 11, 5))

    assert _fresh(note).state == S.ISSUED
    assert balance_of(_customer_docs(late)) == D("600.00")


def test_a_credit_note_after_the_payment_is_owed_back_then_refunded(late, alice):
    # given the gross paid on 5 November, then 4 units credited on 10 November
    mark_paid(late, alice, date(2026, 11, 5), D("1000.00"))
    note = _credit(_fresh(late), alice, 4, date(2026, 11, 10))

    owed_back = balance_of(_customer_docs(late))
    mark_paid(note, alice, date(2026, 11, 12), D("400.00"))

    # then the customer is owed 400.00 until the refund is recorded
    assert owed_back == D("-400.00")
    assert balance_of(_customer_docs(late)) == D(0)


def test_a_credit_note_issued_after_the_payment_day_is_set_off_from_its_issue_day(
    late, alice
):
    # the payment of 5 November is recorded after the credit note of 10 November
    note = _credit(late, alice, 4, date(2026, 11, 10))

    mark_paid(_fresh(late), alice, date(2026, 11, 5), D("600.00"))

    assert _fresh(note).paid_on == date(2026, 11, 10)


def test_a_list_is_annotated_with_the_same_amount_due(late, alice, branches):
    other = make_invoice(make_debtor(branches["north"], "C2"), key="other")
    _credit(late, alice, 4)
    _credit(late, alice, 1, date(2026, 10, 25))

    rows = dict(
        with_amount_due(Invoice.objects.filter(pk__in=[late.pk, other.pk])).values_list(
            "pk", "amount_due"
        )
    )

    assert rows == {late.pk: D("500.00"), other.pk: D("1000.00")}
    assert rows[late.pk] == amount_due(late)


def test_the_penalty_runs_to_the_payment_of_what_is_left(late, org, alice, branches):
    make_rule(org)
    _credit(late, alice, 4)
    mark_paid(_fresh(late), alice, date(2026, 11, 5), D("600.00"))

    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    # 16 days × 0.1 % × 600.00; the credit note set off changes nothing
    [due] = run.charged
    assert (due.overdue_amount, due.ends_on, due.amount) == (
        D("600.00"),
        date(2026, 11, 5),
        D("9.60"),
    )


def test_an_invoice_paid_then_cancelled_is_owed_back_until_refunded(late, alice):
    from meterbill.billing.inputs import _previous_balances
    from meterbill.billing.models import Period
    from meterbill.invoicing.corrections import cancel_invoice
    from meterbill.premises.models import Contract

    # given the 1,000.00 paid on 5 November, then cancelled by a credit note
    mark_paid(_fresh(late), alice, date(2026, 11, 5))
    note = cancel_invoice(_fresh(late), alice, "wrong customer", date(2026, 11, 10))
    contract = Contract.objects.get(pk=late.contract_id)
    december = Period.objects.create(
        branch=contract.branch,
        name="2026-12",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )

    # then the customer is owed the 1,000.00 back (the balance and the previous
    # balance the next bill's formulas read agree)
    assert balance_of(_customer_docs(late)) == D("-1000.00")
    assert _previous_balances([contract], december) == {contract.pk: D("-1000.00")}

    # when the credit note is refunded, nothing is owed either way
    mark_paid(_fresh(note), alice, date(2026, 11, 12))
    assert balance_of(_customer_docs(late)) == D(0)
    assert _previous_balances([contract], december) == {contract.pk: D(0)}


def test_an_unpaid_invoice_cancelled_nets_to_nothing(late, alice):
    from meterbill.invoicing.corrections import cancel_invoice

    cancel_invoice(_fresh(late), alice, "wrong customer", date(2026, 11, 10))

    # the cancelled 1,000.00 and its credit note of 1,000.00
    assert balance_of(_customer_docs(late)) == D(0)
