"""A key that looks like a number is stored by its plain text ("01" and "+1" as
"1"), and a formula's quoted key is read the same way, so ``lookup("t", "01")``
finds the row the user typed as "01".

Small building (tests/conftest.py): own + common consumption 11, 22 and 33 m3."""

from datetime import date
from decimal import Decimal

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice
from meterbill.orgs.services import SetupRefused
from meterbill.tariffs.models import LookupTable
from meterbill.tariffs.services import add_tariff_version

D = Decimal


def _add(org, formula: str, tables):
    return add_tariff_version(
        org,
        "COLD",
        "cold",
        date(2026, 11, 1),
        D(0),
        D(11),
        components=[
            {"kind": "formula", "code": "W", "description": "Water", "formula": formula}
        ],
        tables=tables,
    )


def test_a_signed_or_zero_padded_key_is_stored_by_its_plain_text(org, small_building):
    _add(org, 'lookup("c", 1)', {"c": {"+1": "1.10", "007": "0.90", "-0": "3"}})

    assert LookupTable.objects.get().rows == [["1", "1.10"], ["7", "0.90"], ["0", "3"]]


def test_a_quoted_number_key_finds_the_row_as_typed(org, small_building):
    # given keys typed "+1" and "02", read as "1" and "+02" (and " 01 " below)
    _add(
        org,
        'consumption * lookup("c", " 01 ") + lookup("c", "+02")',
        {"c": {"+1": "1.10", "02": "0.90"}},
    )

    # when November is billed
    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then 11 × 1.10 + 0.90 = 13.00, 22 × 1.10 + 0.90 = 25.10, 33 × 1.10 + 0.90
    # = 37.20
    assert run.summary["issued"] == 3
    assert [
        Invoice.objects.get(apartment=apt).total_net
        for apt in small_building["apartments"]
    ] == [D("13.00"), D("25.10"), D("37.20")]


def test_a_quoted_number_key_no_table_can_hold_is_refused_at_save(org, small_building):
    # 35 significant digits: a table refuses such a key, so no row could match
    with pytest.raises(SetupRefused) as refused:
        _add(
            org, 'lookup("c", "12345678901234567890123456789012345")', {"c": {"1": "1"}}
        )

    assert "a number key has at most 34 digits at line 1, column 13" in str(
        refused.value
    )
