"""Formulas evaluate exactly, with a trace of variables and function calls."""

from decimal import Decimal

from meterbill.engine.formula import compile_formula

NAMES = ("consumption", "days", "area", "persons", "previous_balance")


def test_it_computes_in_exact_decimals():
    # given 0.1 + 0.2, which binary floats get wrong
    formula = compile_formula("0.1 + 0.2 - consumption * 3 / 4", NAMES)

    # when
    value, _trace = formula.evaluate({"consumption": Decimal("2.2")})

    # then 0.3 - 6.6 / 4 = 0.3 - 1.65 = -1.35
    assert value == Decimal("-1.35")


def test_it_prices_inclining_blocks_with_tier():
    # given 10 m3 at 1.50, the next 5 at 2.00, the rest at 3.00
    formula = compile_formula(
        "tier(consumption, [10, 1.50], [15, 2.00], [None, 3.00])", NAMES
    )

    # when 18 m3
    value, trace = formula.evaluate({"consumption": Decimal(18)})

    # then 10 x 1.50 + 5 x 2.00 + 3 x 3.00 = 15 + 10 + 9 = 34
    assert value == Decimal(34)
    assert trace.variables == {"consumption": Decimal(18)}
    assert trace.steps == [
        ("tier(consumption, [10, 1.50], [15, 2.00], [None, 3.00])", Decimal("34.00"))
    ]


def test_it_scales_tier_limits_by_an_expression():
    # given the first block 2 m3 per person
    formula = compile_formula("tier(consumption, [2 * persons, 1], [None, 4])", NAMES)

    # when 3 persons use 8 m3
    value, _ = formula.evaluate({"consumption": Decimal(8), "persons": Decimal(3)})

    # then 6 x 1 + 2 x 4 = 14
    assert value == Decimal(14)


def test_it_rounds_half_up_whatever_the_default_mode():
    # given 2.345 and 2.355: half-even would give 2.34 and 2.36
    formula = compile_formula("round(consumption, 2)", NAMES)

    # when / then half away from zero
    assert formula.evaluate({"consumption": Decimal("2.345")})[0] == Decimal("2.35")
    assert formula.evaluate({"consumption": Decimal("-2.345")})[0] == Decimal("-2.35")


def test_it_evaluates_only_the_chosen_branch_of_if():
    # given a guard against an empty apartment
    formula = compile_formula("if(area > 0 and persons >= 1, 100 / area, 0)", NAMES)

    # when the area is zero, the division is never done
    value, _ = formula.evaluate({"area": Decimal(0), "persons": Decimal(2)})

    # then
    assert value == Decimal(0)
    assert formula.evaluate({"area": Decimal(40), "persons": Decimal(1)})[0] == Decimal(
        "2.5"
    )


def test_it_applies_min_max_abs_not_or():
    # given a penalty-like cap and a credit
    formula = compile_formula(
        "min(max(previous_balance, 0) * 0.01, 5) + "
        "if(not (days < 30 or days > 31), abs(-1), 0)",
        NAMES,
    )

    # when a balance of 750 over a 31-day period
    value, trace = formula.evaluate(
        {"previous_balance": Decimal(750), "days": Decimal(31)}
    )

    # then min(7.50, 5) + 1 = 6
    assert value == Decimal(6)
    assert [text for text, _ in trace.steps] == [
        "max(previous_balance, 0)",
        "min(max(previous_balance, 0) * 0.01, 5)",
        "abs(-1)",
        "if(not (days < 30 or days > 31), abs(-1), 0)",
    ]


def test_it_looks_up_price_list_values_by_text_or_number():
    # given a price list and a table keyed by persons
    formula = compile_formula(
        'lookup("water", "cold") * consumption + lookup("by_persons", persons)',
        NAMES,
        known_tables=["water", "by_persons"],
    )
    tables = {
        "water": {"cold": Decimal("4.20")},
        "by_persons": {"2": Decimal("3.5"), "3": Decimal(4)},
    }

    # when 2 persons (given as 2.00) use 10 m3
    value, _ = formula.evaluate(
        {"consumption": Decimal(10), "persons": Decimal("2.00")}, tables
    )

    # then 4.20 x 10 + 3.5 = 45.5
    assert value == Decimal("45.5")
    assert formula.tables == ("water", "by_persons")


def test_it_lists_the_variables_it_reads_in_order_of_first_use():
    # given
    formula = compile_formula("area * 2 + persons + area", NAMES)

    # when
    _value, trace = formula.evaluate(
        {"area": Decimal(50), "persons": Decimal(2), "days": Decimal(30)}
    )

    # then days is not read, so not traced
    assert formula.names == ("area", "persons")
    assert trace.variables == {"area": Decimal(50), "persons": Decimal(2)}
