"""``meterbill import-readings FILE --format F --branch CODE``: import a reading file.

Exit code 0 when every row was imported (or was already there); 1 when any row was
rejected (the others are imported, the rejected ones quarantined in the batch) or
the whole file was refused (nothing stored).
"""

from __future__ import annotations

from datetime import date

from django.core.management import BaseCommand, CommandError

from meterbill.metering.imports import (
    FORMATS,
    ImportOptions,
    ImportRefused,
    ImportReport,
    import_readings,
)
from meterbill.orgs.models import Branch

# Rejected rows printed; the rest are in the batch's quarantine.
SHOWN = 20


class Command(BaseCommand):
    help = "Import a file of meter readings into a branch."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="path of the file")
        parser.add_argument("--format", required=True, help=" | ".join(FORMATS))
        parser.add_argument("--branch", required=True, help="branch code")
        parser.add_argument(
            "--register-new",
            action="store_true",
            help="NEM12/NEM13, Green Button, MSCONS: create service points, meters, "
            "registers, customers and contracts for unknown NMIs, usage points and "
            "metering locations",
        )
        parser.add_argument(
            "--tariff", default="", help="tariff code (new service points)"
        )
        parser.add_argument(
            "--customer-prefix", default="", help="for new service points"
        )
        parser.add_argument("--column-map", default="", help="saved column map name")
        parser.add_argument(
            "--again", action="store_true", help="import a file imported before"
        )
        parser.add_argument(
            "--source", default="", choices=["", "file", "device", "radio"]
        )
        parser.add_argument(
            "--today", default="", help="YYYY-MM-DD: later dates are in the future"
        )

    def handle(self, *args, **opts) -> None:
        branch = Branch.objects.filter(code=opts["branch"]).first()
        if branch is None:
            raise CommandError(f"unknown branch {opts['branch']!r}")
        if Branch.objects.filter(code=opts["branch"]).count() > 1:
            raise CommandError(f"branch code {opts['branch']!r} is ambiguous")
        if opts["format"] not in FORMATS:
            raise CommandError(
                f"unknown format {opts['format']!r}; use one of {', '.join(FORMATS)}"
            )
        options = ImportOptions(
            register_new=opts["register_new"],
            tariff=opts["tariff"],
            customer_prefix=opts["customer_prefix"],
            column_map=opts["column_map"],
            again=opts["again"],
            source=opts["source"],
            today=_day(opts["today"]),
        )
        try:
            report = import_readings(
                opts["file"], fmt=opts["format"], branch=branch, options=options
            )
        except ImportRefused as refused:
            raise CommandError(f"refused, nothing imported: {refused}") from refused
        self._print(report, branch)
        if report.rows_rejected:
            raise CommandError(
                f"{report.rows_rejected} row(s) rejected and quarantined in batch "
                f"{report.batch_id}; the other rows were imported",
                returncode=1,
            )

    def _print(self, report: ImportReport, branch: Branch) -> None:
        out = self.stdout.write
        out(
            f"Import of {report.filename} ({report.format}) into branch "
            f"{branch.code}: batch {report.batch_id}"
        )
        out(f"  rows read:       {report.rows_read:>8}")
        out(f"  imported:        {report.rows_imported:>8}")
        out(f"  duplicate:       {report.rows_duplicate:>8}")
        if report.estimates_replaced:
            out(f"  estimates replaced: {report.estimates_replaced:>5}")
        out(f"  rejected:        {report.rows_rejected:>8}")
        if report.late_actuals:
            late = report.late_actuals
            out(f"  late actuals:    {late:>8}  (settled in the next bill)")
        if report.interval_days:
            out(f"  interval days:   {report.interval_days:>8}")
        if report.days_completed:
            completed = report.days_completed
            out(f"  days completed:  {completed:>8}  (partial days of earlier files)")
        if report.service_points_created:
            out(f"  new points:      {report.service_points_created:>8}")
        if report.values_ignored:
            out(f"  values ignored:  {report.values_ignored:>8}  (not billing values)")
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
