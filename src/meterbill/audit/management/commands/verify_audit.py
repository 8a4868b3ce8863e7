"""``meterbill verify-audit``: check that the audit trail's hash chain is intact."""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError

from meterbill.audit.models import AuditEvent
from meterbill.audit.trail import verify


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain; print each break and exit 1 if an "
        "event was altered or removed."
    )

    def handle(self, *args, **opts) -> None:
        breaks = list(verify())
        if not breaks:
            count = AuditEvent.objects.count()
            self.stdout.write(f"audit trail intact: {count} events")
            return
        for b in breaks:
            where = f"event {b.event_id}" if b.event_id else "head"
            self.stdout.write(f"audit trail broken at {where}: {b.reason}")
        raise CommandError(f"audit trail broken: {len(breaks)} break(s)", returncode=1)
