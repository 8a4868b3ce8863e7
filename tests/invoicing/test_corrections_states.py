from datetime import date

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.invoicing.corrections import (
    InvoiceStateError,
    cancel_invoice,
    mark_paid,
    mark_sent,
)
from meterbill.invoicing.models import Invoice

from .test_corrections_helpers import bill_small_building


@pytest.fixture
def billed(small_building):
    return bill_small_building(small_building)


def test_it_sends_then_pays_an_issued_invoice(billed, alice):
    inv = billed["invoices"][0]

    mark_sent(inv, alice)
    paid = mark_paid(inv, alice, date(2026, 12, 10))

    assert paid.state == Invoice.State.PAID
    assert Invoice.objects.get(pk=inv.pk).paid_on == date(2026, 12, 10)
    actions = list(
        AuditEvent.objects.filter(
            object_type="invoicing.invoice", object_id=str(inv.pk)
        ).values_list("action", "user__username")
    )
    assert actions == [("invoice.sent", "alice"), ("invoice.paid", "alice")]


def test_it_refuses_to_pay_a_draft(billed, alice):
    inv = billed["invoices"][0]
    Invoice.objects.filter(pk=inv.pk).update(state=Invoice.State.DRAFT)

    with pytest.raises(InvoiceStateError, match="that is draft"):
        mark_paid(inv, alice, date(2026, 12, 10))

    assert Invoice.objects.get(pk=inv.pk).state == Invoice.State.DRAFT


def test_it_refuses_to_send_an_invoice_twice(billed, alice):
    inv = billed["invoices"][0]
    mark_sent(inv, alice)

    with pytest.raises(InvoiceStateError, match="that is sent"):
        mark_sent(inv, alice)


def test_it_refuses_to_cancel_a_cancelled_invoice(billed, alice):
    inv = billed["invoices"][0]
    cancel_invoice(inv, alice, "wrong customer", date(2026, 12, 5))

    with pytest.raises(InvoiceStateError, match="that is cancelled"):
        cancel_invoice(inv, alice, "again", date(2026, 12, 5))

    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_it_refuses_to_cancel_a_credit_note(billed, alice):
    note = cancel_invoice(billed["invoices"][0], alice, "wrong", date(2026, 12, 5))

    with pytest.raises(InvoiceStateError, match="cannot cancel a credit_note"):
        cancel_invoice(note, alice, "undo", date(2026, 12, 6))


def test_it_refuses_to_pay_a_cancelled_invoice(billed, alice):
    inv = billed["invoices"][0]
    cancel_invoice(inv, alice, "wrong", date(2026, 12, 5))

    with pytest.raises(InvoiceStateError, match="that is cancelled"):
        mark_paid(inv, alice, date(2026, 12, 10))
