import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from meterbill.audit.trail import verify
from meterbill.formats.einvoice.validate import validate_ubl
from meterbill.invoicing.corrections import cancel_invoice, invoice_chain
from meterbill.invoicing.einvoice import invoice_xml
from meterbill.invoicing.models import Invoice

from .test_corrections_helpers import bill_small_building

D = Decimal
REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))
XSD = CORPUS / "einvoice" / "ubl-2.1-xsd"


@pytest.fixture
def billed(small_building):
    return bill_small_building(small_building)


def test_it_cancels_by_a_full_credit_note_numbered_from_the_series(billed, alice):
    inv = billed["invoices"][1]  # apartment 2: 112.00 + 12.32 = 124.32

    note = cancel_invoice(inv, alice, "billed to the wrong owner", date(2026, 12, 5))

    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert note.full_number == "N-2026-000004"
    assert note.corrects_id == inv.pk
    assert (note.total_net, note.total_vat, note.total_gross) == (
        D("112.00"),
        D("12.32"),
        D("124.32"),
    )
    assert [
        (ln.description, ln.quantity, ln.net_amount) for ln in note.lines.all()
    ] == [(ln.description, ln.quantity, ln.net_amount) for ln in inv.lines.all()]
    assert note.frozen["buyer"] == inv.frozen["buyer"]
    assert note.due_date is None
    assert Invoice.objects.get(pk=inv.pk).state == Invoice.State.CANCELLED
    assert invoice_chain(note) == [inv, note]
    assert list(verify()) == []


@pytest.mark.corpus
@pytest.mark.skipif(not XSD.is_dir(), reason="no UBL 2.1 schemas in the corpus")
def test_its_credit_note_is_a_valid_cius_ro_credit_note(billed, alice):
    note = cancel_invoice(billed["invoices"][1], alice, "wrong", date(2026, 12, 5))

    xml = invoice_xml(Invoice.objects.get(pk=note.pk))

    assert b"<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" in xml
    assert b"N-2026-000002" in xml  # BG-3, the invoice it cancels
    assert validate_ubl(xml, XSD, rules=True) == []
