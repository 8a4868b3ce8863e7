from datetime import date
from decimal import Decimal as D

import pytest
from lxml import etree

from meterbill.formats.einvoice.cii import write_cii
from meterbill.formats.einvoice.model import compute_totals, credit_note_for
from meterbill.formats.einvoice.ubl import write_ubl
from meterbill.formats.einvoice.validate import validate_cii, validate_ubl

from .builder import needs_corpus, utility_invoice

CN = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS = {
    "cn": CN,
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def credit_note():
    return credit_note_for(utility_invoice(), "APA-CN-2025-0007", date(2025, 5, 2))


def test_it_writes_a_credit_note_document_referencing_the_invoice():
    root = etree.fromstring(write_ubl(credit_note()))

    assert root.tag == f"{{{CN}}}CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    ref = root.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    assert ref.findtext("cbc:ID", namespaces=NS) == "APA-2025-000123"
    assert ref.findtext("cbc:IssueDate", namespaces=NS) == "2025-04-03"
    assert len(root.findall("cac:CreditNoteLine", NS)) == 3


def test_it_keeps_credit_note_amounts_positive():
    totals = compute_totals(credit_note())

    assert totals.payable == D("152.11")
    assert all(line.quantity > 0 for line in credit_note().lines)


@pytest.mark.corpus
@needs_corpus
def test_it_writes_a_credit_note_valid_in_ubl():
    assert validate_ubl(write_ubl(credit_note(), "cius-ro"), rules=True) == []


def test_it_writes_a_credit_note_valid_in_cii():
    xml = write_cii(credit_note())

    assert validate_cii(xml) == []
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml
    assert b"<ram:IssuerAssignedID>APA-2025-000123</ram:IssuerAssignedID>" in xml
