"""Resolving validation findings in the review queue: accept, correct, reject.

An accepted or corrected finding releases the invoice it held at the next bill run
(``billrun._save_findings``); a rejected one marks its reading rejected, so the next
run ignores that reading and estimates the closing index instead. Every resolution
goes into the audit trail, a correction with the reading's value before and after.

A corrected or rejected reading also takes its day's intervals (``IntervalDay`` of
the same register and day) out of time-of-use and demand billing: they are the
faulty figures the reading was summed from, and a corrected daily total does not
say how its hours were. They are deleted, their values kept in the audit trail, so
the bill run holds the contract with ``tariff_needs_intervals`` ("no interval data
for ...") until a new file brings the day again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from meterbill.audit import trail
from meterbill.invoicing.queries import invoice_using
from meterbill.metering.models import IntervalDay, Reading

from .models import Finding


class ReviewError(Exception):
    """A resolution that cannot be made (already resolved, reason missing, …)."""


def _lock_open(finding_id: int) -> Finding:
    finding = (
        Finding.objects.select_for_update()
        .select_related("period__branch")
        .get(pk=finding_id)
    )
    if finding.status != Finding.Status.OPEN:
        raise ReviewError(f"finding {finding.pk} is already {finding.status}")
    return finding


def _resolve(finding: Finding, status: str, user: Any, reason: str) -> None:
    finding.status = status
    finding.resolved_by = user
    finding.resolved_at = timezone.now()
    finding.reason = reason[:200]
    finding.save(update_fields=["status", "resolved_by", "resolved_at", "reason"])


def _state(finding: Finding) -> dict[str, Any]:
    return {"status": finding.status, "rule": finding.rule, "reason": finding.reason}


@transaction.atomic
def accept_finding(finding_id: int, *, user: Any, reason: str = "") -> Finding:
    """The reading stands as it is (e.g. a real drop after a meter exchange)."""
    finding = _lock_open(finding_id)
    before = _state(finding)
    _resolve(finding, Finding.Status.ACCEPTED, user, reason)
    trail.record(
        "finding.accept",
        user=user,
        branch=finding.period.branch,
        obj=finding,
        before=before,
        after=_state(finding),
    )
    return finding


@transaction.atomic
def correct_finding(
    finding_id: int, *, user: Any, value: Decimal, reason: str
) -> Finding:
    """Replace the value of the finding's reading; a reason is required."""
    if not reason.strip():
        raise ReviewError("a correction needs a reason")
    finding = _lock_open(finding_id)
    if finding.reading_id is None:
        raise ReviewError(f"finding {finding.pk} has no reading to correct")
    if value < 0:
        raise ReviewError("an index cannot be negative")
    reading = Reading.objects.select_for_update().get(pk=finding.reading_id)
    billed = invoice_using(reading.register, reading.read_on)
    if billed is not None:
        raise ReviewError(
            f"reading {reading.pk} is billed on invoice {billed.full_number}; "
            f"cancel or correct that invoice first"
        )
    reading_before = {"value": reading.value, "status": reading.status}
    reading.value = value
    reading.status = Reading.Status.CORRECTED
    reading.note = reason[:200]
    reading.save(update_fields=["value", "status", "note"])
    _drop_intervals(reading, user, finding, "correct")
    before = _state(finding)
    _resolve(finding, Finding.Status.CORRECTED, user, reason)
    trail.record(
        "reading.correct",
        user=user,
        branch=finding.period.branch,
        obj=reading,
        before=reading_before,
        after={"value": reading.value, "status": reading.status, "reason": reason},
    )
    trail.record(
        "finding.correct",
        user=user,
        branch=finding.period.branch,
        obj=finding,
        before=before,
        after=_state(finding),
    )
    return finding


@transaction.atomic
def reject_finding(finding_id: int, *, user: Any, reason: str = "") -> Finding:
    """The reading is wrong and not to be used: it is marked rejected."""
    finding = _lock_open(finding_id)
    before = _state(finding)
    if finding.reading_id is not None:
        reading = Reading.objects.select_for_update().get(pk=finding.reading_id)
        reading.status = Reading.Status.REJECTED
        reading.save(update_fields=["status"])
        _drop_intervals(reading, user, finding, "reject")
    _resolve(finding, Finding.Status.REJECTED, user, reason)
    trail.record(
        "finding.reject",
        user=user,
        branch=finding.period.branch,
        obj=finding,
        before=before,
        after={**_state(finding), "reading": finding.reading_id},
    )
    return finding


def _drop_intervals(reading: Reading, user: Any, finding: Finding, why: str) -> None:
    """Delete the day's intervals of the reading's register, if any, recording
    them whole in the audit trail (``interval_day.delete``, before = the stored
    day) so they can be told and restored."""
    day = (
        IntervalDay.objects.select_for_update()
        .filter(register_id=reading.register_id, day=reading.read_on)
        .first()
    )
    if day is None:
        return
    before = {
        "register": day.register_id,
        "day": day.day,
        "minutes": day.minutes,
        "values": day.values,
        "shift_at": day.shift_at,
        "quality": day.quality,
        "batch": day.batch_id,
    }
    trail.record(
        "interval_day.delete",
        user=user,
        branch=finding.period.branch,
        obj=day,
        before=before,
        after={"reading": reading.pk, "finding": finding.pk, "resolution": why},
    )
    day.delete()
