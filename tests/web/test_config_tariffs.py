"""Tariffs, versions and components from the browser: a form per kind checked by
tariffs.compile, formula errors with their position, reordering, and versions an
issued invoice used kept read-only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from .conftest import make_user


@pytest.fixture
def manager(branches):
    return make_user("nora", branches["north"], "branch_manager")


@pytest.fixture
def version(small_building):
    """A version of COLD from 2027 without components yet."""
    from meterbill.tariffs.models import TariffVersion

    return TariffVersion.objects.create(
        tariff=small_building["tariff"],
        valid_from=date(2027, 1, 1),
        currency="RON",
        unit_price_net=Decimal(5),
        vat_rate_percent=Decimal(11),
    )


def _issue_invoice(small_building):
    """An issued invoice of contract C1 for November 2026 (priced with COLD)."""
    from meterbill.invoicing.models import Invoice, InvoiceSeries
    from meterbill.premises.models import Contract

    contract = Contract.objects.get(number="C1")
    series = InvoiceSeries.objects.create(
        branch=contract.branch, prefix="N", year=2026, next_number=2
    )
    return Invoice.objects.create(
        branch=contract.branch,
        state="issued",
        series=series,
        number=1,
        full_number="N-2026-000001",
        idempotency_key="n:1",
        customer=contract.customer,
        contract=contract,
        apartment=contract.apartment,
        period=small_building["period"],
        currency="RON",
    )


UNIT = {"code": "water", "description": "Cold water", "vat_category": "S"}


@pytest.mark.django_db
def test_it_creates_a_tariff_and_a_version_copying_the_last_ones_components(
    manager, small_building, version, client_for
):
    from meterbill.audit.models import AuditEvent
    from meterbill.tariffs.models import TariffComponent, TariffVersion

    TariffComponent.objects.create(
        version=version,
        position=1,
        kind="unit_price",
        code="water",
        description="Cold water",
        params={"unit_price": "5.00"},
    )
    client = client_for(manager)
    tariff = small_building["tariff"]

    response = client.post(
        f"/config/tariffs/{tariff.pk}/versions/new/",
        {
            "valid_from": "2027-07-01",
            "currency": "RON",
            "rounding_mode": "ROUND_HALF_EVEN",
            "rounding_point": "invoice",
            "vat_category": "S",
            "vat_rate_percent": "11",
            "copy_from": version.pk,
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    new = TariffVersion.objects.get(tariff=tariff, valid_from=date(2027, 7, 1))
    assert response["Location"] == f"/config/versions/{new.pk}/"
    assert (new.rounding_mode, new.rounding_point) == ("ROUND_HALF_EVEN", "invoice")
    assert list(new.components.values_list("code", "params")) == [
        ("water", {"unit_price": "5.00"})
    ]
    event = AuditEvent.objects.get(action="tariff.version.add")
    assert event.after["valid_from"] == "2027-07-01"


@pytest.mark.django_db
def test_it_refuses_a_version_in_another_currency_or_on_a_taken_day(
    manager, small_building, version, client_for
):
    client = client_for(manager)
    tariff = small_building["tariff"]
    base = {
        "rounding_mode": "ROUND_HALF_UP",
        "rounding_point": "line",
        "vat_category": "S",
        "vat_rate_percent": "11",
    }

    euro = client.post(
        f"/config/tariffs/{tariff.pk}/versions/new/",
        {**base, "valid_from": "2027-03-01", "currency": "EUR"},
    )
    taken = client.post(
        f"/config/tariffs/{tariff.pk}/versions/new/",
        {**base, "valid_from": "2027-01-01", "currency": "RON"},
    )

    assert euro.status_code == 422
    assert "currency" in euro.context["form"].errors
    assert taken.context["form"].errors["valid_from"] == [
        "The tariff has a version from this day."
    ]


@pytest.mark.django_db
def test_it_adds_a_unit_price_with_the_utilitys_unit_code(manager, version, client_for):
    from meterbill.audit.models import AuditEvent

    client = client_for(manager)

    response = client.post(
        f"/config/versions/{version.pk}/components/new/?kind=unit_price",
        {**UNIT, "unit_price": "5,25", "description_ro": "Apă rece"},
    )

    assert response.status_code == 302
    component = version.components.get()
    assert component.position == 1
    # "5,25" as a Romanian types it; stored as text, never a float.
    assert component.params == {
        "unit_price": "5.25",
        "descriptions": {"ro": "Apă rece"},
    }
    assert (
        AuditEvent.objects.get(action="tariff.component.add").after["code"] == "water"
    )


@pytest.mark.django_db
def test_it_shows_a_formula_error_with_its_position_and_the_wrong_name(
    manager, version, client_for
):
    client = client_for(manager)
    url = f"/config/versions/{version.pk}/components/new/?kind=formula"
    data = {"code": "area", "description": "Stairs cleaning", "vat_category": "S"}

    wrong = client.post(url, {**data, "formula": "round(area * 0.035, 2) + pesrons"})
    fixed = client.post(url, {**data, "formula": "round(area * 0.035, 2) + persons"})

    assert wrong.status_code == 422
    [message] = wrong.context["form"].errors["formula"]
    # "pesrons" starts at column 26 of line 1 (25 characters before it).
    assert "unknown name 'pesrons'" in message
    assert "line 1, column 26" in message
    assert 'id="id_formula_error"' in wrong.content.decode()
    assert fixed.status_code == 302
    assert version.components.get().formula == "round(area * 0.035, 2) + persons"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "data", "field", "message"),
    [
        (
            "block",
            {"blocks": "10 1.50\n5 2.10\n3", "basis": "incremental"},
            "blocks",
            "limits must increase",
        ),
        (
            "block",
            {"blocks": "10 x\n2", "basis": "incremental"},
            "blocks",
            "line 1, price: 'x' is not a number",
        ),
        ("seasonal", {"prices_by_month": "1 2 3"}, "prices_by_month", "12 prices"),
        (
            "fixed",
            {"amount_per_month": "-2", "per": "apartment"},
            "amount_per_month",
            "must not be negative",
        ),
        ("unit_price", {"unit_price": "1.1234567"}, "unit_price", "more than 6"),
        ("unit_price", {"unit_price": "1", "unit_code": "m-3"}, "unit_code", "UN/ECE"),
        ("time_of_use", {"urdb": "{not json"}, "urdb", "Not JSON"),
    ],
)
def test_it_refuses_a_bad_parameter_on_its_field(
    manager, version, client_for, kind, data, field, message
):
    client = client_for(manager)

    response = client.post(
        f"/config/versions/{version.pk}/components/new/?kind={kind}",
        {**UNIT, "code": "c1", **data},
    )

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not version.components.exists()


@pytest.mark.django_db
def test_it_stores_blocks_as_text_pairs(manager, version, client_for):
    client = client_for(manager)

    response = client.post(
        f"/config/versions/{version.pk}/components/new/?kind=block",
        {**UNIT, "blocks": "10 1.50\n20 1,80\n2.10", "basis": "incremental"},
    )

    assert response.status_code == 302
    assert version.components.get().params["blocks"] == [
        ["10", "1.50"],
        ["20", "1.80"],
        [None, "2.10"],
    ]


@pytest.mark.django_db
def test_it_reorders_and_removes_components(manager, version, client_for):
    from meterbill.audit.models import AuditEvent
    from meterbill.tariffs.models import TariffComponent

    for position, code in enumerate(["a", "b", "c"], start=1):
        TariffComponent.objects.create(
            version=version,
            position=position,
            kind="minimum",
            code=code,
            description=code,
            params={"amount_per_month": "1"},
        )
    client = client_for(manager)
    c = version.components.get(code="c")

    client.post(f"/config/components/{c.pk}/move/up/")
    client.post(f"/config/components/{c.pk}/move/up/")
    top = client.post(f"/config/components/{c.pk}/move/up/")  # first already
    client.post(f"/config/components/{version.components.get(code='a').pk}/delete/")

    assert top.status_code == 302
    assert list(
        version.components.order_by("position").values_list("code", flat=True)
    ) == ["c", "b"]
    moves = AuditEvent.objects.filter(action="tariff.component.move").order_by("id")
    assert [m.after["order"] for m in moves] == [["a", "c", "b"], ["c", "a", "b"]]
    assert (
        AuditEvent.objects.get(action="tariff.component.delete").before["code"] == "a"
    )


@pytest.mark.django_db
def test_it_keeps_a_version_an_issued_invoice_used_read_only(
    manager, small_building, client_for
):
    from meterbill.tariffs.models import TariffComponent

    _issue_invoice(small_building)
    used = small_building["tariff"].versions.get()  # from 2026-01-01
    client = client_for(manager)

    page = client.get(f"/config/versions/{used.pk}/")
    add = client.post(
        f"/config/versions/{used.pk}/components/new/?kind=unit_price",
        {**UNIT, "unit_price": "9"},
    )
    edit = client.post(
        f"/config/versions/{used.pk}/edit/",
        {
            "valid_from": "2026-01-01",
            "currency": "RON",
            "rounding_mode": "ROUND_HALF_UP",
            "rounding_point": "line",
            "vat_category": "S",
            "vat_rate_percent": "19",
            "unit_price_net": "9",
        },
    )
    early = client.post(
        f"/config/tariffs/{small_building['tariff'].pk}/versions/new/",
        {
            "valid_from": "2026-11-15",
            "currency": "RON",
            "rounding_mode": "ROUND_HALF_UP",
            "rounding_point": "line",
            "vat_category": "S",
            "vat_rate_percent": "11",
        },
    )

    assert "read-only" in page.content.decode()
    assert 'id="add-component"' not in page.content.decode()
    assert add.status_code == 422
    assert "N-2026-000001" in add.content.decode()
    assert not TariffComponent.objects.filter(version=used).exists()
    assert edit.status_code == 422
    used.refresh_from_db()
    assert used.unit_price_net == Decimal(5)
    assert (
        "Periods up to 2026-11-30 are invoiced"
        in early.context["form"].errors["valid_from"][0]
    )


@pytest.mark.django_db
def test_it_refuses_to_delete_a_tariff_with_versions(
    manager, small_building, client_for
):
    from meterbill.tariffs.models import Tariff

    client = client_for(manager)
    tariff = small_building["tariff"]

    response = client.post(f"/config/tariffs/{tariff.pk}/delete/", follow=True)

    assert Tariff.objects.filter(pk=tariff.pk).exists()
    assert "cannot be deleted" in response.content.decode()


@pytest.mark.django_db
def test_it_lets_an_operator_read_tariffs_but_not_change_them(
    alice, version, client_for
):
    client = client_for(alice)

    page = client.get(f"/config/versions/{version.pk}/")
    add = client.post(
        f"/config/versions/{version.pk}/components/new/?kind=unit_price",
        {**UNIT, "unit_price": "9"},
    )

    assert page.status_code == 200
    assert 'id="add-component"' not in page.content.decode()
    assert add.status_code == 403
