"""Inputs that cannot be allocated raise AllocationError (a ValueError)."""

from decimal import Decimal as D

import pytest

from meterbill.engine.allocation import (
    AllocationError,
    Apartment,
    Cost,
    KeyRule,
    allocate,
)

BUILDING = [Apartment("A1", D(50)), Apartment("A2", D(70))]


def test_it_rejects_an_amount_finer_than_the_currency():
    cost = Cost("c", "heat", D("10.005"), "EUR", KeyRule("area"))

    with pytest.raises(AllocationError, match=r"finer than 0\.01"):
        allocate(BUILDING, [cost], "EUR")


def test_it_rejects_a_cost_in_another_currency():
    cost = Cost("c", "heat", D("10.00"), "RON", KeyRule("area"))

    with pytest.raises(AllocationError, match="currency RON"):
        allocate(BUILDING, [cost], "EUR")


def test_it_rejects_a_negative_area():
    apartments = [Apartment("A1", D(-1))]
    cost = Cost("c", "heat", D("10.00"), "EUR", KeyRule("area"))

    with pytest.raises(AllocationError, match="must not be negative"):
        allocate(apartments, [cost], "EUR")


def test_it_rejects_custom_weights_missing_an_apartment():
    cost = Cost("c", "heat", D("10.00"), "EUR", KeyRule("custom", weights={"A1": D(1)}))

    with pytest.raises(AllocationError, match="custom weights missing for A2"):
        allocate(BUILDING, [cost], "EUR")


def test_it_splits_equally_and_says_so_when_the_key_total_is_zero():
    # given nobody is registered: persons 0 + 0
    cost = Cost("c", "heat", D("10.01"), "EUR", KeyRule("persons"))

    # when
    result = allocate(BUILDING, [cost], "EUR")

    # then 5.005 each; the tie goes to the first in key order
    assert [s.amount for s in result.shares["c"].values()] == [D("5.01"), D("5.00")]
    assert [f.code for f in result.findings] == ["zero_key_total"]
