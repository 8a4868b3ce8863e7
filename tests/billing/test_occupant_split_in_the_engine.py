"""The engine's split between occupants on its own: three contracts in one month,
parts that add up exactly, and an item only some of the contracts take."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from meterbill.engine.billing import ApartmentIn, Charge, PeriodIn, UtilityIn
from meterbill.engine.billing_occupants import OccupancyIn, split_charge
from meterbill.engine.pricing import Item, ServiceTariff, TariffPlan

D = Decimal
NOVEMBER = PeriodIn(date(2026, 11, 1), date(2026, 11, 30), "2026-11")
WATER = UtilityIn("cold", "Cold water", "cold_water", "m3", "MTQ")
SEWERAGE = UtilityIn("sewer", "Sewerage", "sewerage", "m3", "MTQ")
PLAN = ServiceTariff(TariffPlan("T", (), ()))


def _apartment(*occupancies):
    return ApartmentIn(
        1, "1", 2, 3, {"cold": PLAN, "sewer": PLAN}, occupancies=occupancies
    )


def _occupancy(contract_id, first, last, *codes):
    return OccupancyIn(
        contract_id,
        date(2026, 11, first),
        date(2026, 11, last),
        {code: PLAN for code in codes},
    )


def test_it_splits_an_item_over_three_contracts_to_the_last_unit():
    # given three contracts of 10 days each and a cost share of 10.00 for 1.000 m3
    apartment = _apartment(
        _occupancy(1, 1, 10, "cold"),
        _occupancy(2, 11, 20, "cold"),
        _occupancy(3, 21, 30, "cold"),
    )
    charge = Charge(3, 1)
    charge.items.append(
        Item(
            "cold",
            "cost",
            "Cold water – share",
            D("1.000"),
            "m3",
            "MTQ",
            {},
            D("10.00"),
        )
    )

    parts = split_charge(charge, apartment, {"cold": WATER}, NOVEMBER, {})

    # then 1000 litres × 10/30 = 333.3 each: floors 999, the litre left goes to the
    # first contract (equal remainders and weights: the first in order); the same
    # for the 1000 cents: 3.34, 3.33, 3.33
    quantities = [p.items[0].quantity for p in parts]
    amounts = [p.items[0].amount for p in parts]
    assert quantities == [D("0.334"), D("0.333"), D("0.333")]
    assert amounts == [D("3.34"), D("3.33"), D("3.33")]
    assert [p.contract_id for p in parts] == [1, 2, 3]
    assert parts[1].items[0].trace["occupants"]["text"] == (
        "split between occupants: 10 of 30 days"
    )


def test_it_gives_an_item_only_to_the_contracts_that_take_its_utility():
    # given the outgoing contract (1–12) takes water and sewerage, the incoming one
    # (13–30) only water
    apartment = _apartment(
        _occupancy(1, 1, 12, "cold", "sewer"), _occupancy(2, 13, 30, "cold")
    )
    charge = Charge(2, 1)
    charge.items += [
        Item("cold", "own", "Cold water – own meter", D("9.000"), "m3", "MTQ", {}),
        Item("sewer", "own", "Sewerage", D("9.000"), "m3", "MTQ", {}),
    ]

    out, new = split_charge(
        charge, apartment, {"cold": WATER, "sewer": SEWERAGE}, NOVEMBER, {}
    )

    # then water by days, 9 × 12/30 = 3.6 and 5.4 m3; the sewerage whole to the
    # outgoing contract, the only one taking it
    assert [(i.utility_code, i.quantity) for i in out.items] == [
        ("cold", D("3.600")),
        ("sewer", D("9.000")),
    ]
    assert [(i.utility_code, i.quantity) for i in new.items] == [("cold", D("5.400"))]
