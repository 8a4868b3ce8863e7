"""``meterbill add-branch --code AU --name NAME [--parent HQ] [--time-zone TZ]``."""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError

from meterbill.orgs.services import SetupRefused, add_branch, organisation_named


class Command(BaseCommand):
    help = "Add a branch (work location) to an organisation's branch tree."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--code", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--parent", help="code of the parent branch")
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--organisation", help="needed when there are several")

    def handle(self, *args, **o) -> None:
        try:
            org = organisation_named(o["organisation"])
            branch = add_branch(org, o["code"], o["name"], o["parent"], o["time_zone"])
        except SetupRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"branch {branch.code} added under {o['parent'] or 'the root'}"
        )
