"""``meterbill reading-sheets --branch CODE --period NAME --out DIR``: one printable
reading sheet (PDF) per residence, one page per staircase."""

from __future__ import annotations

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from meterbill.metering.routes import branch_and_period
from meterbill.metering.sheets import write_reading_sheets


class Command(BaseCommand):
    help = "Write the reading sheets (PDF) of a branch's period, one per residence."

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
            written = write_reading_sheets(
                branch, period, Path(opts["out"]), residence_codes=opts["residence"]
            )
        except (LookupError, ValueError) as e:
            raise CommandError(str(e)) from e
        except OSError as e:
            raise CommandError(f"{opts['out']}: cannot write ({e.strerror})") from e
        self.stdout.write(
            f"Reading sheets {branch.code} {period.name}: {len(written)} PDF(s) in "
            f"{opts['out']}"
        )
        for path in written:
            self.stdout.write(f"  {path.name}")
