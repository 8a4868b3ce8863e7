"""Append to and verify the audit trail.

Each event's hash is sha256(previous hash + canonical JSON of the event), so changing,
removing or reordering any event breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> str:
    return json.dumps(
        {
            "at": event.at.isoformat(),
            "user": event.user_id,
            "branch": event.branch_id,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "before": event.before,
            "after": event.after,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def _digest(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    return None if value is None else json.loads(json.dumps(value, default=str))


def record(
    action: str,
    *,
    user: Any = None,
    branch: Any = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append one event: who, when, what, before and after."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _ = AuditHead.objects.get_or_create(
                pk=1, defaults={"last_hash": GENESIS}
            )
            head = AuditHead.objects.select_for_update().get(pk=1)
        event = AuditEvent(
            at=timezone.now(),
            user_id=getattr(user, "pk", None),
            branch_id=getattr(branch, "pk", None),
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=_jsonable(before),
            after=_jsonable(after),
            prev_hash=head.last_hash,
        )
        event.hash = _digest(head.last_hash, event)
        event.save()
        AuditHead.objects.filter(pk=1).update(
            last_hash=event.hash, events=head.events + 1
        )
    return event


@dataclass
class ChainBreak:
    event_id: int
    reason: str


def verify() -> Iterator[ChainBreak]:
    """Yield every place where the chain does not hold; nothing means intact."""
    prev = GENESIS
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != prev:
            yield ChainBreak(event.id, "previous hash does not match (event removed?)")
        if _digest(event.prev_hash, event) != event.hash:
            yield ChainBreak(event.id, "content does not match its hash (altered)")
        prev = event.hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.events != count):
        yield ChainBreak(0, "the newest events were removed (head does not match)")
