"""The UBL 2.1 invoice of a bill-run invoice is valid: OASIS XSD and the CEN
EN 16931 schematron; the CII one passes the Factur-X EN 16931 XSD and schematron."""

from datetime import date

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.formats.einvoice.validate import ubl_xsd_dir, validate_cii, validate_ubl
from meterbill.invoicing.einvoice import invoice_cii, invoice_xml
from meterbill.invoicing.models import Invoice


@pytest.fixture
def issued_invoice(small_building):
    """Apartment 2's invoice of the small building: N-2026-000002, net 112.00,
    VAT 12.32, gross 124.32 RON (worked out in tests/billing)."""
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    return Invoice.objects.get(apartment=small_building["apartments"][1])


@pytest.mark.corpus
def test_the_ubl_invoice_validates_against_the_xsd_and_en16931_rules(issued_invoice):
    if not (ubl_xsd_dir() / "maindoc").is_dir():
        pytest.skip(f"UBL 2.1 XSD not found under {ubl_xsd_dir()}")

    xml = invoice_xml(issued_invoice)

    assert validate_ubl(xml, rules=True) == []
    assert b"N-2026-000002" in xml
    assert b">124.32<" in xml


def test_the_cii_invoice_validates_against_the_xsd_and_en16931_rules(issued_invoice):
    xml = invoice_cii(issued_invoice)

    assert validate_cii(xml) == []
    assert b">124.32<" in xml
