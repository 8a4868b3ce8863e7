"""Rows per second of a CSV readings import (parse + validate + store), and readings
per second of the engine's consumption and validation.

    DATABASE_URL=sqlite:////tmp/bench-import.sqlite3 \\
        .venv/bin/python bench/bench_import.py --apartments 2000 --rows 1000000

Builds a bench portfolio (``meterbill.portfolio.build_bench``) in an empty database
(migrating it first; it refuses a database that already holds an organisation),
writes a CSV of ``--rows`` index readings of its apartment meters (one a day per
meter, going back from 2026-11-29), and imports it with the service the command uses;
it prints the time of the reader alone as well. ``--again`` reuses the portfolio of an
earlier run (deleting what earlier bench imports stored), ``--profile`` prints where
the import's time goes.

Figures: wall-clock rows/s, and rows per CPU second of this process (on SQLite that
is all of the work; on PostgreSQL the server's share is not in it). On a shared
machine the wall clock also counts the time other processes held the cores.

Measured 2026-12-04 on the 2-core development machine, 2,000 apartments, 200,000
rows (194,000 imported, 6,000 rejected as conflicting with the portfolio's stored
readings), ``--again``, load average 1.5-2 from other work:

- SQLite: 196,000-207,000 rows/s (0.95-1.0 CPU s); before the columnar path
  (pyarrow split, checks a column at a time, shared columns bound once per
  statement) 103,000-115,000 rows/s;
- PostgreSQL 15 (local): 60,000-62,000 rows/s, of which this process's share is
  0.75 CPU s; the server's COPY into the indexed table (about 1 s) and the
  deferred foreign-key checks at commit (about 1.4 s, three per row) are the
  rest. Before: 52,000-57,000 rows/s.

Then, without a database, it generates ``--validate`` readings over registers of
``--per-register`` daily readings (every 97th register with a misread index, every
89th without a closing reading) and runs ``period_consumption`` on each register
for November 2026. ``--validation-only`` skips the import.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from meterbill.engine.consumption import RegisterIn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apartments", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--validate", type=int, default=1_000_000)
    parser.add_argument("--per-register", type=int, default=50)
    parser.add_argument("--validation-only", action="store_true")
    parser.add_argument(
        "--again",
        action="store_true",
        help="reuse the bench portfolio of an earlier run in the same database, "
        "deleting what earlier bench imports stored",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the import")
    args = parser.parse_args()

    if not args.validation_only:
        bench_import(args.apartments, args.rows, again=args.again, profile=args.profile)
    if args.validate:
        bench_validation(args.validate, args.per_register)


def bench_import(
    apartments: int, rows: int, *, again: bool = False, profile: bool = False
) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meterbill.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from meterbill.formats import csv_readings
    from meterbill.metering.imports import ImportOptions, import_readings
    from meterbill.metering.models import ImportBatch, Meter, Reading, RejectedRow
    from meterbill.orgs.models import Branch, Organisation
    from meterbill.portfolio import BENCH_ORGANISATION, build_bench

    call_command("migrate", verbosity=0)
    foreign = Organisation.objects.exclude(name=BENCH_ORGANISATION).exists()
    if again and Organisation.objects.exists() and not foreign:
        earlier = ImportBatch.objects.filter(filename="bench.csv")
        Reading.objects.filter(batch__in=earlier).delete()
        RejectedRow.objects.filter(batch__in=earlier).delete()
        earlier.delete()
    elif Organisation.objects.exists():
        sys.exit("the database already holds data: point DATABASE_URL at an empty one")
    else:
        started = time.perf_counter()
        build_bench(apartments)
        print(
            f"portfolio of {apartments} apartments: "
            f"{time.perf_counter() - started:.1f} s"
        )

    branch = Branch.objects.get(code="BUC")
    serials = list(
        Meter.objects.filter(branch=branch, kind="apartment")
        .order_by("pk")
        .values_list("serial", flat=True)
    )
    data = _readings_csv(serials, rows)

    started = time.process_time()
    parsed = csv_readings.read_fields(data, filename="bench.csv")
    seconds = time.process_time() - started
    print(
        f"reader alone: {len(parsed.rows)} rows in {seconds:.2f} CPU s = "
        f"{len(parsed.rows) / seconds:,.0f} rows/s"
    )
    del parsed

    def run() -> Any:
        return import_readings(
            data,
            fmt="csv",
            branch=branch,
            filename="bench.csv",
            options=ImportOptions(),
        )

    started, cpu = time.perf_counter(), time.process_time()
    if profile:
        profiler = cProfile.Profile()
        report = profiler.runcall(run)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    else:
        report = run()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    server = "" if connection.vendor == "sqlite" else " (without the server's)"
    print(
        f"{connection.vendor}: {report.rows_read} rows "
        f"({report.rows_imported} imported, {report.rows_duplicate} duplicate, "
        f"{report.rows_rejected} rejected) "
        f"in {seconds:.2f} s = {report.rows_read / seconds:,.0f} rows/s; "
        f"{cpu:.2f} CPU s of this process = {report.rows_read / cpu:,.0f} rows "
        f"per CPU second{server}"
    )


def _readings_csv(serials: list[str], rows: int) -> bytes:
    # Meter after meter, then one day earlier: every row is a new reading.
    lines = ["meter,date,value"]
    for i in range(rows):
        day = date(2026, 11, 29) - timedelta(days=i // len(serials))
        lines.append(
            f"{serials[i % len(serials)]},{day.isoformat()},{1000 + i % 997}.125"
        )
    return ("\n".join(lines) + "\n").encode()


def bench_validation(readings: int, per_register: int) -> None:
    from meterbill.engine.consumption import period_consumption

    registers = _registers(readings, per_register)
    count = sum(len(r.readings) for r in registers)
    starts_on, ends_on = date(2026, 11, 1), date(2026, 11, 30)

    started = time.perf_counter()
    findings = 0
    for register in registers:
        findings += len(period_consumption(register, starts_on, ends_on).findings)
    seconds = time.perf_counter() - started
    print(
        f"validation: {count} readings of {len(registers)} registers "
        f"({findings} findings) in {seconds:.2f} s = {count / seconds:,.0f} readings/s"
    )


def _registers(readings: int, per_register: int) -> list[RegisterIn]:
    """Daily readings up to 2026-11-30, growing 0.250 a day from a base per register."""
    from meterbill.engine.consumption import ReadingIn, RegisterIn

    out = []
    last_day = date(2026, 11, 30)
    for n in range(max(1, readings // per_register)):
        base = Decimal(1000 + n % 5000)
        days = range(per_register)
        if n % 89 == 0:  # no closing reading: estimated from the history
            days = range(30, 30 + per_register)
        rows = [
            ReadingIn(
                n * per_register + i,
                last_day - timedelta(days=d),
                base + Decimal(per_register - d) / 4,
            )
            for i, d in enumerate(reversed(days))
        ]
        if n % 97 == 0:  # a misread closing index: lower than the opening one
            rows[-1] = ReadingIn(rows[-1].reading_id, rows[-1].read_on, base / 2)
        out.append(RegisterIn(n, f"M{n:07d}", 8, Decimal(1), rows))
    return out


if __name__ == "__main__":
    main()
