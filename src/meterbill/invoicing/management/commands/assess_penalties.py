"""``meterbill assess-penalties --branch CODE --on DATE``: charge the branch's late
payments up to DATE on penalty invoices (invoicing.penalties, docs/penalties.md)."""

from __future__ import annotations

from datetime import date

from django.core.management import BaseCommand, CommandError
from django.db.models import Count

from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.penalties import (
    PenaltyError,
    PenaltyRun,
    assess_penalties,
)
from meterbill.orgs.models import Branch


def branch_by_code(code: str) -> Branch:
    """The branch with ``code``; a code used by several organisations is refused
    rather than guessed."""
    found = list(Branch.objects.filter(code=code).select_related("organisation")[:2])
    if not found:
        raise CommandError(f"--branch: no branch {code!r}")
    if len(found) > 1:
        raise CommandError(
            f"--branch: {code!r} names branches of several organisations"
        )
    return found[0]


class Command(BaseCommand):
    help = "Charge a branch's late payments up to a date on penalty invoices."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--branch", required=True, help="branch code")
        parser.add_argument(
            "--on",
            required=True,
            type=date.fromisoformat,
            help="the assessment day, YYYY-MM-DD, today or earlier: unpaid "
            "invoices are charged through it",
        )
        parser.add_argument(
            "--issue-date",
            type=date.fromisoformat,
            help="issue date of the penalty invoices, not before --on (default: today)",
        )

    def handle(self, *args, **opts) -> None:
        branch = branch_by_code(opts["branch"])
        try:
            run = assess_penalties(branch, opts["on"], None, opts["issue_date"])
        except PenaltyError as exc:
            option = f"--{exc.field.replace('_', '-')}: " if exc.field else ""
            raise CommandError(f"{option}{exc}") from exc
        written = write_documents(
            Invoice.objects.filter(pk__in=[i.pk for i in run.documents])
        )
        self._report(run, written)
        if run.skipped:
            # The others are charged; the exit status tells the operator to act.
            raise CommandError(
                f"{len(run.skipped)} late invoice(s) skipped, the rule's formula "
                "failed on them: " + "; ".join(str(s) for s in run.skipped)
            )

    def _report(self, run: PenaltyRun, written: int) -> None:
        issued = (
            Invoice.objects.filter(pk__in=[i.pk for i in run.documents])
            .annotate(line_count=Count("lines"))
            .order_by("series_id", "number")
        )
        for inv in issued:
            what = "credited" if inv.kind == Invoice.Kind.CREDIT_NOTE else "late"
            self.stdout.write(
                f"  {inv.full_number}: {inv.line_count} {what} invoice(s), "
                f"{inv.total_gross} {inv.currency}"
            )
        for skipped in run.skipped:
            self.stdout.write(f"  skipped {skipped}")
        parts = [
            f"{run.late_invoices} late invoice(s) looked at",
            f"{len(run.charged)} charged on {len(run.invoices)} penalty invoice(s)",
        ]
        if run.credit_notes:
            parts.append(
                f"{len(run.credited)} credited on {len(run.credit_notes)} credit "
                "note(s)"
            )
        if run.skipped:
            parts.append(f"{len(run.skipped)} skipped")
        self.stdout.write(
            f"Penalties of branch {run.branch.code} through {run.on.isoformat()} "
            f"(rule {run.rule}): {', '.join(parts)}, documents of {written} written"
        )
