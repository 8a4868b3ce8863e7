"""A version's lookup tables from the browser: rows typed as "key = value" lines,
wrong lines named by number, formulas that may read only the version's tables, the
preview evaluating with them, and the tables kept while a formula reads them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from .conftest import make_user

ZONE = {"name": "zone", "rows": "A = 1.20\nB = 0.95"}
FORMULA = {
    "code": "heat",
    "description": "Heating",
    "vat_category": "S",
    "formula": 'consumption * lookup("zone", "A")',
}


@pytest.fixture
def manager(branches):
    return make_user("nora", branches["north"], "branch_manager")


@pytest.fixture
def version(small_building):
    """A version of COLD from 2027 without components or tables yet."""
    from meterbill.tariffs.models import TariffVersion

    return TariffVersion.objects.create(
        tariff=small_building["tariff"],
        valid_from=date(2027, 1, 1),
        currency="RON",
        unit_price_net=Decimal(0),
        vat_rate_percent=Decimal(11),
    )


def _add_zone_and_formula(client, version):
    client.post(f"/config/versions/{version.pk}/tables/new/", ZONE)
    return client.post(
        f"/config/versions/{version.pk}/components/new/?kind=formula", FORMULA
    )


@pytest.mark.django_db
def test_it_creates_a_table_and_the_preview_shows_the_looked_up_value(
    manager, small_building, version, client_for
):
    from meterbill.audit.models import AuditEvent

    client = client_for(manager)

    created = client.post(f"/config/versions/{version.pk}/tables/new/", ZONE)
    formula = client.post(
        f"/config/versions/{version.pk}/components/new/?kind=formula", FORMULA
    )
    page = client.get(f"/config/versions/{version.pk}/")
    preview = client.get(
        "/config/preview/",
        {
            "version": version.pk,
            "apartment": small_building["apartments"][0].pk,
            "starts_on": "2027-01-01",
            "ends_on": "2027-01-31",
            "consumption": "10",
        },
    )

    assert created.status_code == 302
    assert created["Location"] == f"/config/versions/{version.pk}/"
    table = version.lookup_tables.get()
    assert (table.name, table.rows) == ("zone", [["A", "1.20"], ["B", "0.95"]])
    event = AuditEvent.objects.get(action="tariff.table.add")
    assert event.after == {
        "version": version.pk,
        "name": "zone",
        "rows": [["A", "1.20"], ["B", "0.95"]],
    }
    assert formula.status_code == 302
    assert "A = 1.20 · B = 0.95" in page.content.decode()
    # 10 m3 × 1.20 = 12.00, and the trace shows the lookup with its value
    [line] = preview.context["result"].rating.lines
    assert line.net_amount == Decimal("12.00")
    html = preview.content.decode()
    assert "lookup(&quot;zone&quot;, &quot;A&quot;)" in html
    assert "<code>1.20</code>" in html


@pytest.mark.django_db
def test_it_names_each_wrong_line_of_the_rows(manager, version, client_for):
    client = client_for(manager)

    response = client.post(
        f"/config/versions/{version.pk}/tables/new/",
        {"name": "zone", "rows": "A = 1.20\nB = 1,2\n\nA = 3\nC 4\nD = 1e3"},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["rows"] == [
        "line 2: '1,2': the decimal separator is a point",
        "line 4: key A is on line 1 already",
        "line 5: write key = value",
        "line 6: '1e3' is not a number",
    ]
    assert not version.lookup_tables.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("2zone", "1 to 32 of letters, digits and '_'"),
        ("zone", "The version has a table zone."),
    ],
)
def test_it_refuses_a_bad_or_taken_name(manager, version, client_for, name, message):
    from meterbill.tariffs.models import LookupTable

    LookupTable.objects.create(version=version, name="zone", rows=[["A", "1"]])
    client = client_for(manager)

    response = client.post(
        f"/config/versions/{version.pk}/tables/new/", {"name": name, "rows": "A = 2"}
    )

    assert response.status_code == 422
    assert message in response.context["form"].errors["name"][0]
    assert version.lookup_tables.count() == 1


@pytest.mark.django_db
def test_a_formula_may_read_only_a_table_of_its_version(manager, version, client_for):
    client = client_for(manager)

    response = client.post(
        f"/config/versions/{version.pk}/components/new/?kind=formula", FORMULA
    )

    assert response.status_code == 422
    [message] = response.context["form"].errors["formula"]
    assert message == "unknown lookup table 'zone' at line 1, column 22"


@pytest.mark.django_db
def test_it_keeps_a_table_a_formula_reads(manager, version, client_for):
    from meterbill.audit.models import AuditEvent

    client = client_for(manager)
    _add_zone_and_formula(client, version)
    table = version.lookup_tables.get()

    form = client.get(f"/config/tables/{table.pk}/")
    renamed = client.post(
        f"/config/tables/{table.pk}/", {"name": "zones", "rows": "A = 1.30"}
    )
    deleted = client.post(f"/config/tables/{table.pk}/delete/", follow=True)
    edited = client.post(f"/config/tables/{table.pk}/", {**ZONE, "rows": "A = 1.30"})
    version.components.get().delete()
    removed = client.post(f"/config/tables/{table.pk}/delete/")

    assert "A = 1.20\nB = 0.95</textarea>" in form.content.decode()
    message = "The formulas of heat read table zone: change them first."
    assert renamed.status_code == 422
    assert message in renamed.content.decode()
    assert message in deleted.content.decode()
    assert edited.status_code == 302  # same name, new value
    assert AuditEvent.objects.get(action="tariff.table.edit").after["rows"] == [
        ["A", "1.30"]
    ]
    assert removed.status_code == 302
    assert not version.lookup_tables.exists()
    assert AuditEvent.objects.get(action="tariff.table.delete").before["name"] == (
        "zone"
    )


@pytest.mark.django_db
def test_a_new_version_copies_the_tables_with_the_components(
    manager, small_building, version, client_for
):
    from meterbill.audit.models import AuditEvent

    client = client_for(manager)
    _add_zone_and_formula(client, version)

    response = client.post(
        f"/config/tariffs/{small_building['tariff'].pk}/versions/new/",
        {
            "valid_from": "2027-07-01",
            "currency": "RON",
            "rounding_mode": "ROUND_HALF_UP",
            "rounding_point": "line",
            "vat_category": "S",
            "vat_rate_percent": "11",
            "copy_from": version.pk,
        },
    )

    assert response.status_code == 302
    new = small_building["tariff"].versions.get(valid_from=date(2027, 7, 1))
    assert list(new.lookup_tables.values_list("name", "rows")) == [
        ("zone", [["A", "1.20"], ["B", "0.95"]])
    ]
    assert new.components.get().formula == FORMULA["formula"]
    # one event records the new version with what it copied
    event = AuditEvent.objects.get(action="tariff.version.add", object_id=str(new.pk))
    assert event.after["copy_from"] == version.pk
    assert event.after["tables"] == {"zone": [["A", "1.20"], ["B", "0.95"]]}
    assert [c["formula"] for c in event.after["components"]] == [FORMULA["formula"]]


@pytest.mark.django_db
def test_it_lets_an_operator_read_tables_but_not_change_them(
    alice, version, client_for
):
    from meterbill.tariffs.models import LookupTable

    table = LookupTable.objects.create(version=version, name="zone", rows=[["A", "1"]])
    client = client_for(alice)

    page = client.get(f"/config/versions/{version.pk}/")
    add = client.post(f"/config/versions/{version.pk}/tables/new/", ZONE)
    edit = client.post(f"/config/tables/{table.pk}/", ZONE)
    delete = client.post(f"/config/tables/{table.pk}/delete/")

    assert page.status_code == 200
    assert "A = 1" in page.content.decode()
    assert 'id="add-table"' not in page.content.decode()
    assert (add.status_code, edit.status_code, delete.status_code) == (403, 403, 403)
    assert LookupTable.objects.get().rows == [["A", "1"]]


@pytest.mark.django_db
def test_it_does_not_show_or_change_another_organisations_table(manager, client_for):
    from meterbill.orgs.models import Organisation
    from meterbill.premises.models import Utility
    from meterbill.tariffs.models import LookupTable, Tariff, TariffVersion

    other = Organisation.objects.create(name="Other SA", country="MD", currency="MDL")
    utility = Utility.objects.create(organisation=other, code="w", name="Water")
    tariff = Tariff.objects.create(
        organisation=other, code="T", name="T", utility=utility
    )
    version = TariffVersion.objects.create(
        tariff=tariff,
        valid_from=date(2026, 1, 1),
        currency="MDL",
        unit_price_net=Decimal(1),
        vat_rate_percent=Decimal(20),
    )
    table = LookupTable.objects.create(version=version, name="zone", rows=[["A", "1"]])
    client = client_for(manager)

    add = client.post(f"/config/versions/{version.pk}/tables/new/", ZONE)
    edit = client.post(f"/config/tables/{table.pk}/", {**ZONE, "rows": "A = 9"})
    delete = client.post(f"/config/tables/{table.pk}/delete/")

    assert (add.status_code, edit.status_code, delete.status_code) == (404, 404, 404)
    assert LookupTable.objects.get().rows == [["A", "1"]]


@pytest.mark.django_db
def test_a_version_an_issued_invoice_used_keeps_its_tables(
    manager, small_building, client_for
):
    from meterbill.tariffs.models import LookupTable

    _issue_an_invoice(small_building)
    used = small_building["tariff"].versions.get()  # from 2026-01-01
    table = LookupTable.objects.create(version=used, name="zone", rows=[["A", "1"]])
    client = client_for(manager)

    add = client.post(f"/config/versions/{used.pk}/tables/new/", {**ZONE, "name": "z2"})
    edit = client.post(f"/config/tables/{table.pk}/", {**ZONE, "rows": "A = 9"})
    delete = client.post(f"/config/tables/{table.pk}/delete/", follow=True)

    assert add.status_code == edit.status_code == 422
    assert "N-2026-000001" in add.content.decode()
    assert "N-2026-000001" in delete.content.decode()
    assert list(LookupTable.objects.values_list("name", "rows")) == [
        ("zone", [["A", "1"]])
    ]


def _issue_an_invoice(small_building):
    """An issued November invoice of contract C1: COLD's version from 2026-01-01
    is used from then on."""
    from meterbill.invoicing.models import Invoice, InvoiceSeries
    from meterbill.premises.models import Contract

    contract = Contract.objects.get(number="C1")
    series = InvoiceSeries.objects.create(branch=contract.branch, prefix="N", year=2026)
    Invoice.objects.create(
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


@pytest.mark.django_db
def test_a_used_versions_table_takes_rows_of_new_keys_only(
    manager, small_building, client_for
):
    from meterbill.audit.models import AuditEvent
    from meterbill.tariffs.models import LookupTable

    _issue_an_invoice(small_building)
    used = small_building["tariff"].versions.get()
    table = LookupTable.objects.create(version=used, name="zone", rows=[["A", "1"]])
    client = client_for(manager)

    page = client.get(f"/config/versions/{used.pk}/").content.decode()
    form = client.get(f"/config/tables/{table.pk}/").content.decode()
    renamed = client.post(
        f"/config/tables/{table.pk}/", {"name": "zones", "rows": "A = 1\nB = 2"}
    )
    added = client.post(f"/config/tables/{table.pk}/", {**ZONE, "rows": "A = 1\nB = 2"})

    # the version's page links the table and says why only additions are allowed
    assert f'href="/config/tables/{table.pk}/"' in page
    assert "accept rows of new keys only" in page
    assert "no issued invoice read a key that was not there" in form
    assert 'id="delete"' not in form
    assert renamed.status_code == 422
    assert "the table keeps its name zone" in renamed.content.decode()
    assert added.status_code == 302
    table.refresh_from_db()
    assert (table.name, table.rows) == ("zone", [["A", "1"], ["B", "2"]])
    event = AuditEvent.objects.get(action="tariff.table.rows_add")
    assert (event.user_id, event.after["added"]) == (manager.pk, [["B", "2"]])


@pytest.mark.django_db
def test_a_key_holding_an_equals_sign_or_semicolon_is_typed_as_it_is_shown(
    manager, version, client_for
):
    client = client_for(manager)

    response = client.post(
        f"/config/versions/{version.pk}/tables/new/",
        {"name": "zone", "rows": "a=b = 1.20\nc;d;0.95\ne = f\t0.5"},
    )

    # the value follows the last separator: a decimal holds none
    assert response.status_code == 302
    assert version.lookup_tables.get().rows == [
        ["a=b", "1.20"],
        ["c;d", "0.95"],
        ["e = f", "0.5"],
    ]


@pytest.mark.django_db
def test_every_row_of_a_long_table_is_on_the_versions_page(alice, version, client_for):
    from meterbill.tariffs.models import LookupTable

    LookupTable.objects.create(
        version=version,
        name="by_class",
        rows=[[f"K{n}", f"{n}.00"] for n in range(1, 15)],
    )

    page = client_for(alice).get(f"/config/versions/{version.pk}/").content.decode()

    # 12 in the table's line, all 14 folded below it for a tariffs.view user
    assert "K12 = 12.00 …" in page
    assert "All 14 rows" in page
    assert "K13 = 13.00<br>K14 = 14.00<br>" in page


@pytest.mark.django_db
def test_deleting_a_version_records_its_components_and_table_rows(
    manager, version, client_for
):
    from meterbill.audit.models import AuditEvent

    client = client_for(manager)
    _add_zone_and_formula(client, version)

    response = client.post(f"/config/versions/{version.pk}/delete/")

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="tariff.version.delete")
    assert event.before["tables"] == {"zone": [["A", "1.20"], ["B", "0.95"]]}
    assert [c["formula"] for c in event.before["components"]] == [FORMULA["formula"]]
