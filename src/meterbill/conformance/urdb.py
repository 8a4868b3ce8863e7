"""URDB tariffs rated by our engine against the bills NREL PySAM (Utilityrate5)
computed for the same load (``tariffs/NAME.json`` with ``NAME_expected.json``).

Cases per tariff: for each of the 12 months, the energy, time-of-use demand, flat
demand, fixed and minimum charges, plus the annual total (61). A case passes when
our figure and PySAM's agree once both are rounded to the cent (PySAM does not
round; neither does the engine, so each figure is rounded on its own).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from meterbill.conformance import SetResult
from meterbill.engine.money import round_money
from meterbill.engine.tariff import (
    MonthBill,
    TariffError,
    annual_total,
    rate_intervals,
)
from meterbill.formats.errors import FormatError
from meterbill.formats.urdb import read_load_csv, read_tariff

# Our MonthBill figure -> PySAM output array.
_MONTHLY_OUTPUTS = {
    "energy": "energy_charge_ym",
    "demand_tou": "demand_tou_charge_ym",
    "demand_flat": "demand_flat_charge_ym",
    "fixed": "fixed_charge_ym",
    "minimum": "min_charge_ym",
}
CASES_PER_TARIFF = 12 * len(_MONTHLY_OUTPUTS) + 1
FLOOR = CASES_PER_TARIFF  # every case of the one corpus tariff passes


def run(corpus_dir: Path) -> SetResult:
    result = SetResult(name="urdb", floor=FLOOR)
    tariffs_dir = corpus_dir / "tariffs"
    for expected_path in sorted(tariffs_dir.glob("*_expected.json")):
        tariff_path = expected_path.with_name(
            expected_path.name.removesuffix("_expected.json") + ".json"
        )
        if tariff_path.exists():
            _check_case(tariff_path, expected_path, result)
    return result


def _check_case(tariff_path: Path, expected_path: Path, result: SetResult) -> None:
    expected = json.loads(expected_path.read_text(), parse_float=Decimal)
    outputs = expected["outputs"]
    load_path = tariff_path.with_name(expected["inputs"]["load_file"])
    result.total += CASES_PER_TARIFF
    try:
        tariff = read_tariff(tariff_path.read_bytes(), filename=tariff_path.name)
        load = read_load_csv(load_path.read_bytes(), filename=load_path.name)
        bills = rate_intervals(tariff, load)
    except (FormatError, TariffError) as exc:
        result.failures.append(f"{tariff_path.name}: {exc}")
        return
    _compare_months(tariff_path.name, bills, outputs, result)
    _compare(
        f"{tariff_path.name} annual total",
        annual_total(bills),
        outputs["annual_bill"],
        result,
    )


def _compare_months(
    name: str, bills: list[MonthBill], outputs: dict[str, Any], result: SetResult
) -> None:
    for bill in bills:
        ours = bill.parts()
        for figure, output in _MONTHLY_OUTPUTS.items():
            _compare(
                f"{name} month {bill.month} {figure}",
                ours[figure],
                outputs[output][bill.month - 1],
                result,
            )


def _compare(case: str, ours: Decimal, theirs: Decimal, result: SetResult) -> None:
    ours_cents = round_money(ours, "USD")
    theirs_cents = round_money(Decimal(theirs), "USD")
    if ours_cents == theirs_cents:
        result.passed += 1
    else:
        result.failures.append(f"{case}: ours {ours_cents}, PySAM {theirs_cents}")
