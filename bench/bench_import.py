"""Rows per second of a CSV readings import: parse + validate + store.

    DATABASE_URL=sqlite:////tmp/bench-import.sqlite3 \
        .venv/bin/python bench/bench_import.py --apartments 2000 --rows 50000

Builds a bench portfolio (``meterbill.portfolio.build_bench``) in an empty database
(migrating it first; it refuses a database that already holds an organisation),
writes a CSV of ``--rows`` index readings of its apartment meters (one a day per
meter, going back from 2026-11-29), and imports it with the service the command uses.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apartments", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meterbill.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from meterbill.metering.imports import ImportOptions, import_readings
    from meterbill.metering.models import Meter
    from meterbill.orgs.models import Branch, Organisation
    from meterbill.portfolio import build_bench

    call_command("migrate", verbosity=0)
    if Organisation.objects.exists():
        sys.exit("the database already holds data: point DATABASE_URL at an empty one")
    started = time.perf_counter()
    build_bench(args.apartments)
    built_in = time.perf_counter() - started
    print(f"portfolio of {args.apartments} apartments: {built_in:.1f} s")

    branch = Branch.objects.get(code="BUC")
    serials = list(
        Meter.objects.filter(branch=branch, kind="apartment")
        .order_by("pk")
        .values_list("serial", flat=True)
    )
    # Meter after meter, then one day earlier: every row is a new reading.
    lines = ["meter,date,value"]
    for i in range(args.rows):
        day = date(2026, 11, 29) - timedelta(days=i // len(serials))
        lines.append(
            f"{serials[i % len(serials)]},{day.isoformat()},{1000 + i % 997}.125"
        )
    data = ("\n".join(lines) + "\n").encode()

    started = time.perf_counter()
    report = import_readings(
        data, fmt="csv", branch=branch, filename="bench.csv", options=ImportOptions()
    )
    seconds = time.perf_counter() - started
    print(
        f"{connection.vendor}: {report.rows_read} rows "
        f"({report.rows_imported} imported, {report.rows_rejected} rejected) "
        f"in {seconds:.2f} s = {report.rows_read / seconds:,.0f} rows/s"
    )


if __name__ == "__main__":
    main()
