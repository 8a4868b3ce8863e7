"""engine.pricing: a service's own and common quantities are rated together, shown
per source, and what cannot be rated becomes a finding instead of a line."""

from datetime import date
from decimal import Decimal

from meterbill.engine.billing import Charge, PeriodIn, UtilityIn
from meterbill.engine.components import (
    FormulaCharge,
    TariffVersion,
    UnitPrice,
    VatRates,
)
from meterbill.engine.formula import compile_formula
from meterbill.engine.pricing import (
    Item,
    ServiceTariff,
    TariffPlan,
    price_charge,
)

D = Decimal
NOVEMBER = PeriodIn(date(2026, 11, 1), date(2026, 11, 30), "2026-11")
WATER = {"cold": UtilityIn("cold", "Cold water", "cold_water", "m3", "MTQ")}
VAT = (VatRates(date(2026, 1, 1), {"S": D("11")}),)


def _items(own: str, common: str) -> list[Item]:
    return [
        Item("cold", "own", "Cold water – own meter", D(own), "m3", "MTQ", {}),
        Item("cold", "common", "Cold water – common", D(common), "m3", "MTQ", {}),
    ]


def _plan(*versions: TariffVersion) -> TariffPlan:
    return TariffPlan("COLD", versions, VAT, version_ids={versions[0].valid_from: 7})


def _price(version_components, own="3.333", common="0.667", **variables):
    version = TariffVersion("COLD", date(2026, 1, 1), "RON", version_components)
    charge = Charge(1, 1, items=_items(own, common))
    service = ServiceTariff(_plan(version), {k: D(v) for k, v in variables.items()})
    price_charge(charge, {"cold": service}, WATER, NOVEMBER)
    return charge


def test_a_unit_price_is_shown_once_per_source_at_the_same_price():
    charge = _price(
        (UnitPrice("W", "Cold water", unit_price=D("5.555"), unit_code="MTQ"),)
    )

    # then own 3.333 × 5.555 = 18.514815 → 18.51 and common 0.667 × 5.555 =
    # 3.705185 → 3.71; the exact amounts add up to 4.000 × 5.555 = 22.22
    lines = [(ln.description, ln.quantity, ln.net_amount) for ln in charge.lines]
    assert lines == [
        ("Cold water – own meter", D("3.333"), D("18.51")),
        ("Cold water – common consumption", D("0.667"), D("3.71")),
    ]
    assert charge.lines[0].trace["tariff"] == {
        "code": "COLD",
        "version": 7,
        "valid_from": "2026-01-01",
    }


def test_a_formula_reads_the_apartments_variables():
    formula = compile_formula("consumption * 2 + area * 0.1", ["consumption", "area"])
    charge = _price(
        (FormulaCharge("F", "Water and area", formula=formula),), area="52.5"
    )

    # then 4.000 × 2 + 52.5 × 0.1 = 8.000 + 5.25 = 13.25
    assert [ln.net_amount for ln in charge.lines] == [D("13.25")]
    assert charge.lines[0].trace["formula_trace"]["variables"] == {
        "consumption": "4.000",
        "area": "52.5",
    }
    assert charge.findings == []


def test_a_variable_without_a_value_is_a_finding_not_a_zero():
    formula = compile_formula("previous_balance * 0.01", ["previous_balance"])

    charge = _price((FormulaCharge("F", "Interest", formula=formula),))

    assert charge.lines == []
    [finding] = charge.findings
    assert (finding.rule, finding.severity) == ("tariff_error", "block")
    assert "previous_balance" in finding.message
