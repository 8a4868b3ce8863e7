import io

import weasyprint
from facturx import get_xml_from_pdf

from meterbill.formats.einvoice.cii import facturx_pdf, write_cii
from meterbill.formats.einvoice.validate import validate_cii

from .builder import utility_invoice


def test_it_writes_cii_valid_against_the_xsd_and_the_en16931_schematron():
    xml = write_cii(utility_invoice())

    assert validate_cii(xml) == []


def test_it_reports_a_broken_cii_total_with_its_rule_id():
    xml = write_cii(utility_invoice())
    broken = xml.replace(
        b"<ram:DuePayableAmount>152.11", b"<ram:DuePayableAmount>152.12"
    )

    errors = validate_cii(broken)

    assert [e.split("]")[0] for e in errors] == ["[BR-CO-16"]


def test_it_reports_a_cii_xsd_violation():
    xml = write_cii(utility_invoice())
    broken = xml.replace(b"<ram:InvoiceCurrencyCode>", b"<ram:Currency>").replace(
        b"</ram:InvoiceCurrencyCode>", b"</ram:Currency>"
    )

    errors = validate_cii(broken)

    assert any(e.startswith("XSD") and "Currency" in e for e in errors)


def test_it_embeds_the_cii_in_a_factur_x_pdf():
    pdf = weasyprint.HTML(string="<p>Factura APA-2025-000123</p>").write_pdf()
    xml = write_cii(utility_invoice())

    result = facturx_pdf(pdf, xml)

    assert result.startswith(b"%PDF")
    filename, embedded = get_xml_from_pdf(io.BytesIO(result), check_xsd=False)
    assert filename == "factur-x.xml"
    assert embedded == xml
