from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice

D = Decimal


def test_blocks_apply_to_own_plus_common_consumption(small_building, with_components):
    # given COLD as blocks: the first 15 m3 a month at 4.00, the rest at 6.00
    with_components(
        {
            "kind": "block",
            "code": "WATER",
            "description": "Cold water",
            "params": {"blocks": [["15", "4.00"], [None, "6.00"]]},
        }
    )

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then apartment 2's 22 m3 (own 20 + common 2) fill block 1 with 15 m3 (60.00)
    # and block 2 with 7 m3 (42.00): net 102.00, VAT 11% 11.22, gross 113.22 —
    # rating own and common apart would have given 15×4 + 5×6 + 2×4 = 98.00
    inv = Invoice.objects.get(apartment=small_building["apartments"][1])
    lines = [
        (ln.description, ln.quantity, ln.net_amount)
        for ln in inv.lines.order_by("position")
    ]
    assert lines == [
        ("Cold water, block 1", D("15"), D("60.00")),
        ("Cold water, block 2", D("7"), D("42.00")),
    ]
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("102.00"),
        D("11.22"),
        D("113.22"),
    )
    # and the trace says how much of it is own and how much the common share
    first = inv.lines.get(position=1)
    assert (first.trace["own_quantity"], first.trace["common_quantity"]) == (
        "20.000",
        "2.000",
    )


def test_a_minimum_tops_up_the_service_total(small_building, with_components):
    # given 1.00 RON/m3 and a minimum of 15.00 RON a month
    with_components(
        {
            "kind": "unit_price",
            "code": "WATER",
            "description": "Cold water",
            "params": {"unit_price": "1.00"},
        },
        {
            "kind": "minimum",
            "code": "MIN",
            "description": "Minimum charge",
            "params": {"amount_per_month": "15.00"},
        },
    )

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then apartment 1: own 10 + common 1 = 11 m3 × 1.00 = 11.00, topped up by 4.00
    # to 15.00; apartment 3: 33 m3 = 33.00, above the minimum, no top-up
    one = Invoice.objects.get(apartment=small_building["apartments"][0])
    assert [
        (ln.description, ln.net_amount) for ln in one.lines.order_by("position")
    ] == [
        ("Cold water – own meter", D("10.00")),
        ("Cold water – common consumption", D("1.00")),
        ("Minimum charge", D("4.00")),
    ]
    three = Invoice.objects.get(apartment=small_building["apartments"][2])
    assert three.total_net == D("33.00")
