"""``meterbill export-route --branch CODE --period NAME --out DIR``: write the
reading route for mobile devices as ``route-<branch>-<period>.json`` and ``.csv``
(``--residence CODE``, repeated, narrows it to some residences)."""

from __future__ import annotations

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from meterbill.metering.routes import branch_and_period, export_route


class Command(BaseCommand):
    help = "Export the reading route of a branch's period for mobile devices."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--branch", required=True, help="branch code")
        parser.add_argument("--period", required=True, help="period name")
        parser.add_argument(
            "--residence", action="append", default=[], help="residence code"
        )
        parser.add_argument("--out", required=True, help="output directory")

    def handle(self, *args, **opts) -> None:
        try:
            branch, period = branch_and_period(opts["branch"], opts["period"])
        except LookupError as e:
            raise CommandError(str(e)) from e
        try:
            exported = export_route(
                branch,
                period,
                Path(opts["out"]),
                residence_codes=opts["residence"],
            )
        except ValueError as e:
            raise CommandError(str(e)) from e
        except OSError as e:
            raise CommandError(f"{opts['out']}: cannot write ({e.strerror})") from e
        self.stdout.write(
            f"Route {branch.code} {period.name}: {exported.stops} stops → "
            f"{exported.json_path}, {exported.csv_path}"
        )
