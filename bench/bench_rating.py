"""Rating speed: apartment-periods rated per second on one core, each with eight
components (fixed, unit price, blocks, seasonal, two formulas, excise, minimum),
VAT and totals; and formula evaluations per second.

    .venv/bin/python bench/bench_rating.py [apartment_periods] [--profile]
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from datetime import date
from decimal import Decimal

from meterbill.engine.components import (
    STANDARD_NAMES,
    BlockPrice,
    ExciseTax,
    FixedCharge,
    FormulaCharge,
    MinimumCharge,
    SeasonalPrice,
    TariffVersion,
    UnitPrice,
    Usage,
    VatRates,
    rate_period,
)
from meterbill.engine.formula import compile_formula

D = Decimal


def tariff() -> TariffVersion:
    heat_prices = tuple(D("1.10") if 4 <= m <= 9 else D("1.60") for m in range(1, 13))
    return TariffVersion(
        "BENCH",
        date(2025, 1, 1),
        "EUR",
        (
            FixedCharge(
                "F", "Standing charge", amount_per_month=D("4.50"), per="meter"
            ),
            UnitPrice("W", "Cold water", unit_price=D("2.13"), unit_code="MTQ"),
            BlockPrice(
                "S",
                "Sewerage",
                blocks=((D(5), D("1.20")), (D(15), D("1.80")), (None, D("2.40"))),
                unit_code="MTQ",
            ),
            SeasonalPrice("H", "Heat", prices_by_month=heat_prices, unit_code="KWH"),
            FormulaCharge(
                "C",
                "Stairs cleaning",
                formula=compile_formula(
                    "round(area * 0.035 + persons * 1.5, 2)", STANDARD_NAMES
                ),
            ),
            FormulaCharge(
                "L",
                "Lift",
                formula=compile_formula(
                    'if(persons > 0, lookup("fees", "lift") * persons, 0)',
                    STANDARD_NAMES,
                ),
            ),
            ExciseTax("X", "Water levy", unit_price=D("0.05"), unit_code="MTQ"),
            MinimumCharge("M", "Minimum charge", amount_per_month=D(10)),
        ),
        {"fees": {"lift": D("2.75")}},
    )


def usages(count: int) -> list[Usage]:
    return [
        Usage(
            date(2025, 3, 1),
            date(2025, 3, 31),
            D(i % 23) + D("0.125"),
            {"area": D(40 + i % 60), "persons": D(i % 5), "meters": D(1 + i % 2)},
        )
        for i in range(count)
    ]


def main() -> None:
    count = int(next((a for a in sys.argv[1:] if a.isdigit()), "20000"))
    version = tariff()
    vat = [VatRates(date(2025, 1, 1), {"S": D(19)})]
    work = usages(count)

    def run() -> None:
        for usage in work:
            rate_period([version], vat, usage)

    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.runcall(run)
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
        return

    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    print(
        f"{count} apartment-periods x 8 components in {elapsed:.2f} s: "
        f"{count / elapsed:,.0f} apartment-periods/s on one core"
    )

    formula = compile_formula("round(area * 0.035 + persons * 1.5, 2)", STANDARD_NAMES)
    env = dict(work[0].variables)
    rounds = 200_000
    started = time.perf_counter()
    for _ in range(rounds):
        formula.evaluate(env)
    elapsed = time.perf_counter() - started
    print(f"formula evaluations: {rounds / elapsed:,.0f}/s on one core")


if __name__ == "__main__":
    main()
