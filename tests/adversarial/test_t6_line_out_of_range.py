"""T6 (issue 4, tariffs and formulas): a formula's result is checked to be below
10^12 "the largest price or amount an invoice line stores" (docs/tariffs.md), but
what the line stores is not checked:

* a formula component with ``params.quantity`` prices quantity × price, each
  below 10^12, so the amount reaches 10^24 while an invoice line and the invoice
  totals store 16 integer digits;
* a formula giving 999999999999.9999999 (below 10^12) is the line's unit price
  rounded to 6 decimals: 1,000,000,000,000.000000, 13 integer digits where the
  column holds 12.

The bill run issues the invoices anyway (``issued 3``, no finding). On SQLite
every read of those invoices then fails (``decimal.InvalidOperation`` in
Django's converter: the invoice list, the invoice page, the PDF); on PostgreSQL
the insert overflows the numeric column. Expected: the contract is held with a
``tariff_error`` finding naming the formula, as any other result out of range."""

from __future__ import annotations

from datetime import date

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.invoicing.models import Invoice, InvoiceLine
from meterbill.tariffs.models import TariffComponent

pytestmark = pytest.mark.django_db


def _bill_with(small_building, formula: str, params: dict):
    version = small_building["tariff"].versions.get()
    TariffComponent.objects.create(
        version=version,
        position=1,
        kind="formula",
        code="BIG",
        description="Big charge",
        formula=formula,
        params=params,
    )
    return bill_period(small_building["period"], issue_date=date(2026, 12, 4))


def _held_and_readable(run) -> None:
    # every invoice that was issued can be read back
    list(Invoice.objects.values_list("total_net", "total_gross"))
    list(InvoiceLine.objects.values_list("unit_price_net", "net_amount"))
    # and the three contracts are held with the reason, none billed
    assert run.summary["issued"] == 0
    assert Finding.objects.filter(rule="tariff_error").count() == 3
    assert "BIG" in Finding.objects.filter(rule="tariff_error").first().message


def test_an_amount_beyond_the_invoice_columns_holds_the_contract(small_building):
    # 1,000,000 × 100,000,000,000 = 10^17: each formula below 10^12, the amount
    # beyond the 16 integer digits of InvoiceLine.net_amount and Invoice.total_net
    run = _bill_with(small_building, "100000000000", {"quantity": "1000000"})

    _held_and_readable(run)


def test_a_price_that_rounds_to_ten_to_the_twelve_holds_the_contract(small_building):
    run = _bill_with(small_building, "999999999999.9999999", {})

    _held_and_readable(run)
