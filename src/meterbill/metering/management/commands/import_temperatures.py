"""``meterbill import-temperatures FILE.csv --branch CODE``: daily mean temperatures.

The CSV is the one of ``formats.temperatures``: a header naming ``date`` (YYYY-MM-DD)
and ``temperature_c`` (daily mean, °C). ``--station`` names the weather station
(blank: the branch's default one). The file is stored whole or not at all: any bad
row refuses it, naming the file, line and field. A day already stored gets the
file's mean.
"""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError

from meterbill.formats.errors import FormatError
from meterbill.metering.estimation import import_temperatures
from meterbill.orgs.models import Branch


class Command(BaseCommand):
    help = "Import a branch's daily mean temperatures (for degree-day estimates)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV with date,temperature_c")
        parser.add_argument("--branch", required=True, help="branch code")
        parser.add_argument("--station", default="", help="weather station name")

    def handle(self, *args, **opts) -> None:
        branches = list(Branch.objects.filter(code=opts["branch"])[:2])
        if not branches:
            raise CommandError(f"unknown branch {opts['branch']!r}")
        if len(branches) > 1:
            raise CommandError(f"branch code {opts['branch']!r} is ambiguous")
        try:
            added, replaced = import_temperatures(
                opts["file"], branches[0], station=opts["station"]
            )
        except FormatError as error:
            raise CommandError(f"refused, nothing imported: {error}") from error
        except OSError as error:
            raise CommandError(f"cannot read {opts['file']}: {error}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{opts['file']}: not UTF-8 text: {error}") from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Temperatures of {opts['file']} into branch {branches[0].code}: "
            f"{added} day(s) added, {replaced} replaced"
        )
