"""engine.contract_charges: a contract's fees and one-off items as priced lines
(pure, no database)."""

from datetime import date
from decimal import Decimal

from meterbill.engine.billing import Charge, PeriodIn
from meterbill.engine.components import VatRates
from meterbill.engine.contract_charges import (
    ContractChargeIn,
    add_contract_charges,
    charge_lines,
)

D = Decimal
NOVEMBER = PeriodIn(date(2026, 11, 1), date(2026, 11, 30), "2026-11")
SCHEDULE = (
    VatRates(date.min, {"E": D(0), "O": None}),
    VatRates(date(2026, 1, 1), {"E": D(0), "O": None, "S": D(19)}),
)


def fee(**changes) -> ContractChargeIn:
    values = dict(
        charge_id=7,
        code="FEE",
        description="Service fee",
        quantity=D(1),
        unit_code="C62",
        unit_price_net=D("12.00"),
        vat_category="S",
        vat_rate_percent=None,
        recurrence="monthly",
        valid_from=date(2026, 1, 1),
        valid_to=None,
        contract_valid_from=date(2020, 1, 1),
        contract_valid_to=None,
        currency="RON",
        vat_schedule=SCHEDULE,
    )
    values.update(changes)
    return ContractChargeIn(**values)


def test_it_prorates_a_monthly_fee_by_the_contracts_days_in_the_period():
    # given a contract from 11 November: 11..30 is 20 of November's 30 days
    item = fee(contract_valid_from=date(2026, 11, 11))

    (line,) = charge_lines(item, NOVEMBER)

    # then 20/30 × 12.00 = 8.00; 20/30 month shown as 0.6667 month
    assert line.net_amount == D("8.00")
    assert (line.quantity, line.unit_code, line.unit_price_net) == (
        D("0.6667"),
        "MON",
        D("12.00"),
    )
    assert (line.vat_category, line.vat_rate_percent) == ("S", D(19))
    assert (line.starts_on, line.ends_on) == (date(2026, 11, 11), date(2026, 11, 30))
    assert line.description == "Service fee, 11.11 – 30.11.2026"
    trace = line.trace["contract_charge"]
    assert trace["id"] == 7
    assert trace["rule"] == "fee per month × months (partial months by days)"


def test_it_bills_a_whole_month_without_dates_and_nothing_after_the_end():
    # given a fee of 2 meters × 3.50 a month, ended on 31 October
    item = fee(quantity=D(2), unit_price_net=D("3.50"))
    ended = fee(valid_to=date(2026, 10, 31))

    (line,) = charge_lines(item, NOVEMBER)

    # then 2 × 3.50 × 1 month = 7.00, and the ended fee bills nothing
    assert (line.net_amount, line.quantity, line.description) == (
        D("7.00"),
        D("2.0000"),
        "Service fee",
    )
    assert charge_lines(ended, NOVEMBER) == []


def test_it_splits_a_monthly_fee_where_the_vat_rate_changes():
    # given S goes from 19% to 21% on 16 November
    schedule = (*SCHEDULE, VatRates(date(2026, 11, 16), {"S": D(21)}))

    first, second = charge_lines(fee(vat_schedule=schedule), NOVEMBER)

    # then 15/30 × 12.00 = 6.00 at 19% and 15/30 × 12.00 = 6.00 at 21%
    assert (first.net_amount, first.vat_rate_percent) == (D("6.00"), D(19))
    assert (second.net_amount, second.vat_rate_percent) == (D("6.00"), D(21))
    assert (first.ends_on, second.starts_on) == (
        date(2026, 11, 15),
        date(2026, 11, 16),
    )


def test_it_bills_a_one_off_item_at_its_quantity_and_price():
    # given a connection fee of 150.00, exempt (E, rate 0)
    item = fee(
        recurrence="once",
        description="Connection fee",
        unit_price_net=D("150.00"),
        vat_category="E",
        valid_from=date(2026, 11, 15),
    )

    (line,) = charge_lines(item, NOVEMBER)

    # then 1 × 150.00 = 150.00 at E 0%, named "one-off item" in the trace
    assert (line.quantity, line.unit_code, line.net_amount) == (
        D(1),
        "C62",
        D("150.00"),
    )
    assert (line.vat_category, line.vat_rate_percent) == ("E", D(0))
    assert line.trace["contract_charge"]["rule"] == "one-off item"


def test_it_holds_the_invoice_when_the_category_has_no_rate():
    # given category S before the organisation has any S rate (2025)
    charge = Charge(contract_id=3, apartment_id=None)
    item = fee(recurrence="once", valid_from=date(2025, 6, 1))

    add_contract_charges(charge, [item], NOVEMBER)

    # then no line, and a blocking finding that names the charge
    assert charge.lines == []
    assert charge.held
    assert "charge 7 (Service fee): no VAT rate for category S" in (
        charge.findings[0].message
    )


def test_it_holds_an_invoice_mixing_category_o_with_another():
    # given a fee outside the scope of VAT (O) and one at S on the same contract
    charge = Charge(contract_id=3, apartment_id=None)
    outside = fee(charge_id=8, vat_category="O", vat_exemption_reason="Not subject")

    add_contract_charges(charge, [fee(), outside], NOVEMBER)

    # then both lines are priced, and the invoice is held (EN 16931 BR-O-11)
    assert [line.vat_category for line in charge.lines] == ["S", "O"]
    assert charge.held
    assert "cannot share an invoice with S" in charge.findings[0].message
