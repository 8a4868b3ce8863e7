"""The penalty invoice is a real e-invoice: UBL 2.1 (OASIS XSD, CEN EN 16931
schematron, CIUS-RO for a Romanian seller) and CII both validate, with category O,
its exemption reason and no VAT identifiers (BR-O-02, BR-O-10, BR-O-11)."""

from datetime import date
from decimal import Decimal

import pypdf
import pytest

from meterbill.formats.einvoice.validate import ubl_xsd_dir, validate_cii, validate_ubl
from meterbill.invoicing.corrections import mark_paid
from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.einvoice import invoice_cii, invoice_xml
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.penalties import assess_penalties

from .test_penalties_helpers import REASON, make_debtor, make_invoice, make_rule

D = Decimal


@pytest.fixture
def penalty_invoice(org, branches, alice, out_dir):
    """16.00 RON of penalty for N-2026-000001 paid on 5 November 2026, together
    with 0.10 × 16 = 1.60 for a second late invoice of 100.00 of the contract."""
    contract = make_debtor(branches["north"])
    first = make_invoice(contract)
    second = make_invoice(contract, quantity="1", key="second")
    make_rule(org)
    mark_paid(first, alice, date(2026, 11, 5))
    mark_paid(second, alice, date(2026, 11, 5))
    [inv] = assess_penalties(
        branches["north"], date(2026, 11, 10), alice, date(2026, 11, 10)
    ).invoices
    return inv


def test_its_documents_are_written_like_any_invoices(penalty_invoice):
    written = write_documents(Invoice.objects.filter(pk=penalty_invoice.pk))

    penalty_invoice.refresh_from_db()
    assert written == 1
    assert penalty_invoice.pdf_file.endswith(".pdf")
    assert penalty_invoice.xml_file.endswith(".xml")


def test_one_penalty_invoice_per_contract_names_each_late_invoice(penalty_invoice):
    lines = list(penalty_invoice.lines.order_by("position"))

    assert [(ln.description[:50], ln.net_amount) for ln in lines] == [
        ("Late-payment penalty, invoice N-2026-000001, 21 da", D("16.00")),
        ("Late-payment penalty, invoice N-2026-000002, 21 da", D("1.60")),
    ]
    assert (penalty_invoice.total_net, penalty_invoice.total_vat) == (
        D("17.60"),
        D("0.00"),
    )
    assert penalty_invoice.due_date == date(2026, 11, 25)


@pytest.mark.corpus
def test_the_penalty_invoice_ubl_validates(penalty_invoice):
    if not (ubl_xsd_dir() / "maindoc").is_dir():
        pytest.skip(f"UBL 2.1 XSD not found under {ubl_xsd_dir()}")

    xml = invoice_xml(penalty_invoice)

    assert validate_ubl(xml, rules=True) == []
    assert REASON.encode() in xml
    assert b">17.60<" in xml
    assert b"RO18547290" not in xml  # BR-O-02: no seller VAT identifier


def test_the_penalty_invoice_cii_validates(penalty_invoice):
    xml = invoice_cii(penalty_invoice)

    assert validate_cii(xml) == []
    assert b">17.60<" in xml


@pytest.mark.corpus
def test_an_exempt_penalty_invoice_keeps_the_vat_ids_and_validates(
    org, branches, alice
):
    # given a rule in category E with a VATEX code instead of O
    if not (ubl_xsd_dir() / "maindoc").is_dir():
        pytest.skip(f"UBL 2.1 XSD not found under {ubl_xsd_dir()}")
    first = make_invoice(make_debtor(branches["north"]))
    make_rule(org, vat_category="E", exemption_reason="", exemption_code="VATEX-EU-132")
    mark_paid(first, alice, date(2026, 11, 5))

    [inv] = assess_penalties(branches["north"], date(2026, 11, 10), alice).invoices

    xml = invoice_xml(inv)
    assert validate_ubl(xml, rules=True) == []
    assert validate_cii(invoice_cii(inv)) == []
    assert b"VATEX-EU-132" in xml
    assert b"RO18547290" in xml  # BR-E-02: the seller's VAT identifier


def test_the_pdf_says_why_there_is_no_vat_and_prints_no_empty_rows(penalty_invoice):
    write_documents(Invoice.objects.filter(pk=penalty_invoice.pk))

    pdf = pypdf.PdfReader(Invoice.objects.get(pk=penalty_invoice.pk).pdf_file)
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())

    # category O has no rate (BR-O-05) and states its reason (BT-120); the VAT
    # identifiers left out by BR-O-02 and the missing period leave no empty row
    assert f"VAT exemption reason (O): {REASON}" in text
    assert "VAT (O) on 17.60" in text
    assert "0%" not in text
    assert "no VAT" in text
    assert "VAT ID" not in text
    assert "Period" not in text
    assert "Reg. no.: J40/1/2020" in text
