"""Celery task: one background job per task, on the queue ``jobs``.

Keep that queue's workers apart from the bill-run chunk workers (queue ``celery``):
a bill-run job waits for its chunks, and a worker busy waiting cannot also run them.
"""

from __future__ import annotations

from celery import shared_task

from .runner import run_job as run


@shared_task(acks_late=False, ignore_result=True)
def run_job(job_id: int) -> None:
    # Not acknowledged late: a job whose worker dies is reaped and resumed by a
    # user, not started again behind their back.
    run(job_id)
