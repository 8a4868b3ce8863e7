"""The batch path (prepare_version + rate_many) gives what rate_period gives: the
same lines, amounts (to the digit, exponent included), traces, totals and parts, or
the same error, for random tariffs, VAT schedules, periods and usages."""

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meterbill.engine.components import (
    STANDARD_NAMES,
    BlockPrice,
    ExciseTax,
    FixedCharge,
    FormulaCharge,
    MaximumCharge,
    MinimumCharge,
    Rounding,
    SeasonalPrice,
    TariffVersion,
    UnitPrice,
    Usage,
    VatRates,
    rate_period,
)
from meterbill.engine.components_batch import prepare_version, rate_many
from meterbill.engine.formula import compile_formula


def compiled(*texts: str) -> list:
    """The formulas, compiled with the standard names and a table "fees"."""
    return [compile_formula(text, STANDARD_NAMES, ["fees"]) for text in texts]


# priced for every usage
PRICING = compiled(
    "round(area * 0.035 + persons * 1.5, 2)",
    'if(persons > 0, lookup("fees", "lift") * persons, 0)',
    "tier(consumption, [10 * months, 1.50], [None, 2.10])",
    "max(days / 3, 1) * 0.333",
)
# raise for some usages: division by zero for an empty apartment, no key for
# most persons
FAILING = compiled("consumption / persons", 'lookup("fees", persons)')
FORMULAS = [*PRICING, *FAILING]

money = st.decimals(min_value=-5, max_value=300, places=3, allow_nan=False)
price = st.decimals(min_value=0, max_value=50, places=4, allow_nan=False)
category = st.sampled_from(["S", "S", "S", "Z", "O", "E"])


@st.composite
def blocks(draw):
    limits = sorted(
        draw(st.sets(st.integers(min_value=1, max_value=40), min_size=0, max_size=3))
    )
    prices = draw(st.lists(price, min_size=len(limits) + 1, max_size=len(limits) + 1))
    return tuple(zip([D(n) for n in limits] + [None], prices, strict=True))


def components():
    code = st.text("ABCDEFGH", min_size=1, max_size=2)
    return st.one_of(
        st.builds(
            FixedCharge,
            code,
            st.just("Standing charge"),
            category,
            amount_per_month=price,
            per=st.sampled_from(["apartment", "meter"]),
        ),
        st.builds(UnitPrice, code, st.just("Water"), category, unit_price=price),
        st.builds(ExciseTax, code, st.just("Levy"), category, unit_price=price),
        st.builds(
            BlockPrice,
            code,
            st.just("Sewerage"),
            category,
            blocks=blocks(),
            basis=st.sampled_from(["incremental", "all_units"]),
        ),
        st.builds(
            SeasonalPrice,
            code,
            st.just("Heat"),
            category,
            prices_by_month=st.lists(price, min_size=12, max_size=12).map(tuple),
        ),
        st.builds(
            FormulaCharge,
            code,
            st.just("Formula"),
            category,
            formula=st.sampled_from(FORMULAS),
            quantity=st.one_of(st.none(), st.sampled_from(FORMULAS)),
        ),
        st.builds(MinimumCharge, code, st.just("Minimum"), category, price),
        st.builds(MaximumCharge, code, st.just("Maximum"), category, price),
    )


@st.composite
def tariffs(draw):
    starts = sorted(
        draw(st.sets(st.integers(min_value=0, max_value=400), min_size=1, max_size=3))
    )
    versions = [
        TariffVersion(
            "T",
            date(2025, 1, 1) + timedelta(days=day),
            draw(st.sampled_from(["EUR", "EUR", "EUR", "JPY"])) if i else "EUR",
            tuple(draw(st.lists(components(), min_size=0, max_size=8))),
            {"fees": {"lift": D("2.75"), "2": D("4.10")}},
        )
        for i, day in enumerate(starts)
    ]
    vat_starts = sorted(
        draw(st.sets(st.integers(min_value=0, max_value=400), min_size=1, max_size=3))
    )
    vat = [
        VatRates(
            date(2025, 1, 1) + timedelta(days=day),
            draw(
                st.sampled_from(
                    [
                        {"S": D(19), "Z": D(0), "O": None},
                        {"S": D("21.0"), "Z": D(0), "O": None, "E": D(0)},
                        {"S": D(9)},
                    ]
                )
            ),
        )
        for day in vat_starts
    ]
    return versions, vat


@st.composite
def usages(draw):
    # a few periods shared by many apartments, as in a bill run
    periods = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=-20, max_value=420),
                st.integers(min_value=-3, max_value=120),
            ),
            min_size=1,
            max_size=3,
        )
    )
    out = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        first, length = draw(st.sampled_from(periods))
        starts_on = date(2025, 1, 1) + timedelta(days=first)
        variables = {
            "area": draw(st.decimals(min_value=0, max_value=200, places=2)),
            "persons": D(draw(st.integers(min_value=0, max_value=4))),
        }
        if draw(st.booleans()):
            variables["meters"] = D(draw(st.integers(min_value=1, max_value=3)))
        out.append(
            Usage(starts_on, starts_on + timedelta(days=length), draw(money), variables)
        )
    return out


def reference(versions, vat, usage, rounding):
    try:
        return rate_period(versions, vat, usage, rounding)
    except (ValueError, ArithmeticError) as exc:  # RatingError, FormulaError...
        return exc


def same(left, right):
    if isinstance(left, Exception) or isinstance(right, Exception):
        return type(left) is type(right) and str(left) == str(right)
    # repr shows every Decimal with its exponent, every trace entry in order
    return left == right and repr(left) == repr(right)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tariff=tariffs(),
    work=usages(),
    mode=st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN]),
    point=st.sampled_from(["line", "invoice"]),
)
def test_it_rates_every_usage_as_rate_period_does(tariff, work, mode, point):
    # given random tariff versions, VAT schedules and usages
    versions, vat = tariff
    rounding = Rounding(mode, point)

    # when rated one by one and in one batch
    expected = [reference(versions, vat, usage, rounding) for usage in work]
    got = rate_many([prepare_version(v) for v in versions], work, vat, rounding)

    # then every result, or error, is the same
    assert len(got) == len(expected)
    for one, other in zip(got, expected, strict=True):
        assert same(one, other), (one, other)
