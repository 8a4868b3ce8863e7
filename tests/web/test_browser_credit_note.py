"""In Chromium: an operator credits part of an invoice, confirms, and downloads the
credit note's PDF. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from .browser import SHOTS, login, needs_chromium

pytestmark = needs_chromium


@pytest.mark.django_db(transaction=True)
def test_an_operator_credits_an_invoice_and_downloads_the_credit_note(
    browser,
    live_server,
    small_building,
    alice,
    out_dir,
):
    from meterbill.billing.billrun import bill_period
    from meterbill.invoicing.models import Invoice

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    invoice = Invoice.objects.get(apartment=small_building["apartments"][1])
    own = invoice.lines.get(position=1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, base, "alice", "pw-alice")
    page.wait_for_url(f"{base}/dashboard/")

    page.goto(f"{base}/invoices/{invoice.pk}/")
    page.click("#act-credit")
    page.check("input[name=mode][value=lines]")
    page.fill(f"input[name=line_{own.pk}]", "4")
    page.fill("input[name=reason]", "meter misread")
    page.screenshot(path=SHOTS / "credit-form-1280.png", full_page=True)
    page.click("#review")
    page.locator("#confirm-summary").wait_for()
    page.screenshot(path=SHOTS / "credit-confirm-1280.png", full_page=True)
    page.click("#confirm")
    page.get_by_text("Issued:").wait_for()
    page.screenshot(path=SHOTS / "credit-note-1280.png", full_page=True)

    # then the credit note's page offers its PDF: 4 m3 × 5.00 = 20.00 + 11 % VAT
    # = 22.20 RON, and it names the invoice it corrects
    with page.expect_download() as download:
        page.click("#download-pdf")
    pdf = Path(download.value.path())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Credit note" in text and "22.20 RON" in text
    assert f"Corrects invoice {invoice.full_number}" in text

    page.goto(f"{base}/invoices/{invoice.pk}/")
    page.locator("#chain").wait_for()
    page.screenshot(path=SHOTS / "invoice-chain-1280.png", full_page=True)
    page.set_viewport_size({"width": 768, "height": 1024})
    page.screenshot(path=SHOTS / "invoice-chain-768.png", full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/invoices/")
    page.click(f"a[href='/periods/{small_building['period'].pk}/advances/']")
    page.locator("#action-form").wait_for()
    page.screenshot(path=SHOTS / "advances-form-1280.png", full_page=True)
