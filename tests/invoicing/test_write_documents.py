"""write_documents writes each invoice's PDF and XML once."""

import subprocess
from datetime import date

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.models import Invoice


@pytest.fixture
def issued_invoice(small_building):
    """Apartment 2's invoice of the small building: N-2026-000002, net 112.00,
    VAT 12.32, gross 124.32 RON (worked out in tests/billing)."""
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    return Invoice.objects.get(apartment=small_building["apartments"][1])


def test_it_writes_a_pdf_that_shows_the_number_and_the_total(issued_invoice, out_dir):
    written = write_documents(Invoice.objects.filter(pk=issued_invoice.pk))

    # then one PDF and one XML under <out>/<branch>/<period>/<number>.*
    assert written == 1
    issued_invoice.refresh_from_db()
    pdf = out_dir / "N" / "2026-11" / "N-2026-000002.pdf"
    assert issued_invoice.pdf_file == str(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert (out_dir / "N" / "2026-11" / "N-2026-000002.xml").is_file()
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "N-2026-000002" in text
    assert "124.32 RON" in text


def test_it_writes_nothing_twice(issued_invoice, out_dir):
    invoices = Invoice.objects.filter(pk=issued_invoice.pk)
    write_documents(invoices)
    pdf = out_dir / "N" / "2026-11" / "N-2026-000002.pdf"
    first_write = pdf.stat().st_mtime_ns

    again = write_documents(invoices)

    assert again == 0
    assert pdf.stat().st_mtime_ns == first_write


def test_a_romanian_customers_pdf_names_the_units_in_romanian(small_building, tmp_path):
    # given apartment 2's customer reads Romanian (frozen into the invoice at issue):
    # the fixed charge's unit "month" is the catalogue's "lună"; symbols like m3
    # have no entry and stay as they are
    from meterbill.invoicing.documents import render_pdf
    from meterbill.premises.models import Contract

    contract = Contract.objects.get(apartment=small_building["apartments"][1])
    contract.customer.language = "ro"
    contract.customer.save(update_fields=["language"])
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    invoice = Invoice.objects.get(apartment=small_building["apartments"][1])
    pdf = tmp_path / "ro.pdf"
    pdf.write_bytes(render_pdf(invoice))

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "lună" in text
    assert " month " not in text
    assert "m3" in text
