"""Invoices are printed in the order a distributor walks: staircase, floor,
apartment number (natural order); direct contracts after, by customer name."""

from meterbill.invoicing.models import Invoice
from meterbill.invoicing.printing import in_delivery_order, printable_invoices
from meterbill.premises.models import Apartment, Customer


def test_it_orders_by_staircase_floor_and_natural_apartment_number(
    billed_building, laid_out
):
    period = billed_building["period"]

    printed = in_delivery_order(printable_invoices(period))

    assert [inv.apartment.number for inv in printed] == ["12", "9", "10"]


def test_it_puts_staircase_a_before_b_and_direct_contracts_last_by_name():
    # given unsaved invoices: two in staircases B and A, two direct contracts
    b1 = Invoice(
        full_number="X-1",
        apartment=Apartment(number="1", staircase="B", floor=0),
        customer=Customer(name="Anna"),
    )
    a7 = Invoice(
        full_number="X-2",
        apartment=Apartment(number="7", staircase="A", floor=3),
        customer=Customer(name="Zoe"),
    )
    zeta = Invoice(full_number="X-3", customer=Customer(name="Zeta SRL"))
    alpha = Invoice(full_number="X-4", customer=Customer(name="alpha SA"))

    printed = in_delivery_order([zeta, b1, alpha, a7])

    assert [inv.full_number for inv in printed] == ["X-2", "X-1", "X-4", "X-3"]
