"""Celery tasks: one bill-run chunk per task, idempotent by construction."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from .billrun import process_chunk


@shared_task(acks_late=True, max_retries=3)
def run_chunk(chunk_id: int, issue_date: str | None = None) -> dict | None:
    return process_chunk(
        chunk_id, date.fromisoformat(issue_date) if issue_date else None
    )
