"""A partial credit note's documents: its e-invoices validate (credit note type 381,
the preceding invoice referenced), and its PDF names the invoice it corrects."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.formats.einvoice.validate import ubl_xsd_dir, validate_cii, validate_ubl
from meterbill.invoicing.corrections import InvoiceStateError, credit_lines
from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.einvoice import invoice_cii, invoice_xml
from meterbill.invoicing.models import Invoice

D = Decimal


@pytest.fixture
def partial_note(small_building):
    """Apartment 2's invoice (own 20 m3 × 5.00 = 100.00) credited 4 m3: 20.00 net,
    VAT 11 % 2.20, gross 22.20 RON."""
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    invoice = Invoice.objects.get(apartment=small_building["apartments"][1])
    own = invoice.lines.get(position=1)
    return credit_lines(
        invoice, None, "meter misread", {own.pk: D(4)}, date(2026, 12, 5)
    )


def test_its_cii_validates(partial_note):
    xml = invoice_cii(partial_note)

    assert validate_cii(xml) == []
    assert b">381<" in xml and b">22.20<" in xml and b"N-2026-000002" in xml


@pytest.mark.corpus
def test_its_ubl_validates(partial_note):
    if not (ubl_xsd_dir() / "maindoc").is_dir():
        pytest.skip(f"UBL 2.1 XSD not found under {ubl_xsd_dir()}")

    xml = invoice_xml(partial_note)

    assert validate_ubl(xml, rules=True) == []
    assert b"<CreditNote" in xml


def test_its_pdf_names_the_corrected_invoice(partial_note, out_dir):
    write_documents(Invoice.objects.filter(pk=partial_note.pk))
    partial_note.refresh_from_db()

    text = subprocess.run(
        ["pdftotext", "-layout", partial_note.pdf_file, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "Corrects invoice N-2026-000002" in text and "meter misread" in text
    assert "Amount credited" in text and "22.20 RON" in text


def test_it_credits_no_more_than_was_billed(partial_note):
    invoice = partial_note.corrects
    own = invoice.lines.get(position=1)

    # 20 − 4 = 16 m3 are left on the line
    with pytest.raises(InvoiceStateError, match="between 0 and 16 m3, got 17"):
        credit_lines(invoice, None, "again", {own.pk: D(17)})
