"""A tenant or owner change mid-period splits the apartment's amount."""

from datetime import date
from decimal import Decimal as D

from meterbill.engine.allocation import (
    Apartment,
    Cost,
    KeyRule,
    Occupant,
    Period,
    allocate,
)

JANUARY = Period(date(2025, 1, 1), date(2025, 1, 31))


def test_it_splits_between_occupants_by_days():
    # given alice lives in A1 from 1 to 10 January (10 days), bob from 11 to 31
    # (21 days); A1's share is 100.00: 32.258.. and 67.741..; spare cent to alice
    alice = Occupant("alice", date(2024, 11, 1), date(2025, 1, 10))
    bob = Occupant("bob", date(2025, 1, 11), date(2025, 6, 30))
    apartments = [
        Apartment("A1", D(50), occupants=(alice, bob)),
        Apartment("A2", D(50)),
    ]
    cost = Cost("c", "heat", D("200.00"), "EUR", KeyRule("area"))

    # when
    result = allocate(apartments, [cost], "EUR", period=JANUARY)

    # then
    a1 = result.shares["c"]["A1"]
    assert [(o.occupant_id, o.amount, o.value) for o in a1.occupants] == [
        ("alice", D("32.26"), D(10)),
        ("bob", D("67.74"), D(21)),
    ]
    assert result.shares["c"]["A2"].occupants == ()


def test_it_splits_between_occupants_by_degree_days_when_all_have_them():
    # given alice 300 degree-days, bob 500: 100.00 x 3/8 and 5/8
    alice = Occupant("alice", date(2025, 1, 1), date(2025, 1, 10), D(300))
    bob = Occupant("bob", date(2025, 1, 11), date(2025, 1, 31), D(500))
    apartments = [Apartment("A1", D(50), occupants=(alice, bob))]
    cost = Cost("c", "heat", D("100.00"), "EUR", KeyRule("area"))

    # when
    result = allocate(apartments, [cost], "EUR", period=JANUARY)

    # then
    occupants = result.shares["c"]["A1"].occupants
    assert [(o.amount, o.basis) for o in occupants] == [
        (D("37.50"), "degree_days"),
        (D("62.50"), "degree_days"),
    ]
