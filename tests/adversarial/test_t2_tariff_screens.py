"""T2 adversarial: the tariff screens and the formula preview. A value a form
accepts must not break the pages that read it back; an input the engine cannot
handle must come back as a message, never a server error; a version that issued
invoices used stays read-only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.invoicing.models import Invoice
from meterbill.tariffs.models import Tariff, TariffComponent, TariffVersion

D = Decimal


@pytest.fixture
def version(small_building):
    """The COLD tariff's only version (from 2026-01-01, no components)."""
    return TariffVersion.objects.get(tariff=small_building["tariff"])


def add_component(client, version, kind, **fields):
    data = {"code": "X1", "description": "Extra", "vat_category": "S", **fields}
    return client.post(
        f"/config/versions/{version.pk}/components/new/?kind={kind}", data
    )


def test_deeply_nested_urdb_json_is_a_form_error(version, manager, client_for):
    # given a time-of-use component whose URDB rate is 100,000 nested brackets
    client = client_for(manager)

    # when it is saved
    response = add_component(
        client, version, "time_of_use", urdb="[" * 100_000 + "]" * 100_000
    )

    # then the form names the URDB field (today: RecursionError, 500)
    assert response.status_code == 422
    assert response.context["form"].errors.get("urdb")
    assert not TariffComponent.objects.exists()


def test_the_preview_of_a_formula_with_a_huge_result_shows_an_error(
    small_building, version, manager, client_for
):
    # given a formula component whose amount is a 40-digit number (the grammar
    # allows 2,000 characters of digits; no limit on the size of the result)
    client = client_for(manager)
    saved = add_component(client, version, "formula", formula="9" * 40)
    assert saved.status_code == 302

    # when the preview rates it for apartment 1 over November
    response = client.get(
        "/config/preview/",
        {
            "version": version.pk,
            "apartment": small_building["apartments"][0].pk,
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-30",
            "consumption": "10",
        },
    )

    # then the page shows why it cannot be rated (today: InvalidOperation, 500;
    # the bill run holds the invoices with the finding text
    # "[<class 'decimal.InvalidOperation'>]", which names nothing)
    assert response.status_code == 200
    error = response.context["result"].error
    assert "of component X1: result out of range" in error


def test_a_version_price_the_database_cannot_give_back_is_refused(
    small_building, manager, client_for
):
    # given the new-version form (prices below 1,000,000,000,000, 6 decimals)
    client = client_for(manager)
    tariff = small_building["tariff"]

    # when the manager types a fixed charge of 999,999,999,999.999999 from 2027:
    # 18 significant digits, within the column's 18 digits and 6 decimals, but on
    # SQLite kept as a double, read back as 1000000000000.000000 (19 digits), which
    # made the tariff, version, edit, delete and preview pages fail
    response = client.post(
        f"/config/tariffs/{tariff.pk}/versions/new/",
        {
            "valid_from": "2027-01-01",
            "currency": "RON",
            "rounding_mode": "ROUND_HALF_UP",
            "rounding_point": "line",
            "fixed_charge_per_month": "999999999999.999999",
            "unit_price_net": "1",
            "vat_category": "S",
            "vat_rate_percent": "11",
        },
    )

    # then it is refused on the field (at most 15 significant digits, what a
    # double keeps exactly), nothing is saved, and the tariff's page still opens:
    # such a row cannot be read because it cannot be saved
    assert response.status_code == 422
    errors = response.context["form"].errors["fixed_charge_per_month"]
    assert "15 significant digits" in errors[0]
    assert not TariffVersion.objects.filter(valid_from=date(2027, 1, 1)).exists()
    assert client.get(f"/config/tariffs/{tariff.pk}/").status_code == 200


def test_an_outside_vat_component_cannot_join_standard_rated_ones(
    small_building, manager, client_for
):
    # given a version with a standard-rated (S) unit price component
    client = client_for(manager)
    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    assert add_component(client, version, "unit_price", unit_price="5").status_code
    assert TariffComponent.objects.filter(version=version, vat_category="S").exists()

    # when a component "not subject to VAT" (O) is added to it
    response = add_component(
        client,
        version,
        "fixed",
        code="X2",
        vat_category="O",
        amount_per_month="1",
        per="apartment",
    )

    # then it is refused: every invoice of this version would carry O and S lines
    # together, which EN 16931 forbids (BR-O-11, BR-O-12; the demo's XML then
    # fails the CEN schematron with BR-O-02/05/10/11/12)
    assert response.status_code == 422
    assert not TariffComponent.objects.filter(vat_category="O").exists()


def test_a_version_an_issued_invoice_used_stays_read_only_after_a_tariff_switch(
    small_building, manager, client_for
):
    # given an issued invoice of November on contract C1, whose cold water service
    # is priced with the COLD tariff (version from 2026-01-01)
    from meterbill.invoicing.models import InvoiceSeries

    apartment = small_building["apartments"][0]
    contract = apartment.contract_set.get()
    series = InvoiceSeries.objects.create(
        branch=contract.branch, prefix="N", year=2026, next_number=2
    )
    Invoice.objects.create(
        branch=contract.branch,
        state=Invoice.State.ISSUED,
        series=series,
        number=1,
        full_number="N-2026-000001",
        idempotency_key="t2-1",
        customer=contract.customer,
        contract=contract,
        apartment=apartment,
        period=small_building["period"],
        issue_date=date(2026, 12, 4),
    )
    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    client = client_for(manager)
    assert client.get(f"/config/versions/{version.pk}/").context["read_only"]

    # when the contract's service moves to another tariff from December (the
    # service has no dates: the row's tariff is replaced)
    other = Tariff.objects.create(
        organisation=small_building["tariff"].organisation,
        code="COLD2",
        name="Cold water 2",
        utility=small_building["utility"],
    )
    contract.services.update(tariff=other)

    # then the version November was invoiced with is still read-only (today it
    # becomes editable: the check looks at the contracts' services of now)
    assert client.get(f"/config/versions/{version.pk}/").context["read_only"]
