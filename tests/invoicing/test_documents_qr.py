"""The EPC payment QR code (EPC069-12 v002) on euro invoices: the payload, and the
code read back from the rendered PDF page."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.formats import epc_qr
from meterbill.invoicing.corrections import cancel_invoice
from meterbill.invoicing.documents import epc_payload, render_pdf, render_pdf_html
from meterbill.invoicing.models import Invoice

D = Decimal
IBAN = "RO49AAAA1B31007593840000"


@pytest.fixture
def euro_invoice(small_building, org):
    """Apartment 2's November invoice, the organisation invoicing in euro: the same
    figures as in RON (tests/billing), 112.00 net + 12.32 VAT = 124.32 EUR."""
    org.currency, org.bic = "EUR", "AAAAROBU"
    org.save()
    for version in small_building["tariff"].versions.all():
        version.currency = "EUR"
        version.save()
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    return Invoice.objects.get(apartment=small_building["apartments"][1])


def test_it_builds_the_epc_payload_of_a_euro_invoice(euro_invoice):
    # BCD, version 002, UTF-8 (1), SCT, BIC, name, IBAN, amount, no purpose, no RF
    # reference, the invoice number as remittance text.
    assert euro_invoice.currency == "EUR"
    assert epc_payload(euro_invoice) == (
        "BCD\n002\n1\nSCT\nAAAAROBU\nTermo Test SRL\n"
        f"{IBAN}\nEUR124.32\n\n\nN-2026-000002"
    )


def test_it_draws_no_epc_code_for_a_ron_invoice(small_building):
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    invoice = Invoice.objects.get(apartment=small_building["apartments"][1])

    # SEPA credit transfers are in euro only
    assert invoice.currency == "RON"
    assert epc_payload(invoice) == ""
    assert "<svg" not in render_pdf_html(invoice, history=[])


def test_it_draws_no_epc_code_on_a_credit_note(euro_invoice):
    note = cancel_invoice(euro_invoice, None, "moved out", date(2026, 12, 5))

    assert epc_payload(note) == ""


def test_it_refuses_an_invalid_iban():
    with pytest.raises(epc_qr.EpcError, match="IBAN"):
        epc_qr.payload("Termo", "RO49AAAA1B31007593840001", D("1.00"), "N-1")
    with pytest.raises(epc_qr.EpcError, match="amount"):
        epc_qr.payload("Termo", IBAN, D("0.001"), "N-1")


def test_it_uses_error_level_m_and_a_small_version():
    code = epc_qr.qr_code(epc_qr.payload("Termo", IBAN, D("124.32"), "N-1"))

    assert (code.error, code.mode) == ("M", "byte")
    assert code.version <= 13


def test_it_prints_a_code_that_a_scanner_reads_back(euro_invoice, tmp_path):
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(render_pdf(euro_invoice))

    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), "page"],
        cwd=tmp_path,
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(png)], capture_output=True, check=True
    ).stdout.decode("utf-8")

    assert decoded.rstrip("\n") == epc_payload(euro_invoice)
