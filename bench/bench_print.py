"""Invoice PDF speed, single and batch (invoices per second, one process).

    DATABASE_URL=sqlite:////tmp/bench-print.sqlite3 \\
        .venv/bin/python bench/bench_print.py --apartments 80

Builds a bench portfolio (``meterbill.portfolio.build_bench``, buildings of 40
apartments) in an empty database (migrating it first; it refuses a database that
already holds an organisation), bills November 2026, then renders the first
residence's invoices:

- single: each invoice's own PDF from its HTML (PDF/A-3b, the Factur-X step and its
  XML left out), one WeasyPrint document per invoice;
- batch: ``print_batch`` for the same residence, the cover page included, once in
  this process (the work per invoice compared with single) and once on every core
  (as ``print-batch`` runs).

Fonts are warmed up first, as in a running server. The rate (wall clock) varies
with the load of the machine; the CPU time per invoice (this process and its pool
workers) measures the work and compares across runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apartments", type=int, default=80)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meterbill.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from meterbill.billing.billrun import bill_period
    from meterbill.billing.models import Period
    from meterbill.invoicing.printing import (
        print_batch,
        printable_invoices,
        single_documents_seconds,
    )
    from meterbill.orgs.models import Organisation
    from meterbill.portfolio import build_bench
    from meterbill.premises.models import Residence

    call_command("migrate", verbosity=0)
    if Organisation.objects.exists():
        sys.exit("bench_print: give it an empty database (DATABASE_URL)")
    build_bench(args.apartments)
    for period in Period.objects.filter(name="2026-11"):
        bill_period(period, issue_date=date(2026, 12, 4))

    residence = Residence.objects.order_by("code").first()
    assert residence is not None
    period = Period.objects.get(branch=residence.branch, name="2026-11")
    invoices = list(printable_invoices(period, residence))
    n = len(invoices)

    single_documents_seconds(invoices[:1])  # warm up fonts, as a server would be
    cpu = _cpu_seconds()
    single = single_documents_seconds(invoices)
    rows = [("single, one PDF each, one process", single, _cpu_seconds() - cpu)]
    for workers, label in (
        (1, "batch print file, one process"),
        (None, "batch, all cores"),
    ):
        with tempfile.TemporaryDirectory() as out:
            cpu = _cpu_seconds()
            started = time.perf_counter()
            print_batch(period, Path(out), residence=residence, workers=workers)
            rows.append((label, time.perf_counter() - started, _cpu_seconds() - cpu))

    print(f"PDF, one residence of {n} invoices ({os.cpu_count()} cores):")
    for label, wall, cpu in rows:
        print(
            f"  {label:36} {n / wall:5.1f} invoices/s, "
            f"{1000 * cpu / n:4.0f} ms CPU per invoice"
        )


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children: the work done, whatever
    else runs on the machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
