"""T1 finding 14: an estimated closing index is explained in words on the invoice
page and in the PDF (method and basis), not only in the raw trace dump."""

from datetime import date

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.documents import render_pdf_html
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading

# What the bill run records for W1 without its 30 Nov reading: average daily use,
# 90 (30 Sep) → 100 (31 Oct) over 31 days, × 30 days = 9.677 → 109.677.
METHOD = "average daily use of the past readings, times the days of the period"


def _estimated_invoice(small_building):
    Reading.objects.filter(
        register__meter__serial="W1", read_on=date(2026, 11, 30)
    ).delete()
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    return Invoice.objects.get(apartment=small_building["apartments"][0])


def test_the_invoice_page_says_how_a_reading_was_estimated(
    small_building, alice, client_for
):
    invoice = _estimated_invoice(small_building)
    basis = Reading.objects.get(
        register__meter__serial="W1", read_on=date(2026, 11, 30)
    ).note

    html = client_for(alice).get(f"/invoices/{invoice.pk}/").content.decode()

    assert "W1: the index 109.677 of 2026-11-30 is an estimate" in html
    assert METHOD in html
    assert basis and basis in html


def test_the_pdf_says_how_a_reading_was_estimated(small_building):
    invoice = _estimated_invoice(small_building)

    html = render_pdf_html(invoice)

    assert f"W1, 2026-11-30: estimated – {METHOD}" in html
