from datetime import date
from decimal import Decimal

import pytest

from meterbill.invoicing.corrections import InvoiceStateError, invoice_chain, rebill
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading

from .test_corrections_helpers import bill_small_building

D = Decimal


def _correct_apartment_2_closing_index(value):
    Reading.objects.filter(
        register__meter__serial="W2", read_on=date(2026, 11, 30)
    ).update(value=D(value), status=Reading.Status.CORRECTED)


@pytest.fixture
def billed(small_building):
    return bill_small_building(small_building)


def test_it_rebills_from_the_current_readings_of_the_period(billed, alice):
    # given apartment 2's closing index corrected from 220 to 225: own 25 m3, and
    # common 66 − (10 + 25 + 30) = 1 m3 split 1/2/3 → 0.167 / 0.333 / 0.500 m3
    inv = billed["invoices"][1]
    _correct_apartment_2_closing_index(225)

    note, new = rebill(inv, alice, "misread closing index", date(2026, 12, 8))

    # then own 25 × 5.00 = 125.00, common 0.333 × 5.00 = 1.665 → 1.67, fixed 2.00:
    # net 128.67, VAT 11 % = 14.1537 → 14.15, gross 142.82
    assert (note.kind, note.total_gross) == (Invoice.Kind.CREDIT_NOTE, D("124.32"))
    lines = {ln.description: ln for ln in new.lines.all()}
    assert lines["Cold water – own meter"].quantity == D("25")
    assert lines["Cold water – common consumption (by persons)"].quantity == D("0.333")
    assert (new.total_net, new.total_vat, new.total_gross) == (
        D("128.67"),
        D("14.15"),
        D("142.82"),
    )
    assert (new.kind, new.corrects_id, new.full_number) == (
        Invoice.Kind.INVOICE,
        inv.pk,
        "N-2026-000005",
    )
    assert invoice_chain(new) == [inv, note, new]


def test_it_refuses_to_rebill_a_cancelled_invoice(billed, alice):
    inv = billed["invoices"][1]
    rebill(inv, alice, "first", date(2026, 12, 8))

    with pytest.raises(InvoiceStateError, match="that is cancelled"):
        rebill(inv, alice, "second", date(2026, 12, 9))

    assert Invoice.objects.filter(corrects=inv).count() == 2
