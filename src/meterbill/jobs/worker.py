"""The polling worker: runs queued jobs one after the other, and marks failed the
jobs whose runner died."""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections

from .runner import next_queued, reap, run_job, worker_name

log = logging.getLogger(__name__)


def run_queued(stop: threading.Event | None = None) -> int:
    """Run queued jobs until none is left; returns how many this worker ran."""
    ran = 0
    while stop is None or not stop.is_set():
        job_id = next_queued()
        if job_id is None:
            return ran
        if run_job(job_id, worker_name()) is not None:
            ran += 1
    return ran


def serve(
    stop: threading.Event, poll_seconds: float | None = None, parent: int = 0
) -> None:
    """Poll until ``stop`` is set (or, given ``parent``, until that process, which
    started this worker, has ended)."""
    poll = poll_seconds or settings.JOB_POLL_SECONDS
    log.info("job worker started", extra={"worker": worker_name()})
    while not stop.is_set():
        if parent and os.getppid() != parent:
            log.info("job worker's parent ended", extra={"parent": parent})
            return
        close_old_connections()
        reap()
        if not run_queued(stop):
            stop.wait(poll)
    log.info("job worker stopped", extra={"worker": worker_name()})
