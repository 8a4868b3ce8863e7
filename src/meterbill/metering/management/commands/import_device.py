"""``meterbill import-device FILE --branch CODE [--user NAME]``: store the readings a
mobile device returned from a reading route.

Exit code 0 when every reading was stored (or was already there); 1 when any row was
rejected (the others are stored, the rejected ones quarantined in the batch) or the
whole file was refused (nothing stored).
"""

from __future__ import annotations

from datetime import date

from django.core.management import BaseCommand, CommandError

from meterbill.metering.imports import ImportRefused
from meterbill.metering.routes import DeviceImportReport, import_device_result
from meterbill.orgs.models import Branch, User

# Rejected rows and skipped stops printed; the rest are in the batch and the audit.
SHOWN = 20


class Command(BaseCommand):
    help = "Import the result file of a mobile reading device into a branch."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="path of the device's result file")
        parser.add_argument("--branch", required=True, help="branch code")
        parser.add_argument(
            "--user", default="", help="username: whose branch limits the import"
        )
        parser.add_argument(
            "--today", default="", help="YYYY-MM-DD: later dates are in the future"
        )

    def handle(self, *args, **opts) -> None:
        branches = list(Branch.objects.filter(code=opts["branch"])[:2])
        if len(branches) != 1:
            problem = "unknown" if not branches else "ambiguous"
            raise CommandError(f"{problem} branch {opts['branch']!r}")
        user = None
        if opts["user"]:
            user = User.objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"unknown user {opts['user']!r}")
        try:
            report = import_device_result(
                opts["file"], branches[0], user, today=_day(opts["today"])
            )
        except ImportRefused as refused:
            raise CommandError(f"refused, nothing imported: {refused}") from refused
        self._print(report, branches[0])
        if report.rows_rejected:
            raise CommandError(
                f"{report.rows_rejected} row(s) rejected and quarantined in batch "
                f"{report.batch_id}; the other rows were imported",
                returncode=1,
            )

    def _print(self, report: DeviceImportReport, branch: Branch) -> None:
        out = self.stdout.write
        out(
            f"Device result {report.filename} into branch {branch.code}: "
            f"batch {report.batch_id}"
        )
        out(f"  rows read:       {report.rows_read:>8}")
        out(f"  imported:        {report.rows_imported:>8}")
        out(f"    outside range: {report.rows_flagged:>8}  (stored with a note)")
        out(f"  duplicate:       {report.rows_duplicate:>8}")
        out(f"  skipped stops:   {len(report.skipped):>8}")
        out(f"  rejected:        {report.rows_rejected:>8}")
        for s in report.skipped[:SHOWN]:
            out(f"  {report.filename}:{s.line}: skipped {s.meter_serial}: {s.reason}")
        for error in report.rejected[:SHOWN]:
            out(f"  {error}")
        if report.rows_rejected > SHOWN:
            out(f"  … {report.rows_rejected - SHOWN} more in batch {report.batch_id}")


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--today: {exc}") from exc
