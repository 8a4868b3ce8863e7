"""A branch manager configures a tariff in Chromium (Playwright) against
pytest-django's live server: a new version with a unit price and a formula, a
formula error shown at save and fixed, then a preview on an apartment. (Billing
operators read tariffs only; the branch manager is the role that edits them.)
Screenshots go to test-artifacts/web/, at 1280 and 768 px."""

from __future__ import annotations

from datetime import date

import pytest

from .browser import login, needs_chromium, shoot
from .conftest import make_user

pytestmark = needs_chromium


@pytest.mark.django_db(transaction=True)
def test_it_configures_a_tariff_version_and_previews_it(
    page, live_server, small_building, branches
):
    from meterbill.tariffs.models import TariffVersion

    make_user("nora", branches["north"], "branch_manager")
    base = live_server.url
    tariff = small_building["tariff"]

    login(page, base, "nora", "pw-nora")
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
    shoot(page, "config-formula-error")
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
    shoot(page, "config-version")

    page.click("#preview")
    # 50 m2, 2 persons, 20 m3 in November and 2 m3 of the common 6 (by persons)
    apartment = small_building["apartments"][1]
    page.select_option("#id_apartment", str(apartment.pk))
    page.click("#run-preview")
    total = page.locator("#preview-total")
    total.wait_for()
    # the bill run's 22 m3: 22 × 5.00 + (1.75 + 2 × 1.5) = 114.75 net; VAT 11 %
    # 12.62; 127.37.
    assert total.inner_text().startswith("127.37")
    assert page.locator("#preview-net").inner_text().startswith("114.75")
    page.locator("#preview-lines details").nth(1).locator("summary").click()
    shoot(page, "config-preview")

    page.goto(f"{base}/config/severities/{branches['north'].pk}/")
    page.select_option("#id_high_use", "block")
    page.click("#save")
    page.get_by_text("Saved.").wait_for()
    shoot(page, "config-severities")
