"""``meterbill assess-penalties --branch CODE --on DATE``: charge the branch's late
payments up to DATE on penalty invoices (invoicing.penalties, docs/penalties.md)."""

from __future__ import annotations

from datetime import date

from django.core.management import BaseCommand, CommandError

from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.penalties import PenaltyError, assess_penalties
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
            help="the assessment day, YYYY-MM-DD: unpaid invoices are charged "
            "through it",
        )
        parser.add_argument(
            "--issue-date",
            type=date.fromisoformat,
            help="issue date of the penalty invoices (default: today)",
        )

    def handle(self, *args, **opts) -> None:
        branch = branch_by_code(opts["branch"])
        try:
            run = assess_penalties(branch, opts["on"], None, opts["issue_date"])
        except PenaltyError as exc:
            raise CommandError(str(exc)) from exc
        written = write_documents(
            Invoice.objects.filter(pk__in=[i.pk for i in run.invoices])
        )
        for inv in run.invoices:
            self.stdout.write(
                f"  {inv.full_number}: {inv.lines.count()} late invoice(s), "
                f"{inv.total_gross} {inv.currency}"
            )
        self.stdout.write(
            f"Penalties of branch {branch.code} through {run.on.isoformat()} "
            f"(rule {run.rule}): {run.late_invoices} late invoice(s) looked at, "
            f"{len(run.charged)} charged on {len(run.invoices)} penalty invoice(s), "
            f"documents of {written} written"
        )
