"""``meterbill bench --apartments N``: build a portfolio of N apartments, bill it,
and print the figures. It empties its database first, so it refuses one that holds
anything but an earlier bench portfolio."""

from __future__ import annotations

import time
from datetime import date

from django.core.management import BaseCommand, CommandError, call_command
from django.db import connection

from meterbill.audit.models import AuditEvent
from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Period
from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.models import Invoice, InvoiceLine
from meterbill.metering.models import Reading
from meterbill.orgs.models import Organisation, User
from meterbill.portfolio import BENCH_ORGANISATION, build_bench


class Command(BaseCommand):
    help = "Benchmark the bill run (flushes the configured database first)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--apartments", type=int, default=10_000)
        parser.add_argument(
            "--pdf-sample",
            type=int,
            default=100,
            help="invoices to render as PDF for the document figure",
        )

    def handle(self, *args, **opts) -> None:
        out = self.stdout.write
        vendor = connection.vendor
        call_command("migrate", verbosity=0)
        foreign = Organisation.objects.exclude(name=BENCH_ORGANISATION).exists()
        # A bench portfolio has no users and no audit trail: anything else is real.
        if (
            foreign
            or User.objects.exists()
            or AuditEvent.objects.exclude(action__startswith="billrun.").exists()
            or (Reading.objects.exists() and not Organisation.objects.exists())
        ):
            raise CommandError(
                f"the database {connection.settings_dict['NAME']} holds data that is "
                f"not a bench portfolio; the benchmark empties its database, so give "
                f"it one of its own (DATABASE_URL=sqlite:///var/bench.sqlite3 or an "
                f"empty PostgreSQL/MariaDB database)"
            )
        call_command("flush", interactive=False, verbosity=0)

        started = time.perf_counter()
        build_bench(opts["apartments"])
        built = time.perf_counter() - started
        out(
            f"database: {vendor}; portfolio of {opts['apartments']} apartments, "
            f"{Reading.objects.count()} readings built in {built:.1f} s"
        )

        total_invoices = 0
        total_seconds = 0.0
        for period in Period.objects.order_by("branch__code"):
            started = time.perf_counter()
            run = bill_period(period, issue_date=date(2026, 12, 4))
            seconds = time.perf_counter() - started
            total_seconds += seconds
            total_invoices += run.summary["issued"]
            steps = ", ".join(
                f"{k} {v:.2f} s" for k, v in run.summary["step_seconds"].items()
            )
            out(
                f"  bill run {period.branch.code}: {run.summary['issued']} invoices "
                f"in {seconds:.2f} s ({steps})"
            )
        lines = InvoiceLine.objects.count()
        out(
            f"bill run: {total_invoices} invoices ({lines} lines) in "
            f"{total_seconds:.2f} s = {total_invoices / total_seconds:,.0f} invoices/s"
        )

        sample = Invoice.objects.order_by("pk")[: opts["pdf_sample"]]
        started = time.perf_counter()
        written = write_documents(
            Invoice.objects.filter(pk__in=list(sample.values_list("pk", flat=True)))
        )
        seconds = time.perf_counter() - started
        if written:
            out(
                f"documents (PDF + UBL, batch of {written}): {seconds:.2f} s = "
                f"{written / seconds:.1f} invoices/s"
            )
