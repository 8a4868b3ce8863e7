from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice

D = Decimal


def test_it_splits_the_period_at_a_mid_period_price_change(small_building, add_version):
    # given a new COLD version from 16 Nov: 6.00 RON/m3, fixed 2.00 RON/month
    add_version(date(2026, 11, 16), unit_price="6.00")

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then apartment 2 (own 20 m3, common 2 m3 = 22 m3) is rated in two parts of
    # 15 days each: 11 m3 per part, 10 own + 1 common (split 20 : 2).
    # 1–15 Nov at 5.00: own 50.00, common 5.00, fixed 0.5 month × 2.00 = 1.00
    # 16–30 Nov at 6.00: own 60.00, common 6.00, fixed 1.00
    # net 123.00, VAT 11% = 13.53, gross 136.53
    inv = Invoice.objects.get(apartment=small_building["apartments"][1])
    lines = [
        (ln.starts_on, ln.ends_on, ln.quantity, ln.unit_price_net, ln.net_amount)
        for ln in inv.lines.order_by("position")
    ]
    first, second = (
        (date(2026, 11, 1), date(2026, 11, 15)),
        (
            date(2026, 11, 16),
            date(2026, 11, 30),
        ),
    )
    assert lines == [
        (*first, D("10"), D("5"), D("50.00")),
        (*first, D("1"), D("5"), D("5.00")),
        (*first, D("0.5"), D("2"), D("1.00")),
        (*second, D("10"), D("6"), D("60.00")),
        (*second, D("1"), D("6"), D("6.00")),
        (*second, D("0.5"), D("2"), D("1.00")),
    ]
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("123.00"),
        D("13.53"),
        D("136.53"),
    )


def test_each_part_shows_its_dates_and_its_tariff_version(small_building, add_version):
    new = add_version(date(2026, 11, 16), unit_price="6.00")

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    inv = Invoice.objects.get(apartment=small_building["apartments"][1])
    last = inv.lines.order_by("position").last()
    assert last is not None
    assert last.description == "Cold water – fixed charge, 16.11 – 30.11.2026"
    assert last.trace["tariff"]["version"] == new.pk
    assert last.trace["part"] == ["2026-11-16", "2026-11-30"]
    own = inv.lines.get(position=4)
    assert own.description == "Cold water – own meter, 16.11 – 30.11.2026"
    assert own.trace["source"] == "own"
    # and the reading trace of the own meter is kept, no working keys leak
    assert own.trace["consumption"][0]["meter"] == "W2"
    assert not {"_text", "_items"} & set(own.trace)


def test_it_splits_the_period_at_a_vat_change(org, small_building):
    from meterbill.tariffs.services import add_vat_rate

    # given the organisation's standard rate: 11% from 2026, 19% from 16 Nov
    add_vat_rate(org, "S", D("11"), date(2026, 1, 1))
    add_vat_rate(org, "S", D("19"), date(2026, 11, 16))

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then apartment 2 at 5.00 RON/m3 in two parts of 15 days:
    # 1–15 Nov: own 10 × 5 = 50.00, common 1 × 5 = 5.00, fixed 1.00 → 56.00 at 11%
    # 16–30 Nov: the same 56.00 at 19%
    # VAT 11% × 56.00 = 6.16 and 19% × 56.00 = 10.64; net 112.00, gross 128.80
    inv = Invoice.objects.get(apartment=small_building["apartments"][1])
    rates = [
        (ln.starts_on, ln.vat_rate_percent, ln.net_amount)
        for ln in inv.lines.order_by("position")
    ]
    assert rates == [
        (date(2026, 11, 1), D("11"), D("50.00")),
        (date(2026, 11, 1), D("11"), D("5.00")),
        (date(2026, 11, 1), D("11"), D("1.00")),
        (date(2026, 11, 16), D("19"), D("50.00")),
        (date(2026, 11, 16), D("19"), D("5.00")),
        (date(2026, 11, 16), D("19"), D("1.00")),
    ]
    groups = {g["rate_percent"]: g["vat"] for g in inv.frozen["vat_breakdown"]}
    assert groups == {"11.00": "6.16", "19.00": "10.64"}
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("112.00"),
        D("16.80"),
        D("128.80"),
    )
