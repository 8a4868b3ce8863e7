"""``meterbill demo``: build the demo portfolio (once), run the bill run for November
2026 in both branches and write every invoice's PDF and UBL file under ``out/``."""

from __future__ import annotations

from datetime import date

from django.core.management import BaseCommand, call_command

from meterbill.billing.models import Period
from meterbill.orgs.models import Organisation
from meterbill.portfolio import build_demo


class Command(BaseCommand):
    help = "Build the demo portfolio, run its bill runs and write the documents."

    def handle(self, *args, **options) -> None:
        call_command("migrate", verbosity=0)
        if not Organisation.objects.exists():
            build_demo()
            self.stdout.write("Demo portfolio created.")
        else:
            self.stdout.write("Demo portfolio already present; running again.")
        for period in Period.objects.filter(name="2026-11").order_by("branch__code"):
            call_command(
                "billrun",
                branch=period.branch.code,
                period=period.name,
                issue_date=date(2026, 12, 4).isoformat(),
                stdout=self.stdout,
            )
