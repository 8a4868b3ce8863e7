"""``meterbill payment-list --branch CODE --period NAME --residence CODE --out DIR``:
the building's payment list as an A4 landscape PDF to post in the building."""

from __future__ import annotations

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from meterbill.billing.models import Period
from meterbill.billing.payment_list import build_payment_list, write_payment_list_pdf
from meterbill.premises.models import Residence


class Command(BaseCommand):
    help = "Write a residence's payment list of a period as a PDF."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--branch", required=True, help="branch code")
        parser.add_argument("--period", required=True, help="period name, e.g. 2026-11")
        parser.add_argument("--residence", required=True, help="residence code")
        parser.add_argument("--out", required=True, help="directory for the PDF")

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
        residence = (
            Residence.objects.filter(
                branch__path__startswith=period.branch.path, code=opts["residence"]
            )
            .select_related("branch__organisation")
            .first()
        )
        if residence is None:
            raise CommandError(
                f"--residence: no residence {opts['residence']!r} "
                f"in branch {opts['branch']!r}"
            )

        plist = build_payment_list(residence, period)
        path = write_payment_list_pdf(plist, Path(opts["out"]))
        self.stdout.write(
            f"{path}: {len(plist.rows)} apartment(s), {len(plist.columns)} cost "
            f"column(s), total {plist.gross} {plist.currency}"
        )
