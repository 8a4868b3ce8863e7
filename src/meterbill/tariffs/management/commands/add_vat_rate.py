"""``meterbill add-vat-rate --category S --rate 21 --valid-from 2025-08-01``: the
organisation's VAT rate for a category from a date on (category O: no --rate)."""

from __future__ import annotations

from datetime import date

from django.core.management import BaseCommand, CommandError

from meterbill.engine.numbers import NotANumber, plain_decimal
from meterbill.orgs.services import SetupRefused, organisation_named
from meterbill.tariffs.services import add_vat_rate


class Command(BaseCommand):
    help = "Add the organisation's VAT rate for a category from a date on."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--category", required=True, help="S, Z, E, AE or O")
        parser.add_argument("--rate", help="percent; none for category O")
        parser.add_argument("--valid-from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--organisation")

    def handle(self, *args, **o) -> None:
        try:
            valid_from = date.fromisoformat(o["valid_from"])
        except ValueError as exc:
            raise CommandError(f"--valid-from: {exc}") from exc
        rate = None
        if o["rate"] is not None:
            try:
                rate = plain_decimal(o["rate"], comma=False)
            except NotANumber as exc:
                raise CommandError(f"--rate: {exc}") from exc
        try:
            org = organisation_named(o["organisation"])
            vat = add_vat_rate(org, o["category"], rate, valid_from)
        except SetupRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"VAT {vat.category} {vat.rate_percent if rate is not None else '(none)'}"
            f"% from {vat.valid_from}"
        )
