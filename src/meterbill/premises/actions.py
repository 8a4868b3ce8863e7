"""Audited changes of the premises: residences, apartments, meters, customers and
contracts. The web screens (and later the API) save through these, so every change
lands in the audit trail with its before and after."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Model, ProtectedError, RestrictedError

from meterbill.audit import trail

# Fields whose value never goes into the trail: only whether one is set.
SECRET_FIELDS = frozenset({"aes_key"})


class InUse(Exception):
    """The object is still referenced; ``used_by`` counts the referrers by model
    label ("premises.apartment": 3)."""

    def __init__(self, obj: Model, used_by: dict[str, int]) -> None:
        self.obj = obj
        self.used_by = used_by
        parts = ", ".join(f"{n} {label}" for label, n in sorted(used_by.items()))
        super().__init__(f"{obj} is still used by {parts}")


def snapshot(obj: Model, **children: Iterable[Model]) -> dict[str, Any]:
    """The object's own field values (foreign keys as ids), secrets as "set"/"",
    and the snapshots of the ``children`` given (e.g. an apartment's utilities)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.name in SECRET_FIELDS:
            value = "set" if value else ""
        data[field.name] = value
    for name, rows in children.items():
        data[name] = [
            {k: v for k, v in snapshot(row).items() if k != "id"} for row in rows
        ]
    return data


def branch_of(obj: Model) -> Any:
    """The branch an object of the premises belongs to (for the trail)."""
    for path in ("branch", "residence.branch", "apartment.residence.branch"):
        value: Any = obj
        for name in path.split("."):
            value = getattr(value, name, None)
        if value is not None:
            return value
    return None


def record_change(
    action: str,
    obj: Model,
    *,
    user: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    trail.record(
        action, user=user, branch=branch_of(obj), obj=obj, before=before, after=after
    )


def open_findings(obj: Model) -> int:
    """The open bill-run findings about ``obj`` (a meter's registers, a residence).
    A finding goes with its register or residence (CASCADE), so deleting either
    would silently release the invoice the finding holds."""
    finding = apps.get_model("billing", "Finding")
    label = obj._meta.label_lower
    if label == "metering.meter":
        about = {"register__meter": obj}
    elif label == "premises.residence":
        about = {"residence": obj}
    else:
        return 0
    return int(finding.objects.filter(status="open", **about).count())


def delete_unused(
    obj: Model, *, user: Any, action: str, before: dict[str, Any] | None = None
) -> None:
    """Delete ``obj`` and record it (``before``: its snapshot, by default its own
    fields), or raise :class:`InUse` when anything still refers to it (a PROTECT
    foreign key, an open finding): nothing is deleted then."""
    findings = open_findings(obj)
    if findings:
        raise InUse(obj, {"billing.finding": findings})
    before = before or snapshot(obj)
    branch = branch_of(obj)
    object_id = str(obj.pk)
    try:
        with transaction.atomic():
            obj.delete()
            trail.record(
                action,
                user=user,
                branch=branch,
                object_type=obj._meta.label_lower,
                object_id=object_id,
                before=before,
            )
    except (ProtectedError, RestrictedError) as error:
        referrers = error.args[1]
        counts = Counter(ref._meta.label_lower for ref in referrers)
        raise InUse(obj, dict(counts)) from error
