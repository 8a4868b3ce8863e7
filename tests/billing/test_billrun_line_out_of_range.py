"""A rated line or an invoice total that the invoice columns cannot store holds
the contract with a ``tariff_error`` finding that names the number and the limit
(never an invoice that fails to insert or to be read back)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, Overflow

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.billing.tariff_findings import hold_unstorable
from meterbill.engine import pricing
from meterbill.engine.billing import Charge
from meterbill.engine.components_batch import Rater
from meterbill.engine.rating import Line
from meterbill.invoicing.models import Invoice, InvoiceLine
from meterbill.tariffs.models import TariffComponent

D = Decimal


def test_the_engine_knows_the_invoice_line_columns():
    for column, name in (
        (pricing.LINE_QUANTITY, "quantity"),
        (pricing.LINE_UNIT_PRICE, "unit_price_net"),
        (pricing.LINE_AMOUNT, "net_amount"),
    ):
        field = InvoiceLine._meta.get_field(name)
        assert (column.max_digits, column.decimal_places) == (
            field.max_digits,
            field.decimal_places,
        ), name


def _add_formula(small_building, code: str, formula: str, params: dict) -> None:
    TariffComponent.objects.create(
        version=small_building["tariff"].versions.get(),
        position=TariffComponent.objects.count() + 1,
        kind="formula",
        code=code,
        description=f"Charge {code}",
        formula=formula,
        params=params,
    )


@pytest.mark.django_db
def test_a_line_amount_too_large_names_the_component_and_the_limit(small_building):
    _add_formula(small_building, "F", "100000000000", {"quantity": "1000000"})

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    assert run.summary["issued"] == 0
    messages = sorted(
        Finding.objects.filter(rule="tariff_error").values_list("message", flat=True)
    )
    assert len(messages) == 3
    assert messages[0].split(": ", 1)[1] == (
        "Cold water tariff COLD: component F: the amount "
        "100000000000000000.00 is too large for an invoice line (at most 16 digits "
        "before the decimal point)"
    )


@pytest.mark.django_db
def test_lines_that_fit_but_add_up_beyond_the_totals_hold_the_contract(
    small_building,
):
    # each line 6,000,000,000,000,000.00 fits 16 integer digits; their sum does not
    _add_formula(small_building, "A", "1000000000", {"quantity": "6000000"})
    _add_formula(small_building, "B", "1000000000", {"quantity": "6000000"})

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    assert run.summary["issued"] == 0
    assert not Invoice.objects.exists()
    findings = Finding.objects.filter(rule="tariff_error")
    assert findings.count() == 3
    assert all("too large for an invoice" in f.message for f in findings)
    assert "the net total 12000000000000" in findings.first().message


@pytest.mark.django_db
def test_the_bill_run_still_issues_a_large_amount_that_fits(small_building):
    # 999,999 × 10,000,000 = 9,999,990,000,000.00: 15 significant digits at most
    _add_formula(small_building, "F", "10000000", {"quantity": "999999"})

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    assert run.summary["issued"] == 3
    assert not Finding.objects.filter(rule="tariff_error").exists()
    amounts = set(
        InvoiceLine.objects.filter(trace__tariff__code="COLD")
        .filter(description__startswith="Charge F")
        .values_list("net_amount", flat=True)
    )
    assert amounts == {D("9999990000000.00")}


def _line(**numbers) -> Line:
    values = {"quantity": D(1), "unit_price_net": D(1), "net_amount": D(1)}
    values.update(numbers)
    return Line(
        "COLD",
        "Water share",
        unit="m3",
        unit_code="MTQ",
        vat_category="S",
        vat_rate_percent=D(11),
        **values,
    )


def test_any_line_that_cannot_be_stored_holds_its_charge():
    # a cost share's unit price (amount / a tiny quantity) is not rated by a tariff
    bad = Charge(
        1, None, lines=[_line(), _line(unit_price_net=D("5000000000000.000000"))]
    )
    good = Charge(2, None, lines=[_line()])

    held = hold_unstorable([bad, good], "RON")

    assert held == 1
    assert bad.held and not good.held
    assert bad.findings[0].rule == "tariff_error"
    assert bad.findings[0].message == (
        "contract 1: COLD line 'Water share': the unit price 5000000000000.000000 "
        "is too large for an invoice line (at most 12 digits before the decimal point)"
    )


def test_a_gross_total_beyond_the_column_holds_the_charge():
    # net 9,500,000,000,000,000.00 fits; with 11% VAT the gross does not
    charge = Charge(1, None, lines=[_line(net_amount=D("9500000000000000.00"))])

    assert hold_unstorable([charge], "RON") == 1
    assert "the gross total 10545000000000000.00 is too large for an invoice" in (
        charge.findings[0].message
    )


@pytest.mark.django_db
def test_a_decimal_error_in_rating_is_said_in_words(small_building, monkeypatch):
    # whatever overflows in the rating engine (a limit × months beyond the context)
    def overflowing(self, usages):
        return [Overflow(Overflow) for _ in usages]

    monkeypatch.setattr(Rater, "rate_many", overflowing)

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    assert run.summary["issued"] == 0
    messages = Finding.objects.filter(rule="tariff_error").values_list(
        "message", flat=True
    )
    assert len(messages) == 3
    assert {m.split(": ", 1)[1] for m in messages} == {
        "Cold water tariff COLD: an amount is out of range (more digits than an "
        "invoice holds)"
    }
