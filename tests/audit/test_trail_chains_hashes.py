import hashlib
import json

from meterbill.audit import trail
from meterbill.audit.models import AuditEvent, AuditHead


def test_it_chains_each_event_to_the_previous_one(alice, branches):
    # given two events recorded one after the other
    first = trail.record(
        "period.open", user=alice, branch=branches["north"], after={"name": "2026-11"}
    )
    second = trail.record(
        "period.close",
        user=alice,
        branch=branches["north"],
        before={"state": "invoiced"},
        after={"state": "closed"},
    )

    # then the first starts from the genesis hash and the second from the first
    assert first.prev_hash == trail.GENESIS
    assert second.prev_hash == first.hash
    # and each hash is sha256(previous hash + canonical JSON of the event)
    stored = AuditEvent.objects.get(pk=second.pk)
    canonical = json.dumps(
        {
            "at": stored.at.isoformat(),
            "user": alice.pk,
            "branch": branches["north"].pk,
            "action": "period.close",
            "object_type": "",
            "object_id": "",
            "before": {"state": "invoiced"},
            "after": {"state": "closed"},
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    assert stored.hash == hashlib.sha256((first.hash + canonical).encode()).hexdigest()
    # and the head row points at the newest event
    head = AuditHead.objects.get(pk=1)
    assert (head.last_hash, head.events) == (second.hash, 2)


def test_it_names_the_object_an_event_is_about(alice, branches):
    event = trail.record("branch.rename", user=alice, obj=branches["south"])

    assert (event.object_type, event.object_id) == (
        "orgs.branch",
        str(branches["south"].pk),
    )
