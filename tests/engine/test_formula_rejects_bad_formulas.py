"""Bad formulas give one clear FormulaError naming the place, never a crash."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.engine.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    FormulaError,
    compile_formula,
)

NAMES = ("consumption", "area", "persons")


def error_of(text, names=NAMES, env=None, tables=None):
    with pytest.raises(FormulaError) as caught:
        formula = compile_formula(text, names)
        formula.evaluate(env or {n: Decimal(1) for n in names}, tables)
    return caught.value


def test_it_names_line_column_and_expectation_of_a_syntax_error():
    # given a formula cut short on its second line
    text = "area * 2 +\n  (persons *"

    # when
    error = error_of(text)

    # then
    assert (error.line, error.column) == (2, 13)  # just after the "*"
    assert error.reason.startswith("the formula ends too early; expected a number")
    assert "'None'" in error.reason  # the keyword as typed, quoted
    assert "None" not in error.reason.replace("'None'", "")  # never bare


def test_it_names_an_unexpected_token_and_what_may_follow_in_words():
    # given a name where an operator may follow
    error = error_of("area persons")

    # then every expected item is words or a quoted sign or keyword
    assert error.reason.startswith("unexpected 'persons'; expected ")
    assert "'*' or '/'" in error.reason
    assert "'and', 'or'" in error.reason
    assert (error.line, error.column) == (1, 6)


def test_it_names_an_unknown_variable_and_where_it_is():
    # given
    error = error_of("area * pesrons")

    # then
    assert error.reason.startswith("unknown name 'pesrons'")
    assert (error.line, error.column) == (1, 8)


def test_it_rejects_attribute_access_and_unknown_functions():
    # given the usual ways out of a sandbox
    dotted = error_of("area.__class__")
    imported = error_of("__import__('os')")

    # then
    assert dotted.reason == "unexpected character '.'"
    assert imported.reason.startswith("unknown function '__import__'")


def test_it_reports_a_division_by_zero_with_its_position():
    # given
    error = error_of("consumption / (area - 1)")

    # then at the '/' on column 13
    assert error.reason == "division by zero"
    assert (error.line, error.column) == (1, 13)


def test_it_rejects_a_formula_nested_too_deep():
    # given
    text = "-" * (MAX_DEPTH + 1) + "1"

    # when
    error = error_of(text)

    # then
    assert f"nested more than {MAX_DEPTH} levels" in error.reason


def test_it_rejects_a_formula_too_long():
    # given
    text = "1" + " + 1" * MAX_LENGTH

    # when
    error = error_of(text)

    # then
    assert error.reason.startswith(f"the formula has {len(text)} characters")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("area < 2", "the formula gives a condition, not a number"),
        ("if(area, 1, 2)", "expected a condition here, not a number"),
        ("min()", "min() takes 1 or more arguments, not 0"),
        ("tier(area, [1, 2])", "only the last tier block"),
        ("[1, 2]", "a [limit, price] pair may only be a tier() block"),
        ("round(area, 0.5)", "round() places must be a whole number"),
        ('lookup("p", "k")', "lookup table 'p' was not supplied"),
        ("area < persons < 3", "unexpected"),
        ("", "the formula is empty"),
    ],
)
def test_it_explains_misused_parts(text, reason):
    # when
    error = error_of(text)

    # then
    assert error.reason.startswith(reason)


def test_it_refuses_a_float_or_missing_variable():
    # given
    formula = compile_formula("area + persons", NAMES)

    # when / then
    with pytest.raises(FormulaError, match="'persons' has no value"):
        formula.evaluate({"area": Decimal(1)})
    with pytest.raises(FormulaError, match="'area' is float, not a Decimal"):
        formula.evaluate({"area": 1.5, "persons": Decimal(1)})


WORDS = [
    "area",
    "persons",
    "if",
    "tier",
    "min",
    "round",
    "lookup",
    "None",
    "and",
    "not",
]
ALPHABET = st.sampled_from([*"0123456789.+-*/<>=!(),[] \n\"'_ax", *WORDS])


@settings(max_examples=600, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join) | st.text(max_size=60))
def test_it_raises_only_formula_errors_on_random_text(text):
    # when any text is compiled and evaluated
    try:
        formula = compile_formula(text, NAMES)
        value, _ = formula.evaluate({n: Decimal("1.5") for n in NAMES}, {})
    except FormulaError:
        return

    # then a formula that compiles gives a finite Decimal
    assert isinstance(value, Decimal) and value.is_finite()
