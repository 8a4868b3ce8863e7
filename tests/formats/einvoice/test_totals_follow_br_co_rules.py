from decimal import Decimal as D

from meterbill.formats.einvoice.model import (
    AllowanceCharge,
    Line,
    VatExemption,
    compute_totals,
    line_net_amount,
)

from .builder import utility_invoice, utility_lines


def test_it_computes_the_utility_invoice_totals_by_hand():
    doc = utility_invoice()

    totals = compute_totals(doc)

    assert totals.line_net_total == D("138.17")  # BR-CO-10
    assert totals.tax_exclusive == D("138.17")  # BR-CO-13
    assert [(b.rate, b.taxable_amount, b.tax_amount) for b in totals.vat_breakdown] == [
        (D("9"), D("123.17"), D("11.09")),  # 123.17 x 9% = 11.0853
        (D("19"), D("15.00"), D("2.85")),
    ]
    assert totals.vat_total == D("13.94")  # BR-CO-14
    assert totals.tax_inclusive == D("152.11")  # BR-CO-15
    assert totals.payable == D("152.11")  # BR-CO-16


def test_it_applies_document_allowances_charges_prepaid_and_rounding():
    doc = utility_invoice(
        allowances_charges=(
            AllowanceCharge(
                False, D("5.00"), "Reducere", "95", None, None, "S", D("19")
            ),
            AllowanceCharge(True, D("2.50"), "Taxa aviz", "", None, None, "S", D("9")),
        ),
        prepaid_amount=D("100.00"),
        rounding_amount=D("0.01"),
    )

    totals = compute_totals(doc)

    assert totals.allowance_total == D("5.00")  # BR-CO-11
    assert totals.charge_total == D("2.50")  # BR-CO-12
    # BR-CO-13: 138.17 - 5.00 + 2.50
    assert totals.tax_exclusive == D("135.67")
    # 9%: 123.17 + 2.50 = 125.67 -> 11.3103 -> 11.31; 19%: 15.00 - 5.00 = 10.00 -> 1.90
    assert [(b.taxable_amount, b.tax_amount) for b in totals.vat_breakdown] == [
        (D("125.67"), D("11.31")),
        (D("10.00"), D("1.90")),
    ]
    assert totals.vat_total == D("13.21")
    assert totals.tax_inclusive == D("148.88")
    # BR-CO-16: 148.88 - 100.00 + 0.01
    assert totals.payable == D("48.89")


def test_it_gives_exempt_categories_no_tax_and_their_reason():
    exempt = Line("4", D("1"), "C62", D("20"), D("20"), "Taxa", "E", D("0"))
    doc = utility_invoice(
        lines=(*utility_lines(), exempt),
        vat_exemptions=(VatExemption("E", "Scutit", "VATEX-EU-132"),),
    )

    totals = compute_totals(doc)

    assert totals.vat_breakdown[0].category == "E"
    assert totals.vat_breakdown[0].taxable_amount == D("20.00")
    assert totals.vat_breakdown[0].tax_amount == D("0.00")
    assert totals.vat_breakdown[0].exemption_reason_code == "VATEX-EU-132"
    assert totals.vat_total == D("13.94")
    assert totals.payable == D("172.11")


def test_it_rounds_the_line_net_amount_once():
    # 12.345 m3 x 7.8321 RON = 96.6872745
    assert line_net_amount(D("12.345"), D("7.8321"), "RON") == D("96.69")
    # price per 1000 kWh: 1530 kWh x 412.50 / 1000 = 631.125 -> 631.13, less 1.13
    allowance = AllowanceCharge(False, D("1.13"))
    net = line_net_amount(D("1530"), D("412.50"), "RON", D("1000"), (allowance,))
    assert net == D("630.00")
