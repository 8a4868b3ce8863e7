"""Properties over random buildings and costs: exact sums, no negative shares."""

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.engine.allocation import (
    Allocator,
    Apartment,
    CommonHeatingRule,
    ConsumptionRule,
    Cost,
    HotWaterHeatRule,
    KeyRule,
    MixedRule,
    Occupant,
    Period,
    allocate,
)

JANUARY = Period(date(2025, 1, 1), date(2025, 1, 31))
quantities = st.decimals(min_value=0, max_value=1000, places=3)
occupant_pairs = st.lists(st.integers(min_value=1, max_value=31), max_size=2)


@st.composite
def apartments(draw, index: int) -> Apartment:
    consumption = {}
    if draw(st.booleans()):
        consumption = {"water": draw(quantities), "hot_water": draw(quantities)}
    changes = sorted(draw(occupant_pairs))
    occupants = tuple(
        Occupant(f"o{i}", date(2025, 1, 1 if i == 0 else day), date(2025, 1, 31))
        for i, day in enumerate(changes)
    )
    return Apartment(
        f"A{index}",
        draw(st.decimals(min_value=0, max_value=300, places=2)),
        persons=D(draw(st.integers(min_value=0, max_value=6))),
        quota=draw(st.decimals(min_value=0, max_value=1, places=4)),
        consumption=consumption,
        allocators=(Allocator("r", draw(quantities), kq=D("1.1"), kc=D("0.95")),),
        estimated=draw(st.booleans()),
        occupants=occupants,
    )


@st.composite
def buildings(draw) -> list[Apartment]:
    size = draw(st.integers(min_value=1, max_value=8))
    return [draw(apartments(i)) for i in range(size)]


percents = st.decimals(min_value=0, max_value=100, places=2)
rules = st.one_of(
    st.sampled_from(
        ["area", "heated_area", "persons", "person_days", "equal", "quota"]
    ).map(KeyRule),
    st.builds(MixedRule, percents, st.sampled_from(["allocator_units", "consumption"])),
    st.builds(
        ConsumptionRule,
        common_key=st.sampled_from(["area", "persons", "equal"]),
        negative_policy=st.sampled_from(["reduce_proportionally", "block"]),
        norm_per_person=quantities,
    ),
    percents.map(lambda p: CommonHeatingRule({"I": {1: p}}, "I", 1, D(25))),
    st.builds(
        HotWaterHeatRule,
        st.just(MixedRule(D(60))),
        st.decimals(min_value=0, max_value=60, places=1),
    ),
)
amounts = st.decimals(min_value=0, max_value=100000, places=2)


@settings(max_examples=300, deadline=None)
@given(buildings(), rules, amounts, st.decimals(min_value=1, max_value=9999, places=3))
def test_it_splits_every_cost_to_the_cent_with_no_negative_share(
    building, rule, amount, quantity
):
    cost = Cost("c", "water", amount, "EUR", rule, quantity=quantity)

    result = allocate(building, [cost], "EUR", period=JANUARY)

    shares = result.shares["c"]
    if not shares:  # blocked: a negative common consumption under "block"
        assert [f.severity for f in result.findings].count("error") == 1
        return
    assert sum(s.amount for s in shares.values()) == amount
    assert sum(s.quantity or 0 for s in shares.values()) == quantity
    assert all(s.amount >= 0 for s in shares.values())
    for share in shares.values():
        if share.occupants:
            assert sum(o.amount for o in share.occupants) == share.amount


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=12),
    st.decimals(min_value=0, max_value=500, places=2),
    amounts,
)
def test_it_keeps_equal_weights_within_one_cent(size, area, amount):
    building = [Apartment(f"A{i}", area) for i in range(size)]
    cost = Cost("c", "heat", amount, "EUR", MixedRule(D(70)))

    result = allocate(building, [cost], "EUR")

    values = [s.amount for s in result.shares["c"].values()]
    assert max(values) - min(values) <= D("0.01")


@settings(max_examples=100, deadline=None)
@given(buildings(), st.decimals(min_value=-5000, max_value=0, places=2))
def test_it_splits_a_credit_to_the_cent(building, amount):
    cost = Cost("c", "heat", amount, "EUR", KeyRule("area"))

    result = allocate(building, [cost], "EUR")

    assert sum(s.amount for s in result.shares["c"].values()) == amount
