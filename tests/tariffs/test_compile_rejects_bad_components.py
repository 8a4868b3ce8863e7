"""build_component is the one check of a component: its errors name the
component's position and the field (and, for formulas, the wrong name and where)."""

import pytest

from meterbill.engine.components import BlockPrice, FixedCharge
from meterbill.tariffs.compile import TariffConfigError, build_component


def test_it_builds_a_block_component_from_string_numbers():
    component = build_component(
        "block",
        "WATER",
        "Water",
        "S",
        {"blocks": [["10", "5.00"], [None, "8.00"]], "basis": "all_units"},
        position=1,
    )

    assert isinstance(component, BlockPrice)
    assert component.basis == "all_units"
    assert [str(p) for _l, p in component.blocks] == ["5.00", "8.00"]


def test_a_fixed_charge_per_meter():
    component = build_component(
        "fixed", "STANDING", "Standing", "S", {"amount_per_month": "3", "per": "meter"}
    )

    assert isinstance(component, FixedCharge)
    assert component.per == "meter"


@pytest.mark.parametrize(
    ("kind", "params", "formula", "message"),
    [
        ("block", {"blocks": [["ten", "1"], [None, "2"]]}, "",
         "component 3, params.blocks[0][0]: 'ten' is not a number"),
        ("block", {"blocks": [["10", "1"], ["20", "2"]]}, "",
         "component 3, params: WATER: only the last block has no limit"),
        ("fixed", {"amount_per_month": 12.5}, "",
         "component 3, params.amount_per_month: write the number as a string"),
        ("fixed", {}, "", "component 3, params.amount_per_month: required"),
        ("unit_price", {"unit_price": "1", "price": "2"}, "",
         "component 3, params.price: not a parameter of this kind"),
        ("unit_price", {"unit_price": "0.1234567"}, "",
         "component 3, params.unit_price: more than 6 decimals"),
        ("seasonal", {"prices_by_month": ["1"] * 11}, "",
         "component 3, params.prices_by_month: 12 prices, January first"),
        ("formula", {}, "consumption * pricex",
         "component 3, formula: unknown name 'pricex'"),
        ("formula", {}, "consumption *", "component 3, formula: "),
        ("formula", {}, "",
         "component 3, formula: a formula component needs a formula"),
        ("time_of_use", {"urdb": {}}, "", "component 3, params.urdb: "),
        ("solar", {}, "", "component 3, kind: unknown kind 'solar'"),
    ],
)  # fmt: skip
def test_it_names_the_field_that_is_wrong(kind, params, formula, message):
    with pytest.raises(TariffConfigError) as caught:
        build_component(kind, "WATER", "Water", "S", params, formula, position=3)

    assert str(caught.value).startswith(message)


def test_a_formula_error_says_where_the_unknown_name_is():
    with pytest.raises(TariffConfigError) as caught:
        build_component(
            "formula", "F", "F", "S", {}, "consumption * pricex", position=2
        )

    # "pricex" starts at column 15 of line 1
    assert caught.value.field == "formula"
    assert caught.value.position == 2
    assert "line 1, column 15" in str(caught.value)


def test_it_refuses_a_bad_code_and_vat_category():
    with pytest.raises(TariffConfigError, match="code: 1 to 32"):
        build_component("fixed", "a b", "x", "S", {"amount_per_month": "1"})
    with pytest.raises(TariffConfigError, match="vat_category: unknown VAT category"):
        build_component("fixed", "A", "x", "X", {"amount_per_month": "1"})
