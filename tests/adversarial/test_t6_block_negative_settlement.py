"""T6 (issue 4, block prices): an estimate that was too high settles in the next
period as a negative quantity, "priced at the tariff like any consumption ... so
the customer is credited what the estimate billed too much" (docs/validation.md,
"Settling an estimate"). With a ``block`` component (incremental, the default)
a negative quantity makes no line at all (``BlockPrice.lines`` stops before the
first block when nothing is left), so the apartment gets no invoice for the
period and no finding: the estimate's excess is never credited, silently.

Steps: the small building's COLD tariff as blocks 0-10 m3 at 5.00 and the rest
at 8.00; apartment 1 has no closing reading for November (estimated 109.677 from
100, billed); its actual on 31 December is 105, so December is -4.677 m3.
Expected: apartment 1's December invoice credits the settlement (a negative
amount), or the contract is held with a finding saying why. Actual: apartments
2 and 3 are billed, apartment 1 has neither an invoice nor a finding.

Since fixed: a negative quantity is priced all at the first block's price on
either basis (docs/tariffs.md, "Block prices"), so the settlement is credited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding, Period
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading, Register
from meterbill.tariffs.models import TariffComponent

pytestmark = pytest.mark.django_db


def test_an_estimate_too_high_is_credited_on_a_block_tariff(small_building):
    version = small_building["tariff"].versions.get()
    TariffComponent.objects.create(
        version=version,
        position=1,
        kind="block",
        code="WATER",
        description="Water",
        params={"blocks": [["10", "5.00"], [None, "8.00"]]},
    )
    apt1, apt2, apt3 = small_building["apartments"]
    Reading.objects.filter(
        register__meter__apartment=apt1, read_on=date(2026, 11, 30)
    ).delete()
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    estimate = Reading.objects.get(
        register__meter__apartment=apt1, read_on=date(2026, 11, 30)
    )
    assert estimate.value == D("109.677")  # billed in November

    # December: apartment 1 reads 105 (below the estimate), the others and the
    # main meter go on
    for apt, closing in ((apt1, 105), (apt2, 230), (apt3, 345)):
        register = Register.objects.get(meter__apartment=apt)
        Reading.objects.create(
            register=register, read_on=date(2026, 12, 31), value=D(closing)
        )
    main = Register.objects.get(meter__kind="main")
    Reading.objects.create(register=main, read_on=date(2026, 12, 31), value=D(1095))
    december = Period.objects.create(
        branch=small_building["period"].branch,
        name="2026-12",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )

    bill_period(december, issue_date=date(2026, 12, 31))

    contract = apt1.contract_set.get()
    credited = Invoice.objects.filter(period=december, apartment=apt1).first()
    held = Finding.objects.filter(period=december, subject=f"contract:{contract.pk}")
    # apartment 1: own 105 − 109.677 = −4.677 m3; common: main 1095 − 1066 = 29
    # less the apartments' −4.677 + 10 + 15 = 20.323 → 8.677, by persons 1 of 6
    # → 1.446; −4.677 + 1.446 = −3.231 m3 credited at the first block's price:
    # −3.231 × 5.00 = −16.155 → −16.16, VAT 11 % −1.7776 → −1.78, −17.94
    assert not held.exists()
    assert credited is not None
    assert [
        (line.description, line.quantity, line.unit_price_net, line.net_amount)
        for line in credited.lines.all()
    ] == [("Water, block 1", D("-3.231"), D("5.00"), D("-16.16"))]
    assert (credited.total_net, credited.total_vat, credited.total_gross) == (
        D("-16.16"),
        D("-1.78"),
        D("-17.94"),
    )
