"""Rating speed: apartment-periods rated per second on one core, each with eight
components (fixed, unit price, blocks, seasonal, two formulas, excise, minimum),
VAT and totals; and formula evaluations per second.

Three paths: ``rate_period`` one usage at a time (the reference); the batch path
(``prepare_version`` once, ``rate_many`` over all usages: the amounts, totals and
formula traces are computed column by column, the line objects are made when a
rating is read, and here none is read); and the bill run's way of using it
(``price_charges``: one ``Rater`` kept for the tariff, one ``rate_many`` per
residence of RESIDENCE apartments, and every rating's lines read, as pricing reads
them to make the invoice lines). The results of both batch paths are checked equal
to the reference's before the figures are printed.

The bill run rates and writes a chunk with Python's cyclic garbage collector
paused (``collector.paused``), and frees what it rated before it turns it back on.
``rate_many`` is timed both ways: so, and called bare, where it pauses the
collector itself while it rates and the collector's next pass then walks the
batch's columns once (about 15 % more).

    .venv/bin/python bench/bench_rating.py [apartment_periods] [--profile]
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from meterbill.engine import collector
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
from meterbill.engine.components_batch import Rater, prepare_version, rate_many
from meterbill.engine.formula import compile_formula

D = Decimal
# apartments of one residence: the bill run rates a residence's charges together
RESIDENCE = 60


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

    # Both keep their results, as a bill run does until it writes them.
    def one_by_one() -> None:
        kept = [rate_period([version], vat, usage) for usage in work]
        del kept

    def batch() -> None:
        kept = rate_many(prepare_version(version), work, vat)
        del kept

    # as the bill run calls it
    batch_paused = collector.paused()(batch)

    # As billrun._compute_and_write: the whole chunk without the cyclic
    # collector, a residence's charges priced together (price_charges).
    @collector.paused()
    def bill_run() -> None:
        rater = Rater(prepare_version(version), vat)
        kept = []
        for start in range(0, count, RESIDENCE):
            for rating in rater.rate_many(work[start : start + RESIDENCE]):
                assert not isinstance(rating, Exception)
                kept.append(rating.lines)
        del kept

    if "--profile" in sys.argv:
        for run in (one_by_one, batch_paused, batch, bill_run):
            profile = cProfile.Profile()
            profile.runcall(run)
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)
        return

    _check(version, vat, work[:2000])
    paths = (
        ("rate_period", one_by_one),
        ("rate_many (collector paused, as in the bill run)", batch_paused),
        ("rate_many (called bare)", batch),
        (f"bill run (Rater, residences of {RESIDENCE}, lines read)", bill_run),
    )
    for label, run in paths:
        elapsed = _best_cpu_seconds(run)
        print(
            f"{label}: {count} apartment-periods x 8 components in {elapsed:.2f} "
            f"CPU s: {count / elapsed:,.0f} apartment-periods/s on one core"
        )

    formula = compile_formula("round(area * 0.035 + persons * 1.5, 2)", STANDARD_NAMES)
    env = dict(work[0].variables)
    rounds = 200_000

    def evaluations() -> None:
        for _ in range(rounds):
            formula.evaluate(env)

    elapsed = _best_cpu_seconds(evaluations)
    print(f"formula evaluations: {rounds / elapsed:,.0f}/s on one core")


def _check(version: TariffVersion, vat: list[VatRates], sample: list[Usage]) -> None:
    """Both batch paths give rate_period's results. In a function of its own so
    that the results it compares are freed before the timing: kept, they would
    be scanned by every collection of the garbage collector in the runs timed."""
    expected = [rate_period([version], vat, usage) for usage in sample]
    if rate_many(prepare_version(version), sample, vat) != expected:
        sys.exit("the batch path disagrees with rate_period")
    rater = Rater(prepare_version(version), vat)
    by_residence = [
        rating
        for start in range(0, len(sample), RESIDENCE)
        for rating in rater.rate_many(sample[start : start + RESIDENCE])
    ]
    if by_residence != expected:
        sys.exit("a kept Rater disagrees with rate_period")


def _best_cpu_seconds(run: Callable[[], None], repeat: int = 3) -> float:
    """The least CPU time of ``repeat`` runs: on a shared machine, CPU time is
    what one core spends, and the least of a few runs the least disturbed."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


if __name__ == "__main__":
    main()
