"""The audit trail: append-only, each event chained to the previous by a hash."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    branch = models.ForeignKey(
        "orgs.Branch", null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # sha256 over the previous event's hash and this event's content.
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]


class AuditHead(models.Model):
    """One row: the hash of the newest event. Locking it serialises appends, so the
    chain never forks under concurrent writers."""

    last_hash = models.CharField(max_length=64)
    events = models.PositiveBigIntegerField(default=0)
