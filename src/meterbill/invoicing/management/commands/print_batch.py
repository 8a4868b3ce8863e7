"""``meterbill print-batch --branch CODE --period NAME [--residence CODE] --out DIR``:
the period's invoices as one PDF per residence, in delivery order, for dispatch."""

from __future__ import annotations

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from meterbill.billing.models import Period
from meterbill.invoicing.printing import (
    print_batch,
    printable_invoices,
    single_documents_seconds,
)
from meterbill.premises.models import Residence


class Command(BaseCommand):
    help = "Print a period's invoices for dispatch: one PDF per residence."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--branch", required=True, help="branch code")
        parser.add_argument("--period", required=True, help="period name, e.g. 2026-11")
        parser.add_argument("--residence", help="residence code (default: all)")
        parser.add_argument("--out", required=True, help="directory for the PDFs")
        parser.add_argument(
            "--compare",
            action="store_true",
            help="also render the invoices one PDF each and print both rates",
        )

    def handle(self, *args, **opts) -> None:
        period = (
            Period.objects.filter(branch__code=opts["branch"], name=opts["period"])
            .select_related("branch")
            .first()
        )
        if period is None:
            raise CommandError(
                f"no period {opts['period']!r} in branch {opts['branch']!r}"
            )
        residence = None
        if opts["residence"]:
            residence = Residence.objects.filter(
                branch__path__startswith=period.branch.path, code=opts["residence"]
            ).first()
            if residence is None:
                raise CommandError(
                    f"--residence: no residence {opts['residence']!r} "
                    f"in branch {opts['branch']!r}"
                )
        if not printable_invoices(period, residence).exists():
            raise CommandError(f"no issued invoices to print in period {period.name}")

        result = print_batch(period, Path(opts["out"]), residence=residence)
        for job in result.jobs:
            self.stdout.write(
                f"  {job.file_path}: {job.invoice_count} invoice(s), {job.pages} pages"
            )
        self.stdout.write(
            f"Printed {result.invoices} invoice(s) in {len(result.jobs)} file(s) in "
            f"{result.seconds:.2f} s: {result.invoices_per_second:.1f} invoices/s"
        )
        if opts["compare"]:
            invoices = list(printable_invoices(period, residence))
            seconds = single_documents_seconds(invoices)
            rate = len(invoices) / seconds if seconds else 0.0
            self.stdout.write(
                f"One PDF per invoice: {len(invoices)} invoice(s) in {seconds:.2f} s: "
                f"{rate:.1f} invoices/s (batch {result.invoices_per_second:.1f})"
            )
