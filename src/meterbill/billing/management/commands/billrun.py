"""``meterbill billrun --branch CODE --period NAME``: bill a period end to end."""

from __future__ import annotations

from datetime import date

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from meterbill.billing.billrun import BillRunRefused, bill_period
from meterbill.billing.models import Period
from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.models import Invoice


class Command(BaseCommand):
    help = "Run the bill run of a branch's period and write the invoice documents."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--branch", required=True, help="branch code")
        parser.add_argument("--period", required=True, help="period name, e.g. 2026-11")
        parser.add_argument("--issue-date", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--no-documents", action="store_true", help="skip PDF and XML files"
        )

    def handle(self, *args, **opts) -> None:
        period = (
            Period.objects.filter(branch__code=opts["branch"], name=opts["period"])
            .select_related("branch__organisation")
            .first()
        )
        if period is None:
            raise CommandError(
                f"no period {opts['period']!r} in branch {opts['branch']!r}"
            )
        issue_date = None
        if opts["issue_date"]:
            try:
                issue_date = date.fromisoformat(opts["issue_date"])
            except ValueError as exc:
                raise CommandError(f"--issue-date: {exc}") from exc

            if issue_date < period.ends_on:
                raise CommandError(
                    f"--issue-date {issue_date} is before the period ends "
                    f"({period.ends_on}): an invoice is issued after what it bills"
                )
            if issue_date > timezone.localdate():
                raise CommandError(
                    f"--issue-date {issue_date} is in the future; invoices are dated "
                    f"on or before the day they are issued"
                )
        try:
            run = bill_period(period, issue_date=issue_date)
        except BillRunRefused as exc:
            raise CommandError(str(exc)) from exc
        s = run.summary
        written = 0
        if not opts["no_documents"]:
            pending = Invoice.objects.filter(period=period).exclude(
                state=Invoice.State.DRAFT
            )
            written = write_documents(pending)
        self._print(period, s, written)
        if s.get("failed_chunks"):
            for error in s.get("errors", []):
                self.stderr.write(f"  {error}")
            raise CommandError(
                f"{s['failed_chunks']} chunk(s) failed (details in var/log/"
                f"meterbill.log); the others are done: run again after the fix"
            )

    def _print(self, period: Period, s: dict, written: int) -> None:
        out = self.stdout.write
        out(
            f"Bill run {period.branch.code} {period.name} "
            f"({period.starts_on} – {period.ends_on}) in {s['seconds']} s"
        )
        out(f"  apartments billed:        {s['apartments']}")
        out(f"  contracts:                {s['contracts']}")
        out(
            f"  invoices issued now:      {s['issued']}  "
            f"(in period: {s['invoices_in_period']})"
        )
        out(f"  invoices held for review: {s['held']}")
        out(f"  readings estimated:       {s['estimated']}")
        out(f"  documents written:        {written}")
        out(f"  net amount by utility ({period.branch.organisation.currency}):")
        for code, amount in s["net_by_utility"].items():
            out(f"    {code:<24}{amount:>14}")
        out("  validation findings by rule:")
        for rule, n in s["findings"].items() or [("none", 0)]:
            out(f"    {rule:<24}{n:>14}")
