"""Background jobs: long work (a bill run, a reading import, invoice documents) that
a user launches from the browser and follows on a progress page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meterbill.billing.models import Period
from meterbill.orgs.models import Branch


class Job(models.Model):
    class Kind(models.TextChoices):
        BILLRUN = "billrun", _("Bill run")
        IMPORT = "import", _("Reading import")
        DOCUMENTS = "documents", _("Invoice documents")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Isolation: a job is seen only inside its branch's subtree (web/access.py).
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # The period a bill run or a documents job works on.
    period = models.ForeignKey(Period, null=True, blank=True, on_delete=models.PROTECT)
    # What the job was asked to do (format, column map, issue date, invoice ids …).
    params = models.JSONField(default=dict, blank=True)
    # An import's uploaded file, kept until the import is done.
    upload_path = models.CharField(max_length=500, blank=True)

    state = models.CharField(max_length=8, choices=State.choices, default="queued")
    step = models.CharField(max_length=32, blank=True)
    # Progress of the current step: done of total (total 0: not known yet).
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # One line: why it failed, or what it is doing.
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # "host:pid" of the process running it; with heartbeat_at, how a dead worker
    # is told from a slow one.
    worker = models.CharField(max_length=128, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The worker polls for the oldest queued job.
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
