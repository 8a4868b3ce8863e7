"""A tenant moves out on the 12th of November (30 days) and another moves in on the
13th: each contract is billed for its own days, by the readings when there is one on
the change day, and heat by degree days when the branch has the temperatures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from builders import make_contract
from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice, InvoiceLine

D = Decimal
ISSUE = date(2026, 12, 4)
NOV_12, NOV_13, NOV_30 = date(2026, 11, 12), date(2026, 11, 13), date(2026, 11, 30)


def _move(apartment, tariffs, number="C1"):
    """The contract ``number`` of ``apartment`` ends on the 12th; a new customer's
    contract starts on the 13th with the same tariffs."""
    from meterbill.premises.models import Contract

    Contract.objects.filter(number=number).update(valid_to=NOV_12)
    residence = apartment.residence
    return make_contract(
        residence.branch,
        f"{number}-NEW",
        f"{number}-IN",
        "Incoming tenant",
        tariffs,
        apartment=apartment,
        valid_from=NOV_13,
        country="RO",
    )


def _invoice(number):
    return Invoice.objects.get(contract__number=number)


def _lines(number):
    return {
        ln.description: ln
        for ln in InvoiceLine.objects.filter(invoice__contract__number=number)
    }


@pytest.mark.django_db
def test_it_splits_a_move_out_on_the_12th_by_days(small_building):
    # given apartment 1 of the small building (own 10 m3, common 1 m3 of the 6 m3
    # by persons 1 / 2 / 3; 5.00 RON/m3, 2.00 RON/month fixed) changes tenant: the
    # outgoing contract ends on the 12th, the new one starts on the 13th, and no
    # reading was taken on the change day
    apartment = small_building["apartments"][0]
    _move(apartment, [small_building["tariff"]])

    run = bill_period(small_building["period"], issue_date=ISSUE)

    # then both contracts get an invoice for their days, 12 and 18 of 30:
    #   own 10 m3 → 10 × 12/30 = 4.000 and 6.000 m3
    #   common 1 m3 → 0.400 and 0.600 m3
    #   fixed 2.00/month → 12/30 × 2.00 = 0.80 and 18/30 × 2.00 = 1.20
    # outgoing net 4 × 5 + 0.4 × 5 + 0.80 = 22.80; incoming 30 + 3 + 1.20 = 34.20;
    # together 57.00, what the one contract paid before (50 + 5 + 2)
    assert run.summary["issued"] == 4
    out, new = _lines("C1"), _lines("C1-NEW")
    assert out["Cold water – own meter, 01.11 – 12.11.2026"].quantity == D("4")
    assert new["Cold water – own meter, 13.11 – 30.11.2026"].quantity == D("6")
    common = "Cold water – common consumption (by persons)"
    assert out[f"{common}, 01.11 – 12.11.2026"].quantity == D("0.4")
    assert new[f"{common}, 13.11 – 30.11.2026"].quantity == D("0.6")
    assert _invoice("C1").total_net == D("22.80")
    assert _invoice("C1-NEW").total_net == D("34.20")
    own = out["Cold water – own meter, 01.11 – 12.11.2026"]
    assert own.trace["occupants"]["text"] == "split between occupants: 12 of 30 days"
    assert (own.starts_on, own.ends_on) == (date(2026, 11, 1), NOV_12)
    fixed = next(ln for ln in new.values() if ln.unit_code == "MON")
    assert fixed.net_amount == D("1.20")
    assert fixed.trace["occupants"]["value"] == "18"
    # the other apartments are billed as before: apartment 2 net 112.00
    assert Invoice.objects.get(contract__number="C2").total_net == D("112.00")


@pytest.mark.django_db
def test_it_splits_the_own_consumption_by_a_reading_on_the_change_day(
    small_building,
):
    # given the same move, and apartment 1's meter read 106 on the 12th (opening
    # 100 on 31 Oct, closing 110 on 30 Nov)
    from meterbill.metering.models import Reading

    apartment = small_building["apartments"][0]
    Reading.objects.create(
        register=Reading.objects.filter(register__meter__serial="W1").first().register,
        read_on=NOV_12,
        value=D(106),
        source="manual",
    )
    _move(apartment, [small_building["tariff"]])

    bill_period(small_building["period"], issue_date=ISSUE)

    # then the own consumption follows the readings, 106 − 100 = 6 m3 and
    # 110 − 106 = 4 m3; the common share stays by days, 0.400 and 0.600 m3:
    # outgoing 6 × 5 + 0.4 × 5 + 0.80 = 32.80, incoming 20 + 3 + 1.20 = 24.20
    out, new = _lines("C1"), _lines("C1-NEW")
    own_out = out["Cold water – own meter, 01.11 – 12.11.2026"]
    own_new = new["Cold water – own meter, 13.11 – 30.11.2026"]
    assert (own_out.quantity, own_new.quantity) == (D("6"), D("4"))
    assert own_out.trace["occupants"]["basis"] == "readings"
    assert own_out.trace["occupants"]["text"] == (
        "split between occupants by the readings on 12.11.2026: 6 of 10 m3"
    )
    common = out["Cold water – common consumption (by persons), 01.11 – 12.11.2026"]
    assert common.trace["occupants"]["basis"] == "days"
    assert _invoice("C1").total_net == D("32.80")
    assert _invoice("C1-NEW").total_net == D("24.20")


@pytest.mark.django_db
def test_it_splits_heat_by_degree_days(heated_building):
    # given apartment 1 of the heated building (232.07 RON of the 1000.00 RON heat
    # bill, 110.0 corrected allocator units) changes tenant on the 12th, and the
    # branch's station had 8 °C each day from 1 to 12 November and 3 °C from 13 to
    # 30 November
    from meterbill.metering.models import TemperatureDay
    from meterbill.tariffs.models import Tariff

    apartment = heated_building["apartments"][0]
    branch = heated_building["residence"].branch
    TemperatureDay.objects.bulk_create(
        TemperatureDay(
            branch=branch,
            day=date(2026, 11, 1) + timedelta(days=n),
            mean_c=D(8) if n < 12 else D(3),
        )
        for n in range(30)
    )
    _move(apartment, [Tariff.objects.get(code="HEAT")], number="H-C1")

    bill_period(heated_building["period"], issue_date=ISSUE)

    # then heating degree days (base 18 °C): 12 × (18 − 8) = 120 for the outgoing
    # contract, 18 × (18 − 3) = 270 for the incoming one, 390 in all.
    # 23207 cents × 120/390 = 7140.6…, × 270/390 = 16066.3…: floors 23206, the cent
    # left to the larger remainder (.6): 71.41 and 160.66 (by days it would have
    # been 92.83 and 139.24). The units, 110.000 × 120/390 = 33.846…, and
    # 76.153… → 33.846 and 76.154.
    out = InvoiceLine.objects.get(invoice__contract__number="H-C1")
    new = InvoiceLine.objects.get(invoice__contract__number="H-C1-NEW")
    assert (out.net_amount, new.net_amount) == (D("71.41"), D("160.66"))
    assert (out.quantity, new.quantity) == (D("33.846"), D("76.154"))
    assert out.trace["occupants"]["text"] == (
        "split between occupants: 120 of 390 degree days"
    )
    assert (new.starts_on, new.ends_on) == (NOV_13, NOV_30)


@pytest.mark.django_db
def test_it_splits_heat_by_days_without_temperatures(heated_building):
    # given the same move and no temperatures for the branch
    from meterbill.tariffs.models import Tariff

    _move(
        heated_building["apartments"][0],
        [Tariff.objects.get(code="HEAT")],
        number="H-C1",
    )

    bill_period(heated_building["period"], issue_date=ISSUE)

    # then by days: 23207 cents × 12/30 = 9282.8 → 92.83, × 18/30 = 13924.2 →
    # 139.24, and the trace says why degree days were not used
    out = InvoiceLine.objects.get(invoice__contract__number="H-C1")
    new = InvoiceLine.objects.get(invoice__contract__number="H-C1-NEW")
    assert (out.net_amount, new.net_amount) == (D("92.83"), D("139.24"))
    assert out.trace["occupants"]["basis"] == "days"
    assert out.trace["occupants"]["note"].startswith("degree days not used")
