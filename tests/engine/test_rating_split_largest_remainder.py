"""Largest-remainder splits: the parts add up to the total exactly, each within one
step of its exact share."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from meterbill.engine.money import split_largest_remainder

D = Decimal
STEP = D("0.01")

weights_st = st.lists(
    st.decimals(min_value=0, max_value=10_000, places=3), min_size=1, max_size=12
)
totals_st = st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: n * STEP)


@given(total=totals_st, weights=weights_st)
def test_it_always_sums_to_the_total(total, weights):
    parts = split_largest_remainder(total, dict(enumerate(weights)), STEP)

    assert sum(parts.values(), D(0)) == total
    assert all(p == p.quantize(STEP) for p in parts.values())


@given(total=totals_st, weights=weights_st)
def test_each_part_is_within_one_step_of_its_exact_share(total, weights):
    parts = split_largest_remainder(total, dict(enumerate(weights)), STEP)

    weight_sum = sum(weights, D(0))
    for key, w in enumerate(weights):
        exact = total * w / weight_sum if weight_sum else total / len(weights)
        assert abs(parts[key] - exact) < STEP


def test_it_gives_the_left_over_cents_to_the_largest_remainders():
    # given 100.00 over 1 : 1 : 1 → 33.333… each, one cent left over
    parts = split_largest_remainder(
        D("100.00"), {"a": D(1), "b": D(1), "c": D(1)}, STEP
    )

    # then ties go by key order: a gets the cent
    assert parts == {"a": D("33.34"), "b": D("33.33"), "c": D("33.33")}
