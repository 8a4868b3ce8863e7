"""A formula evaluated over many variable sets at once (the batch rating's way)
gives each set the value and trace that evaluating it alone gives, and fails as
evaluating the first failing set alone fails."""

from decimal import Decimal

import pytest

from meterbill.engine.formula import FormulaError, Trace, compile_formula

NAMES = ("consumption", "days", "area", "persons")
D = Decimal


def test_each_value_and_trace_is_the_single_evaluations():
    # given three apartments and a formula reading two of their variables
    formula = compile_formula("round(area * 0.035 + persons * 1.5, 2)", NAMES)
    envs = [
        {"area": D("52.5"), "persons": D(2), "days": D(30)},
        {"area": D(40), "persons": D(0), "days": D(30)},
        {"area": D("71.25"), "persons": D(5), "days": D(30)},
    ]

    # when
    values, used, steps = formula.evaluate_many(envs)

    # then 52.5 x 0.035 + 3 = 4.8375 -> 4.84; 40 x 0.035 = 1.40; 2.49375 + 7.5 -> 9.99
    assert values == [D("4.84"), D("1.40"), D("9.99")]
    assert [str(v) for v in values] == ["4.84", "1.40", "9.99"]
    assert used[0] == {"area": D("52.5"), "persons": D(2)}  # days is not read
    assert steps[2] == [("round(area * 0.035 + persons * 1.5, 2)", D("9.99"))]
    for env, value, variables, taken in zip(envs, values, used, steps, strict=True):
        assert formula.evaluate(env) == (value, Trace(variables, taken))


def test_a_formula_without_variables_and_one_with_three():
    constant = compile_formula("2.5 * 2", NAMES)
    three = compile_formula("consumption * days / persons", NAMES)
    envs = [{"consumption": D(9), "days": D(30), "persons": D(4)}] * 2

    values, used, steps = constant.evaluate_many(envs)
    assert (values, used, list(steps)) == ([D("5.0")] * 2, [{}, {}], [[], []])
    values, used, steps = three.evaluate_many(envs)
    assert values == [D("67.5"), D("67.5")]
    assert list(used[0]) == ["consumption", "days", "persons"]
    assert list(steps) == [[], []]


def test_steps_of_branches_that_call_different_functions():
    # given a formula whose branches record one step or two
    formula = compile_formula(
        "if(persons > 2, min(area, 60) + max(persons, 3), round(area, 0))", NAMES
    )
    envs = [{"area": D("70.4"), "persons": D(p)} for p in (4, 1, 3)]

    # when
    _values, _used, steps = formula.evaluate_many(envs)

    # then each evaluation has its own steps, in order
    assert len(steps) == 3
    whole = "if(persons > 2, min(area, 60) + max(persons, 3), round(area, 0))"
    assert steps[0] == [
        ("min(area, 60)", D(60)),
        ("max(persons, 3)", D(4)),
        (whole, D(64)),
    ]
    assert steps[1] == [("round(area, 0)", D(70)), (whole, D(70))]
    assert steps[-1] == [
        ("min(area, 60)", D(60)),
        ("max(persons, 3)", D(3)),
        (whole, D(63)),
    ]
    assert steps[1:] == [steps[1], steps[2]]
    for env, taken in zip(envs, steps, strict=True):
        assert formula.evaluate(env)[1].steps == taken


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"persons": D(0)}, "division by zero"),
        ({}, "variable 'persons' has no value"),
        ({"persons": 3}, "variable 'persons' is int, not a Decimal"),
        ({"persons": D("NaN")}, "variable 'persons' is NaN, not a finite number"),
        ({"persons": D("1E-20")}, "result out of range"),
    ],
)
def test_the_first_failing_set_gives_its_own_error(second, message):
    # given a good set, a bad one, and another bad one after it
    formula = compile_formula("area / persons", NAMES)
    envs = [
        {"area": D(50), "persons": D(2)},
        {"area": D(50), **second},
        {"area": D(50), "persons": D(0)},
    ]

    # when / then: the error is the second set's, as evaluate gives it
    with pytest.raises(FormulaError) as many:
        formula.evaluate_many(envs)
    with pytest.raises(FormulaError) as alone:
        formula.evaluate(envs[1])
    assert message in str(many.value)
    assert str(many.value) == str(alone.value)
