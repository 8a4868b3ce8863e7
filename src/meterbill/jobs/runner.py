"""Launching, running and watching background jobs.

A job is queued in the database by :func:`launch`. Whoever runs it first claims it
with a conditional UPDATE (queued → running) whose row count is checked, so it runs
once however many runners look:

- ``meterbill worker`` polls the table (the embedded default; ``make serve`` starts
  one beside the web server);
- with ``CELERY_BROKER_URL`` set, :func:`launch` also sends the Celery task
  ``meterbill.jobs.tasks.run_job`` to the queue ``jobs``;
- ``meterbill run-job ID`` runs one job by hand.

A runner writes its name (``host:pid``) and a heartbeat with every progress step. A
runner that died (crashed, killed, the machine restarted) is noticed by
:func:`reap`: on the same host its process is gone, elsewhere its heartbeat is older
than ``JOB_STALE_SECONDS``. The job is then marked failed with a message saying so,
and :func:`resume` queues it again: each kind of job resumes where it stopped
(a bill run keeps its finished chunks, documents already written are not written
again, an import is one transaction and either happened or not).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from meterbill.audit import trail

from .models import Job

log = logging.getLogger(__name__)

HOST = socket.gethostname()


class JobFailed(Exception):
    """The job cannot go on; the message is one line for the user."""


def worker_name() -> str:
    return f"{HOST}:{os.getpid()}"


def launch(
    kind: str,
    branch: Any,
    user: Any,
    *,
    period: Any = None,
    params: dict | None = None,
    upload_path: str = "",
) -> Job:
    """Queue a job and record who asked for what."""
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            branch=branch,
            created_by=user if getattr(user, "pk", None) else None,
            period=period,
            params=params or {},
            upload_path=upload_path,
        )
        trail.record(
            "job.launch",
            user=user,
            branch=branch,
            obj=job,
            after={
                "kind": kind,
                "period": period.name if period else None,
                **(params or {}),
            },
        )
        transaction.on_commit(lambda: _send(job.pk))
    log.info("job queued", extra={"job": job.pk, "kind": kind})
    return job


def _send(job_id: int) -> None:
    """With a broker, hand the job to a Celery worker too; the polling worker
    takes it otherwise (or if the broker cannot be reached)."""
    if not settings.CELERY_BROKER_URL:
        return
    import meterbill.celery  # noqa: F401  (binds the task to the configured app)

    from .tasks import run_job as task

    try:
        task.delay(job_id)
    except Exception:  # the broker is down: the job stays queued for a worker
        log.warning("job not sent to the broker", extra={"job": job_id}, exc_info=True)


def may_run_again(job: Job) -> bool:
    """A failed job may be queued again, but not an import whose uploaded file is
    gone (refused as a whole, which deletes it, or removed): it could only fail
    again with "upload it again"."""
    if job.state != Job.State.FAILED:
        return False
    if job.kind == Job.Kind.IMPORT:
        return bool(job.upload_path) and Path(job.upload_path).is_file()
    return True


def discard_upload(upload_path: str) -> None:
    """Delete an import's uploaded file and the folder made for it alone (see
    ``services.launch_import``), so no empty folder is left behind."""
    if not upload_path:
        return
    path = Path(upload_path)
    path.unlink(missing_ok=True)
    root = Path(settings.JOB_UPLOAD_DIR).resolve()
    folder = path.parent.resolve()
    if folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:  # gone already, or holds a file that is not ours
            pass


def resume(job: Job, user: Any) -> bool:
    """Queue a failed job again; False when it is not failed (any more) or cannot
    run again (:func:`may_run_again`). The reason it failed is kept in
    ``result["earlier_failure"]``, as the new run clears the message."""
    if not may_run_again(job):
        return False
    with transaction.atomic():
        result = {**job.result, "earlier_failure": job.message}
        requeued = Job.objects.filter(pk=job.pk, state=Job.State.FAILED).update(
            state=Job.State.QUEUED, worker="", finished_at=None, result=result
        )
        if requeued != 1:
            return False
        trail.record(
            "job.resume",
            user=user,
            branch=job.branch,
            obj=job,
            before={"state": job.state, "message": job.message},
            after={"state": Job.State.QUEUED},
        )
        transaction.on_commit(lambda: _send(job.pk))
    return True


def claim(job_id: int, worker: str) -> bool:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING,
        worker=worker[:128],
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        message="",
    )
    return claimed == 1


def next_queued() -> int | None:
    return (
        Job.objects.filter(state=Job.State.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


class Progress:
    """What a running job reports: its step, done of total, values to keep for a
    resume. Each report is also the runner's heartbeat."""

    def __init__(self, job: Job, worker: str) -> None:
        self.job = job
        self.worker = worker

    def _write(self, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(self.job, name, value)
        Job.objects.filter(pk=self.job.pk, worker=self.worker).update(
            heartbeat_at=timezone.now(), **fields
        )

    def step(self, name: str, total: int, done: int = 0) -> None:
        self._write(step=name, total=total, done=done)

    def advance(self, done: int) -> None:
        self._write(done=done)

    def keep(self, **values: Any) -> None:
        """Store values in the job's result now, so that a resume finds them."""
        self._write(result={**self.job.result, **values})


Step = Callable[[Job, Progress], dict]


def _steps() -> dict[str, Step]:
    from . import steps

    return {
        Job.Kind.BILLRUN: steps.billrun,
        Job.Kind.IMPORT: steps.import_file,
        Job.Kind.DOCUMENTS: steps.documents,
    }


def run_job(job_id: int, worker: str = "") -> Job | None:
    """Claim and run one job; None when someone else has it (or it is not
    queued). Whatever happens, the job ends done or failed."""
    worker = worker or worker_name()
    if not claim(job_id, worker):
        return None
    job = Job.objects.select_related(
        "branch", "created_by", "period__branch__organisation"
    ).get(pk=job_id)
    progress = Progress(job, worker)
    try:
        result = _steps()[job.kind](job, progress)
    except JobFailed as exc:
        _finish(job, worker, Job.State.FAILED, str(exc))
    except Exception as exc:  # a failed job must say why, never stay "running"
        log.exception("job failed", extra={"job": job.pk, "kind": job.kind})
        _finish(job, worker, Job.State.FAILED, f"{type(exc).__name__}: {exc}"[:500])
    else:
        _finish(job, worker, Job.State.DONE, "", result)
    return job


def _finish(
    job: Job, worker: str, state: str, message: str, result: dict | None = None
) -> None:
    job.state, job.message = state, message
    job.result = {**job.result, **(result or {})}
    job.finished_at = timezone.now()
    with transaction.atomic():
        Job.objects.filter(pk=job.pk, worker=worker).update(
            state=state,
            message=message,
            result=job.result,
            finished_at=job.finished_at,
            heartbeat_at=job.finished_at,
        )
        trail.record(
            "job.finish",
            user=job.created_by,
            branch=job.branch,
            obj=job,
            after={"state": state, "message": message, "result": job.result},
        )
    if state == Job.State.DONE:
        discard_upload(job.upload_path)
    log.info("job finished", extra={"job": job.pk, "state": state})


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False  # 0 and negative ids name process groups, never a worker
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A dead child its parent has not waited for yet is a zombie: dead all the same.
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _lost_because(job: Job, stale_before: Any) -> str:
    host, _sep, pid = job.worker.rpartition(":")
    if host == HOST and pid.isdigit():
        if not _alive(int(pid)):
            return (
                f"the worker ({job.worker}) stopped while running this job "
                "(crashed or killed); run it again to resume"
            )
        return ""
    if job.heartbeat_at is None or job.heartbeat_at < stale_before:
        since = job.heartbeat_at or job.started_at
        return (
            f"no sign of life from the worker ({job.worker or '?'}) since "
            f"{since:%Y-%m-%d %H:%M:%S} UTC; run it again to resume"
        )
    return ""


def reap(jobs: QuerySet[Job] | None = None) -> int:
    """Mark failed the running jobs whose runner is gone; returns how many."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    running = (jobs if jobs is not None else Job.objects.all()).filter(
        state=Job.State.RUNNING
    )
    lost = 0
    for job in running.select_related("branch", "created_by"):
        reason = _lost_because(job, stale_before)
        if not reason:
            continue
        with transaction.atomic():
            marked = Job.objects.filter(
                pk=job.pk, state=Job.State.RUNNING, worker=job.worker
            ).update(state=Job.State.FAILED, message=reason, finished_at=now)
            if marked != 1:
                continue
            trail.record(
                "job.lost",
                user=job.created_by,
                branch=job.branch,
                obj=job,
                before={"state": Job.State.RUNNING, "worker": job.worker},
                after={"state": Job.State.FAILED, "message": reason},
            )
        log.warning("job lost", extra={"job": job.pk, "worker": job.worker})
        lost += 1
    return lost
