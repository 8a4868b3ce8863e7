"""T4 adversarial (D, lookup tables): docs/tariffs.md says a key the table lacks
holds that contract's invoice with ``tariff_error`` while the other contracts are
billed, and docs/limits.md says to fix the tariff and run the period again. But the
other contracts' invoices make the version read-only (the missing row cannot be
added) and a new version may only start after the invoiced period (the CLI and the
screen refuse a November version): the held contract can never be billed for
November.

Small building (tests/conftest.py): own + common consumption 11, 22 and 33 m3;
persons 1, 2 and 3."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice
from meterbill.orgs.services import SetupRefused
from meterbill.tariffs.models import LookupTable, TariffComponent, TariffVersion
from meterbill.tariffs.services import add_tariff_version

D = Decimal
ISSUED = date(2026, 12, 4)
BY_PERSONS = 'consumption * lookup("by_persons", persons)'


def test_the_contract_held_for_a_missing_key_is_billed_once_the_key_is_added(
    org, small_building, manager, client_for
):
    # given COLD's price by persons without a row for 3 persons, and November
    # billed: apartments 1 and 2 issued, apartment 3 held with tariff_error
    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    table = LookupTable.objects.create(
        version=version, name="by_persons", rows=[["1", "2.00"], ["2", "1.50"]]
    )
    TariffComponent.objects.create(
        version=version,
        position=1,
        kind="formula",
        code="WATER",
        description="Cold water",
        formula=BY_PERSONS,
    )
    bill_period(small_building["period"], issue_date=ISSUED)
    apt1, apt2, apt3 = small_building["apartments"]
    assert not Invoice.objects.filter(apartment=apt3).exists()

    # when the manager adds the row 3 = 1.00 on the table's screen, or, if that is
    # refused, as a version from 1 November with the whole table
    edited = client_for(manager).post(
        f"/config/tables/{table.pk}/",
        {"name": "by_persons", "rows": "1 = 2.00\n2 = 1.50\n3 = 1.00"},
    )
    if edited.status_code != 302:
        try:
            add_tariff_version(
                org,
                "COLD",
                "cold",
                date(2026, 11, 1),
                D(0),
                D(11),
                components=[
                    {
                        "kind": "formula",
                        "code": "WATER",
                        "description": "Cold water",
                        "formula": BY_PERSONS,
                    }
                ],
                tables={"by_persons": {"1": "2.00", "2": "1.50", "3": "1.00"}},
            )
        except SetupRefused:
            pass  # both ways refused: the rerun below still holds apartment 3
    # and runs November again
    bill_period(small_building["period"], issue_date=ISSUED)

    # then apartment 3 is billed 33 × 1.00 = 33.00, and 1 and 2 keep their one
    # invoice each (11 × 2.00 = 22.00, 22 × 1.50 = 33.00)
    assert [
        list(Invoice.objects.filter(apartment=apt).values_list("total_net", flat=True))
        for apt in (apt1, apt2, apt3)
    ] == [[D("22.00")], [D("33.00")], [D("33.00")]]
