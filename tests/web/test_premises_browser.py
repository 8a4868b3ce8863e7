"""An operator sets up premises in Chromium (Playwright) against pytest-django's
live server: a residence, an apartment, a water meter, a customer and a contract,
then exchanges the meter. Screenshots go to test-artifacts/web/, at 1280 and 768 px."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from .browser import login, needs_chromium, shoot

pytestmark = needs_chromium


@pytest.mark.django_db(transaction=True)
def test_it_sets_up_premises_and_exchanges_a_meter(
    page, live_server, small_building, alice
):
    from meterbill.audit.models import AuditEvent
    from meterbill.metering.models import Meter, Reading
    from meterbill.premises.models import Contract

    base = live_server.url
    login(page, base, "alice", "pw-alice")
    page.wait_for_url(f"{base}/dashboard/")

    # A residence.
    page.goto(f"{base}/residences/")
    page.click("#new-residence")
    page.fill("input[name=code]", "B9")
    page.fill("input[name=name]", "Bloc 9")
    page.fill("input[name=city]", "Cluj-Napoca")
    page.fill("input[name=country]", "RO")
    shoot(page, "residence-form")
    page.click("#save")
    page.get_by_text("Residence B9 saved.").wait_for()

    # An apartment with its cold-water parameters; a bad area first.
    page.click("#new-apartment")
    page.fill("input[name=number]", "12")
    page.fill("input[name=area_m2]", "0")
    page.fill("input[name=persons]", "3")
    page.select_option("select[name=utilities-0-utility]", label="Cold water")
    page.click("#save")
    page.locator("#id_area_m2_error").wait_for()
    shoot(page, "apartment-form-error")
    page.fill("input[name=area_m2]", "54.30")
    page.click("#save")
    page.get_by_text("Apartment B9/12 saved.").wait_for()

    # A water meter with a radio id and its AES key.
    page.click("#new-meter")
    page.select_option("select[name=utility]", label="Cold water")
    page.fill("input[name=serial]", "CW-900")
    page.fill("input[name=radio_id]", "12345678")
    page.fill("input[name=installed_on]", "2026-10-01")
    page.fill("input[name=aes_key_new]", "00112233445566778899AABBCCDDEEFF")
    shoot(page, "meter-form")
    page.click("#save")
    page.get_by_text("Meter CW-900 saved.").wait_for()
    assert "00112233" not in page.content()

    # A customer, then the contract from the apartment's page.
    page.goto(f"{base}/customers/")
    page.click("#new-customer")
    page.fill("input[name=code]", "K90")
    page.fill("input[name=name]", "Ioana Pop")
    page.select_option("select[name=language]", "ro")
    page.fill("input[name=country]", "RO")
    page.fill("input[name=vat_id]", "RO18547291")
    page.click("#save")
    page.locator("#id_vat_id_error").wait_for()
    shoot(page, "customer-form-error")
    page.fill("input[name=vat_id]", "RO18547290")
    page.click("#save")
    page.get_by_text("Customer K90 saved.").wait_for()

    meter = Meter.objects.get(serial="CW-900")
    page.goto(f"{base}/apartments/{meter.apartment_id}/")
    page.click("#new-contract")
    page.fill("input[name=number]", "C90")
    page.select_option("select[name=customer]", label="K90 Ioana Pop")
    page.fill("input[name=valid_from]", "2026-10-01")
    page.select_option("select[name=services-0-utility]", label="Cold water")
    page.select_option(
        "select[name=services-0-tariff]", label="COLD Cold water (Cold water)"
    )
    page.click("button[data-add-row=services]")
    page.locator("select[name=services-1-utility]").wait_for()
    shoot(page, "contract-form")
    page.click("#save")
    page.get_by_text("Contract C90 saved.").wait_for()

    # The meter exchange: final index of the old, initial index of the new.
    register = meter.registers.get()
    page.goto(f"{base}/meters/{meter.pk}/")
    page.click("#exchange")
    page.fill("input[name=on]", "2026-12-03")
    page.fill("input[name=serial]", "CW-901")
    page.fill(f"input[name=final_{register.pk}]", "17.250")
    page.fill(f"input[name=initial_{register.pk}]", "0.010")
    shoot(page, "meter-exchange")
    page.click("#save")
    page.get_by_text("Meter CW-900 exchanged for CW-901.").wait_for()
    shoot(page, "meter-after-exchange")
    # The list's search swaps the table in place (HTMX); a row opens the meter.
    page.goto(f"{base}/meters/")
    page.fill("input[name=q]", "CW-90")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(f"{base}/meters/?q=CW-90")
    assert page.locator("#list tbody tr").count() == 2
    shoot(page, "meters")
    page.get_by_role("link", name="CW-901").click()
    page.get_by_role("heading", name="Meter CW-901").wait_for()

    # Deleting the residence is refused while it has apartments (after a confirm).
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/residences/")
    page.get_by_role("link", name="B9").click()
    page.click("#edit-residence")
    page.get_by_role("button", name="Delete").click()
    page.get_by_text("cannot be deleted: it is still used by 1 apartment").wait_for()
    shoot(page, "residence-delete-refused")

    contract = Contract.objects.get(number="C90")
    assert (contract.customer.vat_id, contract.apartment_id) == (
        "RO18547290",
        meter.apartment_id,
    )
    assert list(contract.services.values_list("tariff__code", flat=True)) == ["COLD"]
    meter.refresh_from_db()
    assert meter.removed_on == date(2026, 12, 3)
    readings = Reading.objects.filter(read_on=date(2026, 12, 3)).order_by("value")
    assert [(r.register.meter.serial, r.value) for r in readings] == [
        ("CW-901", Decimal("0.010")),
        ("CW-900", Decimal("17.250")),
    ]
    assert set(
        AuditEvent.objects.filter(user=alice).values_list("action", flat=True)
    ) >= {
        "residence.create",
        "apartment.create",
        "meter.create",
        "customer.create",
        "contract.create",
        "meter.exchange",
    }
