import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterbill.formats.einvoice.read import read_invoice
from meterbill.formats.einvoice.ubl import write_ubl
from meterbill.formats.errors import FormatError, InvalidFormat

from .builder import utility_invoice


def test_it_rejects_malformed_xml_naming_the_file():
    with pytest.raises(InvalidFormat) as caught:
        read_invoice(b"<Invoice><cbc:ID>1</Invoice>", filename="in/f1.xml")

    assert caught.value.file == "in/f1.xml"
    assert "not well-formed" in str(caught.value)


def test_it_rejects_a_document_that_is_no_invoice():
    with pytest.raises(InvalidFormat) as caught:
        read_invoice(b"<Order xmlns='urn:x'/>", filename="order.xml")

    assert caught.value.field == "Order"


def test_it_rejects_an_invoice_without_its_number():
    xml = write_ubl(utility_invoice()).replace(b"<cbc:ID>APA-2025-000123</cbc:ID>", b"")

    with pytest.raises(InvalidFormat) as caught:
        read_invoice(xml, filename="f.xml")

    assert caught.value.field == "cbc:ID"
    assert "BT-1" in caught.value.message


def test_it_rejects_an_amount_that_is_not_a_number():
    xml = write_ubl(utility_invoice()).replace(b">96.69<", b">96,69<")

    with pytest.raises(InvalidFormat) as caught:
        read_invoice(xml, filename="f.xml")

    assert caught.value.field == "cbc:LineExtensionAmount"
    assert "'96,69'" in caught.value.message


def test_it_rejects_a_bad_date():
    xml = write_ubl(utility_invoice()).replace(b"2025-04-03", b"2025-02-30")

    with pytest.raises(InvalidFormat, match="BT-2"):
        read_invoice(xml, filename="f.xml")


def test_it_does_not_resolve_external_entities():
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<r>&x;</r>"
    )

    with pytest.raises(InvalidFormat):
        read_invoice(xml)


@given(st.binary(max_size=300))
def test_it_raises_only_format_errors_on_random_bytes(data):
    try:
        read_invoice(data)
    except FormatError:
        pass


VALID = write_ubl(utility_invoice())


@given(st.integers(0, len(VALID) - 1), st.integers(1, 40), st.binary(max_size=8))
def test_it_raises_only_format_errors_on_damaged_invoices(start, length, junk):
    data = VALID[:start] + junk + VALID[start + length :]

    try:
        read_invoice(data)
    except FormatError:
        pass
