"""``meterbill demo``: build the demo portfolio (once), run the bill run for November
2026 in both branches and write every invoice's documents under ``out/``.

The first run also shows the other kinds of invoice: in branch CLJ an advance invoice
for one contract from its weather-normalised forecast, settled against the actual
reading; in branch BUC one invoice cancelled and rebilled (credit note + new invoice,
linked to the original). The distribution rules (``billing.demo_allocation``): a
60/40 heating split in A1, a negative common-water difference reduced proportionally
in A2, a lift and cleaning bill split by quota in C1.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

from django.core.management import BaseCommand, call_command
from django.db import transaction

from meterbill.billing.demo_allocation import add_demo_allocation
from meterbill.billing.demo_tariffs import add_demo_tariffs
from meterbill.billing.models import Period
from meterbill.invoicing.advances import issue_advance, settle
from meterbill.invoicing.corrections import invoice_chain, rebill
from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.models import Invoice
from meterbill.orgs.models import Organisation
from meterbill.portfolio import build_demo
from meterbill.premises.models import Contract

ISSUE_DATE = date(2026, 12, 4)


def synthetic_temperatures(start: date, end: date) -> dict[date, Decimal]:
    """Daily mean temperatures shaped like Bucharest's climate (a cosine over the
    year, 11.5 °C mean, ±12.5 °C): the demo has no weather station."""
    days: dict[date, Decimal] = {}
    day = start
    while day <= end:
        doy = day.timetuple().tm_yday
        t = 11.5 - 12.5 * math.cos(2 * math.pi * (doy - 15) / 365)
        days[day] = Decimal(f"{t:.1f}")
        day += timedelta(days=1)
    return days


class Command(BaseCommand):
    help = "Build the demo portfolio, run its bill runs and write the documents."

    def handle(self, *args, **options) -> None:
        call_command("migrate", verbosity=0)
        first = not Organisation.objects.exists()
        if first:
            org = build_demo().org
            add_demo_tariffs(org)
            add_demo_allocation(org)
            self.stdout.write("Demo portfolio created.")
        else:
            self.stdout.write("Demo portfolio already present; running again.")
        periods = Period.objects.filter(name="2026-11").order_by("branch__code")
        if first:
            self._advance_and_settlement(periods.get(branch__code="CLJ"))
        for period in periods:
            call_command(
                "billrun",
                branch=period.branch.code,
                period=period.name,
                issue_date=ISSUE_DATE.isoformat(),
                stdout=self.stdout,
            )
        if first:
            self._cancel_and_rebill(periods.get(branch__code="BUC"))

    def _advance_and_settlement(self, period: Period) -> None:
        contract = Contract.objects.get(number="C-C1-2")
        temps = synthetic_temperatures(date(2025, 9, 1), date(2026, 11, 30))
        with transaction.atomic():
            advance = issue_advance(
                contract, period, None, temps, issue_date=date(2026, 11, 1)
            )
            settlement = settle(contract, period, None, issue_date=ISSUE_DATE)
        self.stdout.write(
            f"Advance invoice {advance.full_number} ({advance.total_gross} "
            f"{advance.currency}) settled by {settlement.full_number} "
            f"({settlement.total_gross} {settlement.currency})"
        )

    def _cancel_and_rebill(self, period: Period) -> None:
        original = (
            Invoice.objects.filter(period=period, kind=Invoice.Kind.INVOICE)
            .order_by("number")
            .first()
        )
        if original is None:
            return
        with transaction.atomic():
            credit, new = rebill(
                original, None, "owner moved: persons corrected", ISSUE_DATE
            )
        written = write_documents(Invoice.objects.filter(pk__in=[credit.pk, new.pk]))
        chain = " → ".join(i.full_number for i in invoice_chain(original))
        self.stdout.write(
            f"Cancelled and rebilled: {chain} ({written} documents written)"
        )
