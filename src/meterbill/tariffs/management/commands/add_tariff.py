"""``meterbill add-tariff --code ELEC --utility electricity --valid-from 2000-01-01
--unit-price 0.85 --vat 21 [--fixed-per-month 12.00] [--vat-category S]``: a tariff
version (the tariff is created with its first version)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management import BaseCommand, CommandError

from meterbill.orgs.services import SetupRefused, organisation_named
from meterbill.tariffs.services import add_tariff_version


def _decimal(name: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise CommandError(f"--{name}: {text!r} is not a number") from exc
    if not value.is_finite():
        raise CommandError(f"--{name}: {text!r} is not a number")
    return value


class Command(BaseCommand):
    help = "Add a tariff version (prices net of VAT) in force from a date."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--code", required=True)
        parser.add_argument("--utility", required=True, help="utility code")
        parser.add_argument("--valid-from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--unit-price", required=True, help="net per unit")
        parser.add_argument("--vat", required=True, help="VAT rate in percent")
        parser.add_argument("--fixed-per-month", default="0")
        parser.add_argument("--vat-category", default="S")
        parser.add_argument("--currency")
        parser.add_argument("--name", default="")
        parser.add_argument("--organisation")

    def handle(self, *args, **o) -> None:
        try:
            valid_from = date.fromisoformat(o["valid_from"])
        except ValueError as exc:
            raise CommandError(f"--valid-from: {exc}") from exc
        try:
            org = organisation_named(o["organisation"])
            version = add_tariff_version(
                org,
                o["code"],
                o["utility"],
                valid_from,
                _decimal("unit-price", o["unit_price"]),
                _decimal("vat", o["vat"]),
                _decimal("fixed-per-month", o["fixed_per_month"]),
                o["vat_category"],
                o["currency"],
                o["name"],
            )
        except SetupRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"tariff {o['code']}: version from {version.valid_from} "
            f"({version.unit_price_net} {version.currency}/unit net, "
            f"{version.fixed_charge_per_month} per month, "
            f"VAT {version.vat_rate_percent}%)"
        )
