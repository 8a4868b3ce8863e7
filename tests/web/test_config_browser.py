"""A branch manager configures a tariff in Chromium (Playwright) against
pytest-django's live server: a new version with a unit price and a formula, a
formula error shown at save and fixed, then a preview on an apartment. (Billing
operators read tariffs only; the branch manager is the role that edits them.)
Screenshots go to out/screenshots/, at 1280 and 768 px."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from .conftest import make_user

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
]


@pytest.fixture
def page(live_server):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes around it are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser.new_page(viewport={"width": 1280, "height": 900})
        browser.close()


def _shoot(page, name):
    page.screenshot(path=SHOTS / f"{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 768, "height": 1024})
    page.screenshot(path=SHOTS / f"{name}-768.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_it_configures_a_tariff_version_and_previews_it(
    page, live_server, small_building, branches
):
    from meterbill.tariffs.models import TariffVersion

    make_user("nora", branches["north"], "branch_manager")
    base = live_server.url
    tariff = small_building["tariff"]

    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "nora")
    page.fill("input[name=password]", "pw-nora")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")

    page.click("header nav >> text=Configuration")
    page.click("text=Tariffs")
    page.click(f"a[href='/config/tariffs/{tariff.pk}/']")
    page.click("#new-version")
    page.fill("#id_valid_from", "2027-01-01")
    page.select_option("#id_copy_from", "")
    page.click("#save")
    version = TariffVersion.objects.get(tariff=tariff, valid_from=date(2027, 1, 1))
    page.wait_for_url(f"{base}/config/versions/{version.pk}/")

    page.select_option("#kind", "unit_price")
    page.click("#add-component")
    page.fill("#id_code", "water")
    page.fill("#id_description", "Cold water")
    page.fill("#id_unit_price", "5.00")
    page.click("#save")
    page.wait_for_url(f"{base}/config/versions/{version.pk}/")

    page.select_option("#kind", "formula")
    page.click("#add-component")
    page.fill("#id_code", "stairs")
    page.fill("#id_description", "Stairs cleaning")
    page.fill("#id_formula", "round(area * 0.035, 2) + pesrons * 1.5")
    page.click("#save")
    error = page.locator("#id_formula_error")
    error.wait_for()
    assert "unknown name 'pesrons'" in error.inner_text()
    assert "line 1, column 26" in error.inner_text()
    _shoot(page, "config-formula-error")
    page.fill("#id_formula", "round(area * 0.035, 2) + persons * 1.5")
    page.click("#save")
    page.wait_for_url(f"{base}/config/versions/{version.pk}/")
    assert page.locator("#components tbody tr").count() == 2
    page.locator("#component-stairs button[title='Move up']").click()  # HTMX swap
    page.wait_for_function(
        "document.querySelector('#components tbody tr').id === 'component-stairs'"
    )
    assert list(
        version.components.order_by("position").values_list("code", flat=True)
    ) == [
        "stairs",
        "water",
    ]
    _shoot(page, "config-version")

    page.click("#preview")
    apartment = small_building["apartments"][1]  # 50 m2, 2 persons, 20 m3 in Nov
    page.select_option("#id_apartment", str(apartment.pk))
    page.click("#run-preview")
    total = page.locator("#preview-total")
    total.wait_for()
    # 20 × 5.00 + (1.75 + 2 × 1.5) = 104.75 net; VAT 11 % 11.52; 116.27.
    assert total.inner_text().startswith("116.27")
    assert page.locator("#preview-net").inner_text().startswith("104.75")
    page.locator("#preview-lines details").nth(1).locator("summary").click()
    _shoot(page, "config-preview")

    page.goto(f"{base}/config/severities/{branches['north'].pk}/")
    page.select_option("#id_high_use", "block")
    page.click("#save")
    page.get_by_text("Saved.").wait_for()
    _shoot(page, "config-severities")
