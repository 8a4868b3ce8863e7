"""A settled over-estimate in a residence with a main meter (issue 3/5): the
apartment's negative own consumption enters the common split, its invoice shows the
settlement on a line of its own, and no invoice of the residence is held."""

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding, Period
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading, Register

D = Decimal
NOV_30, DEC_14, DEC_31 = date(2026, 11, 30), date(2026, 12, 14), date(2026, 12, 31)


def test_a_settled_over_estimate_is_split_with_the_common_and_shown(
    small_building, branches
):
    # November: W1's 30 Nov reading is missing, so November bills the estimate
    # 109.677 (the F6 fixture story).
    w1 = Register.objects.get(meter__serial="W1")
    Reading.objects.filter(register=w1, read_on=NOV_30).delete()
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    december = Period.objects.create(
        branch=branches["north"],
        name="2026-12",
        starts_on=date(2026, 12, 1),
        ends_on=DEC_31,
    )
    Reading.objects.create(register=w1, read_on=DEC_14, value=D("105"), source="manual")
    for serial, value in (("W2", 240), ("W3", 360), ("MAIN", 1118)):
        Reading.objects.create(
            register=Register.objects.get(meter__serial=serial),
            read_on=DEC_31,
            value=value,
            source="manual",
        )
    bill_period(december, issue_date=date(2027, 1, 5))

    # then December, main meter 1066 → 1118 = 52 m3; apartments: W1 settles
    # 105 − 109.677 = −4.677 (no use of its own after the estimate), W2 20, W3 30:
    # Σ = 45.323, common = 52 − 45.323 = 6.677 m3 (November's common was too small
    # by the same 4.677: 66 − 59.677 = 6.323 instead of 66 − 55 = 11).
    # By persons 1/2/3: 1.1128333, 2.2256667, 3.3385. Each apartment's weight is
    # own + common: −3.5641667, 22.2256667, 33.3385 (Σ 52); in 0.001 steps floored
    # −3565, 22225, 33338 (Σ 51998), the 2 steps left go to the largest remainders
    # (.833, .667): −3.564, 22.226, 33.338. Common items: −3.564 + 4.677 = 1.113,
    # 2.226, 3.338 (Σ 6.677).
    lines = {
        i.apartment.number: [
            (line.description, line.quantity, line.net_amount)
            for line in i.lines.order_by("pk")
        ]
        for i in Invoice.objects.filter(period=december).select_related("apartment")
    }
    common = "Cold water – common consumption (by persons)"
    fixed = ("Cold water – fixed charge", D(1), D("2.00"))
    # At 5.00 RON/m3: −4.677 → −23.385 → −23.39; 1.113 → 5.565 → 5.57
    assert lines["1"] == [
        (
            "Cold water – settlement of the estimate of 30 Nov 2026: 109.677 → "
            "actual 105.000 read on 14 Dec 2026",
            D("-4.677"),
            D("-23.39"),
        ),
        (common, D("1.113"), D("5.57")),
        fixed,
    ]
    # 20 × 5 = 100.00, 2.226 × 5 = 11.13; 30 × 5 = 150.00, 3.338 × 5 = 16.69
    assert lines["2"] == [
        ("Cold water – own meter", D(20), D("100.00")),
        (common, D("2.226"), D("11.13")),
        fixed,
    ]
    assert lines["3"] == [
        ("Cold water – own meter", D(30), D("150.00")),
        (common, D("3.338"), D("16.69")),
        fixed,
    ]
    # −23.39 + 5.57 + 2.00 = −15.82; nothing holds any invoice of the residence
    totals = Invoice.objects.filter(period=december).order_by("apartment__number")
    assert [i.total_net for i in totals] == [D("-15.82"), D("113.13"), D("168.69")]
    assert not Finding.objects.filter(period=december).exists()
