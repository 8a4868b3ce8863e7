"""``meterbill add-utility --code electricity --name Electricity --kind electricity
--unit kWh --unit-code KWH``."""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError

from meterbill.orgs.services import SetupRefused, organisation_named
from meterbill.tariffs.services import add_utility


class Command(BaseCommand):
    help = "Add a billed utility with its unit."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--code", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True)
        parser.add_argument("--unit", required=True, help="m3, kWh, GJ, units")
        parser.add_argument(
            "--unit-code", required=True, help="UN/ECE Rec 20 code: MTQ, KWH, C62 …"
        )
        parser.add_argument("--organisation")

    def handle(self, *args, **o) -> None:
        try:
            org = organisation_named(o["organisation"])
            u = add_utility(
                org, o["code"], o["name"], o["kind"], o["unit"], o["unit_code"]
            )
        except SetupRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"utility {u.code} ({u.unit}) added")
