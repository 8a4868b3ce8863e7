from datetime import date

import pytest
from lxml import etree

from meterbill.formats.einvoice.model import Address, Party
from meterbill.formats.einvoice.ubl import write_ubl
from meterbill.formats.einvoice.validate import validate_ubl

from .builder import BUYER, needs_corpus, utility_invoice

pytestmark = [pytest.mark.corpus, needs_corpus]

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


@pytest.mark.parametrize("profile", ["en16931", "cius-ro", "peppol"])
def test_it_writes_an_invoice_valid_against_the_xsd_and_en16931_rules(profile):
    doc = utility_invoice()

    xml = write_ubl(doc, profile)

    assert validate_ubl(xml, rules=True) == []


def test_it_reports_a_broken_total_with_its_rule_id():
    xml = write_ubl(utility_invoice())
    broken = xml.replace(b">152.11</cbc:PayableAmount>", b">152.12</cbc:PayableAmount>")

    errors = validate_ubl(broken, rules=True)

    assert len(errors) == 1
    assert errors[0].startswith("[BR-CO-16]")


def test_it_reports_an_xsd_violation():
    xml = write_ubl(utility_invoice())
    broken = xml.replace(b"<cbc:IssueDate>2025-04-03", b"<cbc:IssueDate>3 April")

    errors = validate_ubl(broken)

    assert errors and "IssueDate" in errors[0]


def test_it_writes_cius_ro_identifiers_and_bucharest_sectors():
    doc = utility_invoice()

    root = etree.fromstring(write_ubl(doc, "cius-ro"))

    assert root.findtext("cbc:CustomizationID", namespaces=NS) == (
        "urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1"
    )
    buyer = root.find("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress", NS)
    assert buyer.findtext("cbc:CityName", namespaces=NS) == "SECTOR3"
    assert buyer.findtext("cbc:CountrySubentity", namespaces=NS) == "RO-B"


def test_it_refuses_a_bucharest_address_without_a_sector_under_cius_ro():
    buyer = Party(
        name=BUYER.name,
        address=Address(city="Bucuresti", subdivision="RO-B", country_code="RO"),
    )

    with pytest.raises(ValueError, match=r"SECTOR1\.\.SECTOR6"):
        write_ubl(utility_invoice(buyer=buyer), "cius-ro")


def test_it_writes_the_peppol_process_identifier():
    root = etree.fromstring(write_ubl(utility_invoice(), "peppol"))

    assert root.findtext("cbc:ProfileID", namespaces=NS) == (
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    )
    assert root.findtext("cbc:CustomizationID", namespaces=NS).endswith(
        "urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )


def test_it_writes_the_advance_invoice_type_code():
    doc = utility_invoice(type_code="386", issue_date=date(2025, 2, 20))

    xml = write_ubl(doc)

    assert b"<cbc:InvoiceTypeCode>386</cbc:InvoiceTypeCode>" in xml
    assert validate_ubl(xml, rules=True) == []
