"""The operator's day and the customer's download, in Chromium (Playwright), against
pytest-django's live server. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from .browser import SHOTS, login, needs_chromium
from .conftest import make_user
from .job_worker import background_worker

pytestmark = needs_chromium


@pytest.fixture
def job_worker(live_server):
    """Starts the job worker when called (tests/web/job_worker.py)."""
    with background_worker() as start:
        yield start


@pytest.mark.django_db(transaction=True)
def test_it_runs_an_operators_day_in_the_browser(
    browser, live_server, job_worker, small_building, alice, out_dir
):
    from meterbill.billing.models import Finding
    from meterbill.metering.models import Reading

    Reading.objects.filter(
        register__meter__serial="W1", read_on=date(2026, 11, 30)
    ).delete()
    w3 = Reading.objects.get(register__meter__serial="W3", read_on=date(2026, 11, 30))
    finding = Finding.objects.create(
        period=small_building["period"],
        subject=f"register:{w3.register_id}",
        register_id=w3.register_id,
        reading=w3,
        rule="register_decrease",
        severity="block",
        message="closing index 330 looks misread",
    )
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    login(page, base, "alice", "pw-alice")
    page.wait_for_url(f"{base}/dashboard/")
    page.screenshot(path=SHOTS / "dashboard-1280.png", full_page=True)

    residence, period = small_building["residence"], small_building["period"]
    page.goto(f"{base}/readings/{residence.pk}/{period.pk}/")
    first = page.locator("input.index").first
    first.fill("112")
    first.press("Enter")
    page.locator("tr.saved").first.wait_for()
    second = page.locator("input.index").nth(1)
    second.fill("150")
    second.press("Enter")
    page.get_by_text("register decrease").wait_for()
    page.screenshot(path=SHOTS / "readings-1280.png", full_page=True)
    assert (
        Reading.objects.get(
            register__meter__serial="W1", read_on=date(2026, 11, 30)
        ).entered_by_id
        == alice.pk
    )

    page.goto(f"{base}/review/")
    card = page.locator(f"#finding-{finding.pk}")
    card.locator("input[name=value]").fill("331")
    card.locator("form:has(input[name=value]) input[name=reason]").fill("photo")
    card.get_by_role("button", name="Correct").click()
    page.get_by_text(f"Finding {finding.pk} resolved.").wait_for()
    finding.refresh_from_db()
    assert finding.status == "corrected"

    page.goto(f"{base}/periods/{period.pk}/billrun/")
    job_worker()  # the bill run runs in the background, as beside `make serve`
    page.click("#launch")
    page.get_by_text("documents written").wait_for(timeout=60_000)
    page.screenshot(path=SHOTS / "billrun-1280.png", full_page=True)

    page.goto(f"{base}/invoices/")
    page.locator("table a[href^='/invoices/']").first.click()
    with page.expect_download() as download:
        page.click("#download-pdf")
    path = download.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
    page.screenshot(path=SHOTS / "invoice-1280.png", full_page=True)

    page.set_viewport_size({"width": 768, "height": 1024})
    page.screenshot(path=SHOTS / "invoice-768.png", full_page=True)
    page.goto(f"{base}/readings/{residence.pk}/{period.pk}/")
    page.screenshot(path=SHOTS / "readings-768.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_it_lets_a_customer_download_its_invoice(
    browser, live_server, small_building, branches, out_dir
):
    from meterbill.billing.billrun import bill_period
    from meterbill.premises.models import Customer

    bill_period(small_building["period"])
    make_user("carol", branches["north"], "customer")
    Customer.objects.filter(code="K2").update(portal_user_id=None)
    from meterbill.orgs.models import User

    Customer.objects.filter(code="K2").update(
        portal_user=User.objects.get(username="carol")
    )
    base = live_server.url
    page = browser.new_page(viewport={"width": 768, "height": 1024})

    login(page, base, "carol", "pw-carol")
    page.wait_for_url(f"{base}/portal/")
    page.screenshot(path=SHOTS / "portal-768.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").first.click()

    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
