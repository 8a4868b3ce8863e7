"""The columnar path of rate_many (many usages of one period, one part, one VAT
group, line rounding) gives what rate_period gives: the same lines, amounts to the
digit (exponent included), traces, totals and parts, or the same error, whether
or not some usage of the group raises; and a Rating made from columns behaves as
one made at once (read twice, compared, pickled)."""

import pickle
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
from meterbill.engine.components_batch import COLUMNS_FROM, prepare_version, rate_many
from meterbill.engine.formula import FormulaError, compile_formula

from .test_components_batch_agrees_with_rate_period import (
    FAILING,
    PRICING,
    compiled,
    price,
    reference,
    same,
)

FORMULAS = [*PRICING, *compiled("area / 7")]

quantity = st.one_of(
    st.decimals(min_value=-5, max_value=300, places=3, allow_nan=False),
    st.sampled_from([D(0), D("0.000"), D("-0"), D("1E+1"), D(5), D("15.0")]),
)
code = st.text("ABCDEFGH", min_size=1, max_size=2)


@st.composite
def blocks(draw):
    limits = [
        D(n)
        for n in sorted(
            draw(st.sets(st.integers(min_value=1, max_value=40), max_size=3))
        )
    ]
    if limits and draw(st.booleans()):
        # a limit 10^-30 above another (written out: an addition would round
        # it to 28 digits): the same once scaled by the months, so the block
        # between them has no room
        at = draw(st.integers(min_value=0, max_value=len(limits) - 1))
        limits.insert(at + 1, D(f"{limits[at]}.{'0' * 29}1"))
    prices = draw(st.lists(price, min_size=len(limits) + 1, max_size=len(limits) + 1))
    return tuple(zip([*limits, None], prices, strict=True))


def components(formulas):
    return st.one_of(
        st.builds(
            FixedCharge,
            code,
            st.just("Standing charge"),
            amount_per_month=price,
            per=st.sampled_from(["apartment", "meter"]),
        ),
        st.builds(UnitPrice, code, st.just("Water"), unit_price=price),
        st.builds(ExciseTax, code, st.just("Levy"), unit_price=price),
        st.builds(
            BlockPrice,
            code,
            st.just("Sewerage"),
            blocks=blocks(),
            basis=st.sampled_from(["incremental", "all_units"]),
        ),
        st.builds(
            SeasonalPrice,
            code,
            st.just("Heat"),
            prices_by_month=st.lists(price, min_size=12, max_size=12).map(tuple),
        ),
        st.builds(
            FormulaCharge,
            code,
            st.just("Formula"),
            formula=st.sampled_from(formulas),
            quantity=st.one_of(st.none(), st.sampled_from(formulas)),
        ),
        st.builds(MinimumCharge, code, st.just("Minimum"), amount_per_month=price),
        st.builds(MaximumCharge, code, st.just("Maximum"), amount_per_month=price),
    )


# too large for some lines: 10^26 units at a price with cents cannot be rounded
# to the cent, 10^25 meters' months cannot be shown to 0.0001 (28 digits)
HUGE_QUANTITY, HUGE_METERS = D("1E+26"), D("1E+25")


@st.composite
def groups(draw, formulas, most=COLUMNS_FROM + 6, huge=False):
    """One tariff version and VAT rate over a period of 1 to 100 days (one part,
    one VAT group), and enough usages of that period to be rated by columns;
    ``huge``: now and then a quantity or meter count too large to round."""
    version = TariffVersion(
        "T",
        date(2025, 1, 1),
        draw(st.sampled_from(["EUR", "JPY", "KWD"])),
        tuple(draw(st.lists(components(formulas), min_size=0, max_size=9))),
        {"fees": {"lift": D("2.75"), "2": D("4.10")}},
    )
    vat = [VatRates(date(2025, 1, 1), {"S": draw(st.sampled_from([D(19), D("5.5")]))})]
    starts_on = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
    ends_on = starts_on + timedelta(days=draw(st.integers(0, 99)))
    work = []
    for _ in range(draw(st.integers(min_value=COLUMNS_FROM, max_value=most))):
        variables = {
            "area": draw(st.decimals(min_value=0, max_value=200, places=2)),
            "persons": D(draw(st.integers(min_value=0, max_value=4))),
        }
        if draw(st.integers(0, 9)):  # now and then no meter count
            variables["meters"] = D(draw(st.integers(min_value=1, max_value=3)))
        amount = draw(quantity)
        if huge and not draw(st.integers(0, 9)):
            amount = HUGE_QUANTITY
        if huge and "meters" in variables and not draw(st.integers(0, 9)):
            variables["meters"] = HUGE_METERS
        work.append(Usage(starts_on, ends_on, amount, variables))
    return version, vat, work


def check(version, vat, work, rounding):
    expected = [reference([version], vat, usage, rounding) for usage in work]
    got = rate_many(prepare_version(version), work, vat, rounding)
    assert len(got) == len(expected)
    for one, other in zip(got, expected, strict=True):
        assert same(one, other), (one, other)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group=groups(FORMULAS), mode=st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN]))
def test_it_rates_a_group_by_columns_as_rate_period_does(group, mode):
    # given one version, one VAT rate and many usages of one period
    version, vat, work = group

    # when rated in one batch and one by one, then each result is the same
    check(version, vat, work, Rounding(mode, "line"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group=groups(FORMULAS + FAILING, most=3 * COLUMNS_FROM, huge=True))
def test_it_gives_each_usage_its_own_error_when_some_of_the_group_fail(group):
    # given a group where formulas fail for some usages (no persons, no key)
    # and some lines are too large to round (rate_period rounds them after
    # the later components, so its error may be a failing formula's)
    version, vat, work = group

    # when rated, then the others are still rated as rate_period rates them
    check(version, vat, work, Rounding())


WATER = TariffVersion(
    "W1",
    date(2025, 1, 1),
    "EUR",
    (
        FixedCharge("F", "Standing charge", amount_per_month=D("4.50"), per="meter"),
        BlockPrice(
            "S",
            "Sewerage",
            blocks=((D(5), D("1.20")), (None, D("1.80"))),
            unit_code="MTQ",
        ),
        FormulaCharge(
            "C",
            "Stairs cleaning",
            formula=compile_formula("round(area * 0.035, 2)", STANDARD_NAMES),
        ),
        MinimumCharge("M", "Minimum charge", amount_per_month=D(10)),
    ),
)
VAT = [VatRates(date(2025, 1, 1), {"S": D(19)})]


def march(quantity, area, meters):
    return Usage(
        date(2025, 3, 1),
        date(2025, 3, 31),
        D(quantity),
        {"area": D(area), "meters": D(meters)},
    )


def test_it_rates_four_kinds_of_apartment_by_columns():
    # given a residence of four kinds of apartment in March with 1 or 2 meters,
    # 0 to 8 m3 and 40 to 70 m2, enough of each to be rated by columns
    kinds = [
        march("0.000", "40", 1),
        march("3.000", "50", 1),
        march("8.000", "60", 2),
        march("-1.000", "70", 1),
    ]
    work = kinds * (COLUMNS_FROM // 4 + 1)

    # when rated in one batch
    got = rate_many(prepare_version(WATER), work, VAT)

    # then every apartment of a kind is rated the same
    assert got == got[:4] * (COLUMNS_FROM // 4 + 1)
    first, second, third, fourth = got[:4]

    # then the first: fixed 4.50, a zero sewerage line, cleaning 40 × 0.035 =
    # 1.40, topped up to the minimum 10.00 by 4.10
    assert [ln.net_amount for ln in first.lines] == [
        D("4.50"),
        D("0.00"),
        D("1.40"),
        D("4.10"),
    ]
    assert first.lines[3].trace["subtotal"] == D("5.90")
    # the second: 4.50 + 3 × 1.20 = 3.60 + 1.75 = 9.85, topped up by 0.15
    assert [ln.net_amount for ln in second.lines] == [
        D("4.50"),
        D("3.60"),
        D("1.75"),
        D("0.15"),
    ]
    # the third: 2 meters 9.00, 5 × 1.20 = 6.00 and 3 × 1.80 = 5.40, 2.10;
    # 22.50 is above the minimum; VAT 19 % of 22.50 = 4.275 → 4.28
    assert [ln.net_amount for ln in third.lines] == [
        D("9.00"),
        D("6.00"),
        D("5.40"),
        D("2.10"),
    ]
    assert third.totals.tax_exclusive == D("22.50")
    assert third.totals.vat_total == D("4.28")
    assert third.totals.tax_inclusive == D("26.78")
    # the fourth (a negative correction): −1 m3 credited at the first block's
    # price, −1.20; 4.50 − 1.20 + 70 × 0.035 = 5.75, topped up to 10.00 by 4.25
    assert [(ln.component, ln.net_amount) for ln in fourth.lines] == [
        ("F", D("4.50")),
        ("S", D("-1.20")),
        ("C", D("2.45")),
        ("M", D("4.25")),
    ]
    assert fourth.lines[1].quantity == D("-1.000")
    assert fourth.lines[1].description == "Sewerage, block 1"
    assert fourth.totals.tax_exclusive == D("10.00")


def test_it_keeps_the_error_of_one_apartment_to_itself():
    # given a residence in March where the seventh apartment has no persons,
    # the others 1, 2 or 3, and a charge per person of consumption / persons
    per_person = TariffVersion(
        "P1",
        date(2025, 1, 1),
        "EUR",
        (
            FormulaCharge(
                "P",
                "Per person",
                formula=compile_formula(
                    "round(consumption / persons, 2)", STANDARD_NAMES
                ),
            ),
        ),
    )
    work = [
        Usage(
            date(2025, 3, 1),
            date(2025, 3, 31),
            D("6.000"),
            {"persons": D(0 if n == 6 else 1 + n % 3)},
        )
        for n in range(3 * COLUMNS_FROM)
    ]

    # when rated in one batch
    got = rate_many(prepare_version(per_person), work, VAT)

    # then the seventh gets rate_period's division by zero, the others 6 / 1,
    # 6 / 2 or 6 / 3 by their persons
    assert isinstance(got[6], FormulaError)
    assert "division by zero" in str(got[6])
    each = {D(1): D("6.00"), D(2): D("3.00"), D(3): D("2.00")}
    for n, rating in enumerate(got):
        if n != 6:
            assert rating.totals.tax_exclusive == each[work[n].variables["persons"]]


def test_a_rating_made_from_columns_reads_the_same_every_time():
    # given a rating of a batch, and the same usage rated on its own
    work = [march("3.000", "50", 1)] * COLUMNS_FROM
    rating = rate_many(prepare_version(WATER), work, VAT)[0]
    alone = rate_period([WATER], VAT, work[0])

    # when its lines are read twice, and it is pickled and read back
    lines = rating.lines
    again = pickle.loads(pickle.dumps(rating))

    # then it keeps the same lines, equals the other and its copy, and shows
    # as the other does
    assert rating.lines is lines
    assert rating == alone == again
    assert repr(rating) == repr(alone) == repr(again)
    assert rating.totals.tax_inclusive == D("11.90")  # 10.00 + 19 % VAT
