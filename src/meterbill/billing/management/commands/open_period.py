"""``meterbill open-period --branch CODE --name NAME --from DAY --to DAY``."""

from __future__ import annotations

from datetime import date

from django.core.management import BaseCommand, CommandError

from meterbill.billing.periods import PeriodRefused, open_period
from meterbill.orgs.models import Branch


class Command(BaseCommand):
    help = "Open a calculation period of a branch."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--branch", required=True, help="branch code")
        parser.add_argument("--name", required=True, help="e.g. 2026-11")
        parser.add_argument("--from", dest="starts_on", required=True)
        parser.add_argument("--to", dest="ends_on", required=True, help="inclusive")

    def handle(self, *args, **opts) -> None:
        branch = Branch.objects.filter(code=opts["branch"]).first()
        if branch is None:
            raise CommandError(f"unknown branch {opts['branch']!r}")
        starts_on = _day(opts["starts_on"], "--from")
        ends_on = _day(opts["ends_on"], "--to")
        try:
            period = open_period(branch, opts["name"], starts_on, ends_on)
        except PeriodRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            f"Period {period.name} of branch {branch.code} open: "
            f"{period.starts_on} – {period.ends_on}"
        )


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from exc
