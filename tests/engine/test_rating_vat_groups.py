"""VAT is computed once per (category, rate) group on the sum of its line nets
(EN 16931 BR-CO-17), never line by line: the stored invoice lines' totals are the
components engine's ``invoice_totals``."""

from decimal import Decimal

from meterbill.engine.components import invoice_totals
from meterbill.engine.rating import Line

D = Decimal


def line(net: str, rate: str, category: str = "S") -> Line:
    return Line("x", "x", D(1), "unit", "C62", D(net), D(net), category, D(rate))


def test_it_rounds_vat_once_per_group():
    # given three lines of 0.10 at 5%: line by line 0.005 → 0.01 each = 0.03
    lines = [line("0.10", "5")] * 3

    result = invoice_totals(lines, "RON")

    # then the group base is 0.30 and its VAT 0.015 → 0.02 (half up), once
    assert [(g.taxable_amount, g.tax_amount) for g in result.vat_breakdown] == [
        (D("0.30"), D("0.02"))
    ]
    assert (result.tax_exclusive, result.vat_total, result.tax_inclusive) == (
        D("0.30"),
        D("0.02"),
        D("0.32"),
    )


def test_it_keeps_separate_groups_per_rate_and_category():
    # given 100.05 at 19%, 10.05 at 9% and 3.00 exempt (E, 0%)
    lines = [line("100.05", "19"), line("10.05", "9"), line("3.00", "0", "E")]

    result = invoice_totals(lines, "EUR")

    # then 19% of 100.05 = 19.0095 → 19.01; 9% of 10.05 = 0.9045 → 0.90; E → 0.00
    groups = {(g.category, g.rate_percent): g.tax_amount for g in result.vat_breakdown}
    assert groups == {
        ("S", D("19")): D("19.01"),
        ("S", D("9")): D("0.90"),
        ("E", D("0")): D("0.00"),
    }
    # and the VAT total is the sum of the groups (BR-CO-14): 19.91; gross 133.01
    assert result.vat_total == D("19.91")
    assert result.tax_inclusive == D("133.01")
