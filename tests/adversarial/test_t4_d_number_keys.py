"""T4 adversarial (D, lookup tables): a key that looks like a number is rewritten
when the table is saved ("01" is stored as "1", "2.50" as "2.5"), but a formula's
quoted key is looked up exactly as written. A formula that quotes the key the user
typed is accepted at save and then fails every contract in the bill run.

Small building (tests/conftest.py): own + common consumption 11, 22 and 33 m3."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice
from meterbill.orgs.services import SetupRefused
from meterbill.tariffs.services import add_tariff_version

D = Decimal
CATEGORY_01 = {
    "kind": "formula",
    "code": "WATER",
    "description": "Cold water",
    "formula": 'consumption * lookup("category", "01")',
}


def test_a_formula_quoting_a_zero_padded_key_of_its_table_bills_or_is_refused(
    org, small_building
):
    # given a November version whose price list is keyed by category code "01",
    # "02" and whose formula reads category "01" as the table writes it
    try:
        add_tariff_version(
            org,
            "COLD",
            "cold",
            date(2026, 11, 1),
            D(0),
            D(11),
            components=[CATEGORY_01],
            tables={"category": {"01": "1.10", "02": "0.90"}},
        )
    except SetupRefused:
        return  # refused at save, where the user can fix it: acceptable

    # when November is billed
    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then every contract is billed at 1.10: 11 × 1.10 = 12.10, 22 × 1.10 = 24.20,
    # 33 × 1.10 = 36.30 (actual: each gets tariff_error "no number for key '01'")
    assert run.summary["issued"] == 3
    assert [
        Invoice.objects.get(apartment=apt).total_net
        for apt in small_building["apartments"]
    ] == [D("12.10"), D("24.20"), D("36.30")]
