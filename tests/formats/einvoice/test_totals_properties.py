from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from meterbill.formats.einvoice.model import Line, compute_totals

from .builder import utility_invoice

amounts = st.decimals(min_value=D("-99999.99"), max_value=D("99999.99"), places=2)
rates = st.sampled_from([D("0"), D("5"), D("9"), D("19"), D("21"), D("27")])


@given(st.lists(st.tuples(amounts, rates), min_size=1, max_size=20))
def test_it_keeps_br_co_10_13_15_exact_for_any_line_amounts(items):
    lines = tuple(
        Line(str(i), D("1"), "C62", amount, amount, "x", "S", rate)
        for i, (amount, rate) in enumerate(items, start=1)
    )

    totals = compute_totals(utility_invoice(lines=lines))

    assert totals.line_net_total == sum(a for a, _ in items)  # BR-CO-10
    assert totals.tax_exclusive == (
        totals.line_net_total - totals.allowance_total + totals.charge_total
    )  # BR-CO-13
    assert totals.tax_inclusive == totals.tax_exclusive + totals.vat_total  # BR-CO-15
    assert totals.vat_total == sum(b.tax_amount for b in totals.vat_breakdown)
    assert all(
        b.tax_amount == b.tax_amount.quantize(D("0.01")) for b in totals.vat_breakdown
    )
