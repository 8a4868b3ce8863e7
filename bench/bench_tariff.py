"""Rating speed: month-bills rated per second for one year of hourly load.

Uses the corpus URDB tariff and load when present (METERBILL_CORPUS, default
../shared/corpus), otherwise a synthetic two-period tariff and load.

    .venv/bin/python bench/bench_tariff.py [years]
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

from meterbill.engine.tariff import (
    DemandTier,
    EnergyTier,
    Tariff,
    rate_intervals,
)
from meterbill.formats.urdb import read_load_csv, read_tariff

REPO = Path(__file__).resolve().parents[1]


def corpus_case() -> tuple[Tariff, list[Decimal]] | None:
    corpus = Path(os.environ.get("METERBILL_CORPUS", REPO / ".." / "shared" / "corpus"))
    tariffs = corpus / "tariffs"
    if not (tariffs / "urdbv7.json").exists():
        return None
    tariff = read_tariff((tariffs / "urdbv7.json").read_bytes())
    load = read_load_csv((tariffs / "sample_load.csv").read_bytes())
    return tariff, load


def synthetic_case() -> tuple[Tariff, list[Decimal]]:
    weekday = tuple(
        tuple(1 if 15 <= h < 20 else 0 for h in range(24)) for _ in range(12)
    )
    weekend = tuple(tuple(0 for _ in range(24)) for _ in range(12))
    tariff = Tariff(
        energy_periods=(
            (EnergyTier(Decimal("0.07"), Decimal(100)), EnergyTier(Decimal("0.08"))),
            (EnergyTier(Decimal("0.12"), Decimal(100)), EnergyTier(Decimal("0.15"))),
        ),
        energy_weekday=weekday,
        energy_weekend=weekend,
        demand_periods=((DemandTier(Decimal(8)),), (DemandTier(Decimal(19)),)),
        demand_weekday=weekday,
        demand_weekend=weekend,
        fixed_charge=Decimal("35.28"),
    )
    # 1.0 kW at midnight rising by 0.1 kW an hour, every day
    load = [Decimal(10 + h % 24) / 10 for h in range(8760)]
    return tariff, load


def main() -> None:
    years = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    case = corpus_case()
    source = "corpus urdbv7.json" if case else "synthetic tariff"
    tariff, load = case or synthetic_case()

    started = time.perf_counter()
    for _ in range(years):
        rate_intervals(tariff, load)
    elapsed = time.perf_counter() - started

    month_bills = years * 12
    print(f"{source}: {month_bills} month-bills in {elapsed:.3f} s")
    print(f"{month_bills / elapsed:.0f} month-bills/s, {years / elapsed:.1f} years/s")


if __name__ == "__main__":
    main()
