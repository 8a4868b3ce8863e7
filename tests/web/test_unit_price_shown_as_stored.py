"""A unit price is shown as it is stored (up to 6 decimals, at least 2) on the
invoice's PDF and on its page, so that quantity × price reads as the line's
amount: an excise of 0.0012 a unit read 0.0012, not 0.001 or 0.0000."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.test_penalties_helpers import make_debtor, make_invoice
from meterbill.invoicing.documents import render_pdf_html

pytestmark = pytest.mark.django_db


def test_the_pdf_and_the_page_show_every_stored_decimal(
    branches, alice, client_for, out_dir
):
    # given an invoice of 1,000 units at 0.0012 (net 1.20)
    invoice = make_invoice(make_debtor(branches["north"]), "1000", "0.0012")
    assert invoice.issue_date == date(2026, 9, 30)

    html = render_pdf_html(invoice)
    page = client_for(alice).get(f"/invoices/{invoice.pk}/").content.decode()

    # then both show 0.0012
    assert "0.0012" in html  # the customer reads English
    assert "0.0012" in page
    assert invoice.lines.get().net_amount == Decimal("1.20")
