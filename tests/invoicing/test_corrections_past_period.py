from datetime import date
from decimal import Decimal

import pytest

from meterbill.invoicing.corrections import correct_past_period, invoice_chain
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading

from .test_corrections_helpers import bill_small_building

D = Decimal


@pytest.fixture
def billed(small_building):
    return bill_small_building(small_building)


def test_it_bills_only_the_net_difference_line_by_line(billed, alice):
    # given apartment 2's closing index corrected from 220 to 225 (own +5 m3; the
    # common share falls from 2 to 0.333 m3, see test_corrections_rebill)
    inv = billed["invoices"][1]
    Reading.objects.filter(
        register__meter__serial="W2", read_on=date(2026, 11, 30)
    ).update(value=D(225))

    done = correct_past_period(inv, alice, "misread", date(2026, 12, 8))

    # then an additional invoice for +5 m3 × 5.00 = 25.00 (VAT 2.75, gross 27.75)
    # and a credit note for the common share: 10.00 − 1.67 = 8.33 over 1.667 m3
    # (VAT 0.9163 → 0.92, gross 9.25); 112.00 + 25.00 − 8.33 = 128.67, the rebill
    more, note = done.additional_invoice, done.credit_note
    assert [(ln.quantity, ln.net_amount) for ln in more.lines.all()] == [
        (D("5"), D("25.00"))
    ]
    assert (more.total_vat, more.total_gross) == (D("2.75"), D("27.75"))
    assert [(ln.quantity, ln.net_amount) for ln in note.lines.all()] == [
        (D("1.667"), D("8.33"))
    ]
    assert (note.kind, note.total_vat, note.total_gross) == (
        Invoice.Kind.CREDIT_NOTE,
        D("0.92"),
        D("9.25"),
    )
    assert inv.total_net + more.total_net - note.total_net == D("128.67")
    assert Invoice.objects.get(pk=inv.pk).state == Invoice.State.ISSUED
    assert invoice_chain(inv) == [inv, note, more]


def test_it_issues_nothing_when_the_data_did_not_change_since(billed, alice):
    inv = billed["invoices"][1]
    Reading.objects.filter(
        register__meter__serial="W2", read_on=date(2026, 11, 30)
    ).update(value=D(215))
    first = correct_past_period(inv, alice, "misread", date(2026, 12, 8))

    again = correct_past_period(inv, alice, "misread", date(2026, 12, 9))

    # the first run credited own −5 m3 (25.00) and billed the common share
    # 2 → 3.667 m3 (18.335 → 18.34, so +8.34); the second finds nothing left
    assert first.additional_invoice.total_net == D("8.34")
    assert first.credit_note.total_net == D("25.00")
    assert (again.credit_note, again.additional_invoice) == (None, None)
